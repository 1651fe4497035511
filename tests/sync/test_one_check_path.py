"""One check path: the kiosk offline and the server online reach the same verdict, and
name the same admission, from the same scans (``scanner.rules.judge``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from scanner import Gate, Mode, Store, preset
from scanner.verdict import VerdictKind
from sync.client import RetryPolicy, SyncClient
from tests.sync.conftest import World
from ui.demo.seed import enrol_code, seed_demo
from ui.presentation import view_of


def test_a_multi_day_pass_gets_the_same_answer_offline_and_online(world: World) -> None:
    now = datetime.now(UTC)
    server = world.server
    with world.admin() as admin:
        festival = seed_demo(admin, general=2, name="Festival", day_starts_at="05:00")
        code_a = enrol_code(admin, festival.event_id, "Gate A")
        code_b = enrol_code(admin, festival.event_id, "Gate B")
    ticket = festival.by_type("GA")[0]
    with httpx.Client(base_url=server.api, verify=server.verify) as anonymous:
        token_a = anonymous.post(
            "/devices/enrol", json={"code": code_a, "device_id": "gate-a-device"}
        ).json()["token"]
    gate_a = httpx.Client(
        base_url=server.api, verify=server.verify, headers={"Authorization": f"Bearer {token_a}"}
    )
    # Yesterday's admit at Gate A reaches the server, then Gate B's kiosk.
    yesterday = {
        "scan_id": uuid.uuid4().hex,
        "ticket_id": ticket["ticket_id"],
        "event_id": festival.event_id,
        "device_id": "gate-a-device",
        "gate": "Gate A",
        "zone": "main",
        "direction": "in",
        "scanned_at": (now - timedelta(days=1)).isoformat(),
        "verdict": "admitted",
    }
    assert gate_a.post("/sync/scans", json={"scans": [yesterday]}).status_code == 200
    with Store.open(world.tmp_path / "gate-b.db") as store:
        client = SyncClient(store, retry=RetryPolicy(attempts=1, initial=0.01))
        client.enrol(server.url, code_b)
        gate = Gate(store, preset(Mode.ENTRY), gate_name="Gate B")
        today = gate.scan(ticket["code"], now)
        assert today.kind is VerdictKind.ADMITTED  # a new event day: in again
        client.push()
        offline = gate.scan(ticket["code"], now + timedelta(seconds=1))
    online = gate_a.post("/validate/scan", json={"code": ticket["code"]}).json()
    gate_a.close()
    assert online["kind"] == str(offline.kind) == "needs_exit_first"
    # Both name today's admit at Gate B, not yesterday's at Gate A.
    assert offline.first_used is not None
    assert offline.first_used.gate == "Gate B"
    assert online["first_used_gate"] == "Gate B"
    assert datetime.fromisoformat(online["first_used_at"]) == today.scanned_at


def test_a_types_gate_note_reaches_the_kiosks_detail_line_offline_and_online(
    world: World,
) -> None:
    """A student ticket says "ID required" at the gate, offline from the synced
    manifest and online from the server; a changed note reaches the kiosk on its next
    pull."""
    event_id = world.demo.event_id
    with world.admin() as admin:
        admin.post(
            f"/events/{event_id}/ticket-types",
            json={"code": "STUDENT", "name": "Student", "gate_note": "ID required"},
        ).raise_for_status()
        order = admin.post(
            "/orders",
            json={
                "event_id": event_id,
                "buyer_name": "Student",
                "items": [{"ticket_type": "STUDENT"}, {"ticket_type": "GA"}],
            },
        ).json()
        student, general = (
            next(t for t in order["tickets"] if t["ticket_type"] == code)
            for code in ("STUDENT", "GA")
        )
    kiosk = world.kiosk("Student Gate")
    gate = Gate(kiosk.store, preset(Mode.ENTRY), gate_name="Student Gate")
    now = datetime.now(UTC)
    verdict = gate.scan(student["code"], now)
    assert verdict.kind is VerdictKind.ADMITTED
    assert verdict.type_note == "ID required"
    assert "ID required" in view_of(verdict).detail
    assert gate.scan(general["code"], now).type_note == ""
    with world.admin() as admin:
        online = admin.post("/validate/scan", json={"code": student["code"]}).json()
        assert online["type_note"] == "ID required"
        admin.patch(
            f"/events/{event_id}/ticket-types/STUDENT", json={"gate_note": "Student card"}
        ).raise_for_status()
    kiosk.client.pull()
    gate = Gate(kiosk.store, preset(Mode.EXIT), gate_name="Student Gate")
    assert gate.scan(student["code"], now + timedelta(seconds=5)).type_note == "Student card"
