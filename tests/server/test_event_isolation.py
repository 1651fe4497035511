"""A kiosk acts on its own events only: no scan, manifest or online answer of another
event's guests passes through it (device of event A against event B's resources)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.server.conftest import Enrolled, enrol_device
from tests.server.test_sync_routes import pull_all
from ui.demo.seed import DemoCatalogue, seed_demo


@pytest.fixture
def other(enrolled: Enrolled) -> DemoCatalogue:
    with enrolled.server.admin() as admin:
        return seed_demo(admin, general=5, name="Event B")


def scan_body(
    enrolled: Enrolled, ticket: dict[str, Any] | None, event_id: int | None
) -> dict[str, Any]:
    return {
        "scan_id": uuid.uuid4().hex,
        "ticket_id": ticket["ticket_id"] if ticket else None,
        "event_id": event_id,
        "device_id": enrolled.device_id,
        "gate": "North Gate",
        "zone": "main",
        "direction": "in",
        "scanned_at": datetime.now(UTC).isoformat(),
        "verdict": "admitted" if ticket else "invalid",
    }


def test_scans_of_another_events_ticket_are_refused_whatever_event_they_claim(
    enrolled: Enrolled, other: DemoCatalogue
) -> None:
    guest = other.by_type("GA")[0]
    bodies = [
        scan_body(enrolled, guest, other.event_id),
        scan_body(enrolled, guest, enrolled.event_id),
        scan_body(enrolled, guest, None),
    ]
    with enrolled.device() as device:
        answer = device.post("/sync/scans", json={"scans": bodies}).json()
    assert [a["status"] for a in answer["acks"]] == ["rejected"] * 3
    b_kiosk = enrol_device(enrolled.server, other.event_id, "kiosk-b", "Gate B")
    with enrolled.server.client(b_kiosk) as kiosk_b:
        # Event B's gate still admits its guest: nothing marked it used elsewhere.
        verdict = kiosk_b.post("/validate/scan", json={"code": guest["code"]}).json()
        assert verdict["kind"] == "admitted"
        scan_ids = {c["data"].get("scan_id") for c in pull_all(kiosk_b) if c["kind"] == "scan"}
    assert not scan_ids & {b["scan_id"] for b in bodies}


def test_unreadable_codes_scanned_at_one_event_never_reach_another(
    enrolled: Enrolled, other: DemoCatalogue
) -> None:
    body = scan_body(enrolled, None, None)
    with enrolled.device() as device:
        answer = device.post("/sync/scans", json={"scans": [body]}).json()
    assert answer["acks"][0]["status"] == "stored"  # the kiosk's own record, kept
    b_kiosk = enrol_device(enrolled.server, other.event_id, "kiosk-b", "Gate B")
    with enrolled.server.client(b_kiosk) as kiosk_b:
        changes = pull_all(kiosk_b)
    assert all(enrolled.device_id not in str(c["data"]) for c in changes)
    assert all(c["event_id"] in (None, other.event_id) for c in changes)
    assert {c["kind"] for c in changes if c["event_id"] is None} <= {"key"}


def test_online_validation_of_another_events_ticket_reveals_nothing(
    enrolled: Enrolled, other: DemoCatalogue
) -> None:
    guest = other.by_type("VIP")[0]
    with enrolled.device() as device:
        answer = device.post("/validate/scan", json={"code": guest["code"]}).json()
    assert answer["kind"] == "wrong_event"
    assert answer["holder_name"] is None
    assert answer["ticket_id"] is None
    assert answer["seat"] is None
    assert answer["first_used_at"] is None


def test_a_kiosks_manifest_carries_only_its_events(
    enrolled: Enrolled, other: DemoCatalogue
) -> None:
    with enrolled.device() as device:
        changes = pull_all(device)
    assert {c["event_id"] for c in changes} <= {None, enrolled.event_id}
    other_ids = {t["ticket_id"] for t in other.tickets}
    assert not any(c["data"].get("ticket_id") in other_ids for c in changes)
