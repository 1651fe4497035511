"""The kiosk sync client against a real server process on loopback."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from scanner import Gate, Mode, Store, VerdictKind, preset
from scanner.state import fold
from sync.client import OfflineError, RetryPolicy, ServerRejectedError, SyncClient
from tests.sync.conftest import World
from ui.demo.seed import enrol_code, seed_demo

ADMITONE = str(Path(sys.executable).with_name("admitone"))


def test_enrolment_brings_keys_events_and_the_whole_manifest(world: World) -> None:
    kiosk = world.kiosk("North Gate")
    store = kiosk.store
    assert store.ticket_count() == len(world.demo.tickets)
    assert store.get_event(world.demo.event_id) is not None
    assert len(store.keyring()) == 1
    gate = Gate(store, preset(Mode.ENTRY), gate_name=kiosk.gate)
    verdict = gate.scan(world.tickets()[0]["code"], datetime.now(UTC))
    assert verdict.kind is VerdictKind.ADMITTED
    assert verdict.ticket is not None
    assert verdict.ticket.holder_name == "Guest"
    status = kiosk.client.status()
    assert status.enrolled
    assert status.online
    assert status.pending_uploads == 1


def test_push_marks_scans_uploaded_only_when_acknowledged(world: World) -> None:
    kiosk = world.kiosk("North Gate")
    gate = Gate(kiosk.store, preset(Mode.ENTRY), gate_name=kiosk.gate)
    now = datetime.now(UTC)
    for n, ticket in enumerate(world.tickets()[:5]):
        gate.scan(ticket["code"], now + timedelta(seconds=n))
    first = kiosk.client.push()
    assert (first.stored, first.duplicates, kiosk.store.pending_count()) == (5, 0, 0)
    # Lost acknowledgements: the kiosk never heard back, so it offers them again.
    kiosk.store.db.execute("UPDATE scans SET uploaded = 0")
    kiosk.store.db.conn.commit()
    again = kiosk.client.push()
    assert (again.stored, again.duplicates, kiosk.store.pending_count()) == (0, 5, 0)


def test_a_refunded_ticket_is_revoked_at_the_kiosk_after_its_next_pull(world: World) -> None:
    kiosk = world.kiosk("North Gate")
    gate = Gate(kiosk.store, preset(Mode.ENTRY), gate_name=kiosk.gate)
    ticket = world.tickets()[3]
    with world.admin() as admin:
        assert admin.post(f"/tickets/{ticket['ticket_id']}/refund").status_code == 200
    kiosk.client.pull()
    verdict = gate.scan(ticket["code"], datetime.now(UTC))
    assert (verdict.kind, verdict.reason) == (VerdictKind.REVOKED, "refunded")


def test_offline_double_admit_converges_to_one_conflict_and_a_third_kiosk_rejects(
    world: World,
) -> None:
    north, south, east = (world.kiosk(n) for n in ("North Gate", "South Gate", "East Gate"))
    code = world.tickets()[0]["code"]
    ticket_id = world.tickets()[0]["ticket_id"]
    t0 = datetime.now(UTC).replace(microsecond=0)
    # The network is cut: both gates admit the same ticket, each on its own.
    north_verdict = Gate(north.store, preset(Mode.ENTRY), gate_name="North Gate").scan(code, t0)
    south_verdict = Gate(south.store, preset(Mode.ENTRY), gate_name="South Gate").scan(
        code, t0 + timedelta(minutes=2)
    )
    assert north_verdict.admits
    assert south_verdict.admits
    # Reconnect.
    for kiosk in (north, south, north, south):
        kiosk.client.sync_once()
    for kiosk in (north, south):
        state = fold(kiosk.store.scans_for_ticket(ticket_id))
        assert state.used
        assert state.zone("main").entries == 2
    with world.admin() as admin:
        conflicts = admin.get(f"/events/{world.demo.event_id}/conflicts").json()
    assert len(conflicts) == 1
    assert (conflicts[0]["first_gate"], conflicts[0]["second_gate"]) == ("North Gate", "South Gate")
    # A third kiosk that only pulls knows the ticket was used, where and when first.
    east.client.pull()
    verdict = Gate(east.store, preset(Mode.ENTRY), gate_name="East Gate").scan(
        code, t0 + timedelta(minutes=5)
    )
    assert verdict.kind is VerdictKind.ALREADY_USED
    assert verdict.first_used is not None
    assert (verdict.first_used.gate, verdict.first_used.scanned_at) == ("North Gate", t0)


def test_an_unreachable_server_is_offline_after_bounded_retries(world: World) -> None:
    kiosk = world.kiosk("North Gate")
    Gate(kiosk.store, preset(Mode.ENTRY), gate_name=kiosk.gate).scan(
        world.tickets()[0]["code"], datetime.now(UTC)
    )
    kiosk.store.set_meta("server_url", "http://127.0.0.1:9")  # nothing listens there
    kiosk.client.retry = RetryPolicy(attempts=2, initial=0.01)
    with pytest.raises(OfflineError, match="ConnectError"):
        kiosk.client.push()
    status = kiosk.client.status()
    assert not status.online
    assert "ConnectError" in status.last_error
    assert status.pending_uploads == 1  # nothing lost: it waits for the network


def test_a_revoked_device_token_is_a_rejection_not_a_retry(world: World) -> None:
    kiosk = world.kiosk("North Gate")
    kiosk.store.set_meta("device_token", "stolen-or-revoked")
    with pytest.raises(ServerRejectedError) as caught:
        kiosk.client.pull()
    assert caught.value.status == 401


def test_clock_skew_is_measured_and_warned(world: World) -> None:
    kiosk = world.kiosk("North Gate")
    kiosk.client.skew_warning_seconds = -1.0  # any skew at all is over this threshold
    kiosk.client.heartbeat()
    status = kiosk.client.status()
    assert status.clock_skew_seconds is not None
    assert abs(status.clock_skew_seconds) < 5
    assert status.skew_warning


def test_kiosk_sync_cli_reports_what_it_did(world: World) -> None:
    kiosk = world.kiosk("North Gate")
    gate = Gate(kiosk.store, preset(Mode.ENTRY), gate_name=kiosk.gate)
    gate.scan(world.tickets()[0]["code"], datetime.now(UTC))
    path = kiosk.store.path
    result = subprocess.run(
        [ADMITONE, "kiosk", "--store", str(path), "sync"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("pushed 1 scans (0 already on the server, 0 rejected); pulled ")
    assert "; 0 scans pending; clock skew " in result.stdout
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM scans WHERE uploaded = 0").fetchone() == (0,)
    conn.close()


def _enrol_cli(world: World, tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            ADMITONE,
            "kiosk",
            "--store",
            str(tmp_path / "new.db"),
            "enrol",
            "--server",
            world.server.url,
            "--code",
            code,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_kiosk_enrol_cli_with_a_bad_code_says_what_to_do(world: World, tmp_path: Path) -> None:
    with world.admin() as admin:
        pin = admin.get("/sync/manifest-key").json()["fingerprint"]
    wrong_secret = _enrol_cli(world, tmp_path, f"NOPE-NOPE-NOPE-{pin}")
    assert wrong_secret.returncode == 1
    assert wrong_secret.stderr.strip() == (
        "Error: server refused (401): unknown, used or expired enrolment code; ask the "
        "organiser for a new one"
    )
    no_pin = _enrol_cli(world, tmp_path, "NOPE-NOPE-NOPE")
    assert no_pin.returncode == 1
    assert "carries no server fingerprint" in no_pin.stderr


def test_a_code_for_another_server_is_never_sent_to_this_one(world: World, tmp_path: Path) -> None:
    """A machine in between (or a wrong address) has other keys: the kiosk finds out
    before it sends the code, which stays usable at the real server."""
    with world.admin() as admin:
        code = enrol_code(admin, world.demo.event_id, "North Gate")
    forged_pin = code[:14] + "-AAAA-AAAA-AAAA-AAAA"
    refused = _enrol_cli(world, tmp_path, forged_pin)
    assert refused.returncode == 1
    assert "not the one the enrolment code was made for" in refused.stderr
    accepted = _enrol_cli(world, tmp_path, code)
    assert accepted.returncode == 0, accepted.stderr


def test_supervisor_actions_are_synced_to_the_server(world: World) -> None:
    kiosk = world.kiosk("North Gate")
    gate = Gate(kiosk.store, preset(Mode.ENTRY), gate_name=kiosk.gate)
    gate.set_checkpoint(preset(Mode.VIP), actor="sup-4", now=datetime.now(UTC))
    kiosk.client.push()
    kiosk.client.push()  # nothing new: no duplicates on the server
    with world.admin() as admin:
        entries = admin.get("/audit", params={"device_id": kiosk.store.device_id}).json()
    assert [(e["actor"], e["action"], e["detail"]["to"]) for e in entries] == [
        ("sup-4", "checkpoint", "vip")
    ]
    assert kiosk.store.pending_audit() == []


def test_a_revoked_kiosk_keeps_its_scans_says_so_and_comes_back_under_a_new_id(
    world: World,
) -> None:
    kiosk = world.kiosk("North Gate")
    gate = Gate(kiosk.store, preset(Mode.ENTRY), gate_name=kiosk.gate)
    with world.admin() as admin:
        assert admin.post(f"/devices/{kiosk.store.device_id}/revoke").status_code == 200
    verdict = gate.scan(world.tickets()[0]["code"], datetime.now(UTC))
    assert verdict.kind is VerdictKind.ADMITTED  # the gate itself never needs the server
    with pytest.raises(ServerRejectedError) as refused:
        kiosk.client.sync_once()
    assert refused.value.status == 401
    status = kiosk.client.status()
    assert status.refused == (
        "this kiosk was revoked by the organiser; ask for a new enrolment code"
    )
    assert status.pending_uploads == 1  # nothing lost while refused
    with world.admin() as admin:
        code = enrol_code(admin, world.demo.event_id, "North Gate")
    revoked_id = kiosk.store.device_id
    kiosk.client.enrol(world.server.url, code)
    # The revoked identity stays revoked: the kiosk came back under a new one.
    assert kiosk.store.device_id != revoked_id
    kiosk.client.sync_once()
    status = kiosk.client.status()
    assert (status.refused, status.pending_uploads) == ("", 0)
    # The admit it made while revoked is not taken under the new identity: it stays
    # in the journal, set aside where the organiser can see it.
    assert [h["record_id"] for h in kiosk.store.quarantined()] == [verdict.scan_id]
    assert status.quarantined == 1


def test_a_multi_day_event_reaches_the_kiosk_which_admits_a_pass_each_day(
    world: World,
) -> None:
    # 03:30 in Jakarta; the next event day begins at 05:00 there, within the tickets'
    # validity window, which the seed opens an hour before now and closes 5 h after.
    now = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)
    with world.admin() as admin:
        festival = seed_demo(admin, general=2, name="Festival", now=now, day_starts_at="05:00")
        code = enrol_code(admin, festival.event_id, "Festival Gate")
    store = Store.open(world.tmp_path / "festival.db")
    try:
        client = SyncClient(store, retry=RetryPolicy(attempts=2, initial=0.05))
        client.enrol(world.server.url, code)
        event = store.get_event(festival.event_id)
        assert event is not None
        assert event.day_starts_at == time(5, 0)
        gate = Gate(store, preset(Mode.ENTRY), gate_name="Festival Gate")
        ticket = festival.by_type("GA")[0]["code"]
        verdicts = [gate.scan(ticket, now + timedelta(hours=h)).kind for h in (0, 1, 2)]
    finally:
        store.close()
    # The seed's event allows re-entry, which the entry preset now follows: a second
    # scan the same night finds the pass inside (a passback), the next day admits it.
    assert verdicts == [
        VerdictKind.ADMITTED,
        VerdictKind.NEEDS_EXIT_FIRST,
        VerdictKind.ADMITTED,
    ]
