"""Reconciliation: duplicate and out-of-order pushes, and the double-admit conflict."""

from __future__ import annotations

from tests.server.conftest import Enrolled, enrol_device
from tests.server.test_sync_routes import scan


def conflicts(enrolled: Enrolled) -> list[dict[str, object]]:
    with enrolled.server.admin() as admin:
        result: list[dict[str, object]] = admin.get(f"/events/{enrolled.event_id}/conflicts").json()
    return result


def attendance(enrolled: Enrolled) -> dict[str, object]:
    with enrolled.server.admin() as admin:
        result: dict[str, object] = admin.get(f"/events/{enrolled.event_id}/attendance").json()
    return result


def test_duplicate_pushes_store_each_scan_once(enrolled: Enrolled) -> None:
    batch = [
        scan(enrolled.device_id, t["ticket_id"], enrolled.event_id, n)
        for n, t in enumerate(enrolled.tickets[:10])
    ]
    with enrolled.device() as device:
        for _ in range(3):
            device.post("/sync/scans", json={"scans": batch})
        # The same scans again, inside a bigger batch, and twice in one batch.
        device.post("/sync/scans", json={"scans": batch + batch[:3]})
    report = attendance(enrolled)
    assert report["admitted"] == 10
    assert report["by_gate"] == {"North Gate": 10}
    assert conflicts(enrolled) == []


def test_out_of_order_pushes_reach_the_same_state(enrolled: Enrolled) -> None:
    ticket = enrolled.tickets[0]["ticket_id"]
    events = [
        scan(enrolled.device_id, ticket, enrolled.event_id, 0),
        scan(enrolled.device_id, ticket, enrolled.event_id, 10, verdict="exited", direction="out"),
        scan(enrolled.device_id, ticket, enrolled.event_id, 20),
    ]
    with enrolled.device() as device:
        for event in reversed(events):  # newest first, one batch each
            device.post("/sync/scans", json={"scans": [event]})
    report = attendance(enrolled)
    assert (report["admitted"], report["inside_now"], report["exits"]) == (1, 1, 1)
    assert conflicts(enrolled) == []  # the late-arriving exit explains the second admit


def test_two_offline_gates_admitting_one_ticket_make_exactly_one_conflict(
    enrolled: Enrolled,
) -> None:
    server = enrolled.server
    south_token = enrol_device(server, enrolled.event_id, "kiosk-south", "South Gate")
    ticket = enrolled.tickets[0]["ticket_id"]
    north = scan(enrolled.device_id, ticket, enrolled.event_id, 0, gate="North Gate")
    south = scan("kiosk-south", ticket, enrolled.event_id, 3, gate="South Gate")
    with enrolled.device() as device_north, server.client(south_token) as device_south:
        assert (
            device_south.post("/sync/scans", json={"scans": [south]}).json()["new_conflicts"] == 0
        )
        assert (
            device_north.post("/sync/scans", json={"scans": [north]}).json()["new_conflicts"] == 1
        )
        # Pushing the same events again (a lost ack) makes no new conflict.
        assert (
            device_north.post("/sync/scans", json={"scans": [north]}).json()["new_conflicts"] == 0
        )
        assert (
            device_south.post("/sync/scans", json={"scans": [south]}).json()["new_conflicts"] == 0
        )
    (conflict,) = conflicts(enrolled)
    assert (conflict["ticket_id"], conflict["first_gate"], conflict["second_gate"]) == (
        ticket,
        "North Gate",
        "South Gate",
    )
    assert (conflict["first_scan_id"], conflict["second_scan_id"]) == (
        north["scan_id"],
        south["scan_id"],
    )
    assert str(conflict["first_at"]).startswith("2026-11-24T12:00:00")
    assert str(conflict["second_at"]).startswith("2026-11-24T12:03:00")
