"""Reconciliation: duplicate and out-of-order pushes, and the double-admit conflict."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

from scanner.state import Direction, ScanEvent, fold
from tests.server.conftest import Enrolled, ServerHandle, enrol_device
from tests.server.test_sync_routes import scan
from ui.demo.seed import seed_demo


def conflicts(enrolled: Enrolled) -> list[dict[str, object]]:
    with enrolled.server.admin() as admin:
        result: list[dict[str, object]] = admin.get(f"/events/{enrolled.event_id}/conflicts").json()
    return result


def attendance(enrolled: Enrolled) -> dict[str, Any]:
    with enrolled.server.admin() as admin:
        result: dict[str, Any] = admin.get(f"/events/{enrolled.event_id}/attendance").json()
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


def test_attendance_gives_the_folds_answers_on_random_scans(enrolled: Enrolled) -> None:
    """The database computes attendance; the fold is the definition it must match."""
    rng = random.Random(11)
    tokens = {
        enrolled.device_id: enrolled.token,
        "kiosk-south": enrol_device(enrolled.server, enrolled.event_id, "kiosk-south", "South"),
    }
    tickets = [t["ticket_id"] for t in enrolled.tickets[:12]]
    moves = [("admitted", "in"), ("admitted", "in"), ("exited", "out"), ("already_used", "in")]
    pushed: dict[str, list[dict[str, object]]] = {device: [] for device in tokens}
    for _ in range(240):
        device = rng.choice(sorted(tokens))
        verdict, direction = rng.choice(moves)
        pushed[device].append(
            scan(
                device,
                rng.choice(tickets),
                enrolled.event_id,
                rng.randrange(45),  # few distinct minutes: many ties, broken by scan id
                verdict=verdict,
                direction=direction,
                gate=f"Gate {device}",
                scan_id=f"{rng.getrandbits(128):032x}",  # seeded: the same ties every run
            )
            | {"zone": rng.choice(["main", "main", "vip"])}
        )
    for device, scans in pushed.items():
        with enrolled.server.client(tokens[device]) as client:
            assert client.post("/sync/scans", json={"scans": scans}).status_code == 200
    events = [
        ScanEvent(
            scan_id=str(s["scan_id"]),
            ticket_id=str(s["ticket_id"]),
            event_id=enrolled.event_id,
            device_id=str(s["device_id"]),
            gate=str(s["gate"]),
            zone=str(s["zone"]),
            direction=Direction(str(s["direction"])),
            scanned_at=datetime.fromisoformat(str(s["scanned_at"])),
            verdict=str(s["verdict"]),
        )
        for scans in pushed.values()
        for s in scans
    ]
    by_ticket: dict[str | None, list[ScanEvent]] = defaultdict(list)
    for event in events:
        by_ticket[event.ticket_id].append(event)
    states = [fold(ticket_events) for ticket_events in by_ticket.values()]
    main_admits = [e for e in events if e.zone == "main" and e.verdict == "admitted"]
    quarters = Counter(
        e.scanned_at.replace(minute=e.scanned_at.minute // 15 * 15) for e in main_admits
    )
    report = attendance(enrolled)
    assert report["admitted"] == sum(1 for s in states if s.zone("main").entries)
    assert report["inside_now"] == sum(1 for s in states if s.zone("main").inside)
    assert 0 < report["inside_now"] < report["admitted"]  # the sample has both kinds
    assert report["exits"] == sum(1 for e in events if e.zone == "main" and e.verdict == "exited")
    assert report["by_gate"] == dict(Counter(e.gate for e in main_admits))
    assert {
        datetime.fromisoformat(q["start"]): q["admitted"] for q in report["by_quarter_hour"]
    } == dict(quarters)


def test_attendance_counts_a_scan_in_the_quarter_hour_it_happened(enrolled: Enrolled) -> None:
    late = scan(enrolled.device_id, enrolled.tickets[0]["ticket_id"], enrolled.event_id, 0)
    on_time = scan(enrolled.device_id, enrolled.tickets[1]["ticket_id"], enrolled.event_id, 0)
    late["scanned_at"] = "2026-11-24T12:14:59.999999+00:00"
    on_time["scanned_at"] = "2026-11-24T12:15:00+00:00"
    with enrolled.device() as device:
        assert device.post("/sync/scans", json={"scans": [late, on_time]}).status_code == 200
    quarters = [(q["start"], q["admitted"]) for q in attendance(enrolled)["by_quarter_hour"]]
    assert [(datetime.fromisoformat(start), n) for start, n in quarters] == [
        (datetime(2026, 11, 24, 12, 0, tzinfo=UTC), 1),
        (datetime(2026, 11, 24, 12, 15, tzinfo=UTC), 1),
    ]


def test_on_a_multi_day_event_a_daily_admit_is_no_conflict_and_nobody_stays_inside(
    server: ServerHandle,
) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=3, name="Three-day festival", day_starts_at="05:00")
        created = admin.get(f"/events/{demo.event_id}").json()
        refused = admin.post("/events", json={"name": "X", "day_starts_at": "05:00:30"})
    assert created["day_starts_at"] == "05:00:00"
    assert refused.status_code == 422
    assert "without seconds or offset" in refused.text
    token = enrol_device(server, demo.event_id, "kiosk-gate", "Main Gate")
    pass_id, other = demo.tickets[0]["ticket_id"], demo.tickets[1]["ticket_id"]
    # Days begin at 05:00 in Jakarta.  The festival was last week: T0 - 3 days is
    # Friday 19:00 there, so every scan is days before the wall clock's today.
    friday = -3 * 24 * 60
    saturday = scan("kiosk-gate", pass_id, demo.event_id, friday + 24 * 60)
    same_night = scan("kiosk-gate", other, demo.event_id, friday) | {"gate": "North"}
    twice = scan("kiosk-gate", other, demo.event_id, friday + 8 * 60) | {"gate": "South"}  # 03:00
    friday_admit = scan("kiosk-gate", pass_id, demo.event_id, friday)
    with server.client(token) as device:
        pushed = device.post(
            "/sync/scans", json={"scans": [friday_admit, saturday, same_night, twice]}
        )
        manifest = device.get("/sync/manifest").json()["changes"]
    assert pushed.json()["new_conflicts"] == 1
    with server.admin() as admin:
        found = admin.get(f"/events/{demo.event_id}/conflicts").json()
        report = admin.get(f"/events/{demo.event_id}/attendance").json()
    assert [(c["ticket_id"], c["first_gate"], c["second_gate"]) for c in found] == [
        (other, "North", "South")
    ]
    # Those scans were on earlier days, so nobody counts as inside today.
    assert (report["admitted"], report["inside_now"]) == (2, 0)
    (event,) = [c["data"] for c in manifest if c["kind"] == "event"]
    assert event["day_starts_at"] == "05:00:00"  # kiosks fold with the same days


def test_giving_an_event_days_later_reaches_kiosks_and_clears_day_to_day_conflicts(
    enrolled: Enrolled,
) -> None:
    ticket = enrolled.tickets[0]["ticket_id"]
    friday = -3 * 24 * 60  # 19:00 in Jakarta, three days before T0
    scans = [
        scan(enrolled.device_id, ticket, enrolled.event_id, friday),
        scan(enrolled.device_id, ticket, enrolled.event_id, friday + 24 * 60),
    ]
    with enrolled.device() as device:
        device.post("/sync/scans", json={"scans": scans})
        cursor = device.get("/sync/manifest", params={"limit": 10_000}).json()["cursor"]
    assert len(conflicts(enrolled)) == 1  # one-day event: the second admit overlaps
    url = f"/events/{enrolled.event_id}"
    with enrolled.server.admin() as admin:
        changed = admin.patch(url, json={"day_starts_at": "05:00"})
        nameless = admin.patch(url, json={"name": None})
        missing = admin.patch("/events/99999", json={"capacity": 1})
    assert changed.status_code == 200
    assert (changed.json()["day_starts_at"], changed.json()["name"]) == (
        "05:00:00",
        "Harbour Nights 2026",  # what was not sent stays
    )
    assert nameless.status_code == 422
    assert missing.status_code == 404
    assert conflicts(enrolled) == []
    with enrolled.device() as device:
        page = device.get("/sync/manifest", params={"cursor": cursor}).json()["changes"]
    assert [(c["kind"], c["data"]["day_starts_at"]) for c in page] == [("event", "05:00:00")]
