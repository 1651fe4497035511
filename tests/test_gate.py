"""The gate's verdicts, modes, debounce, overrides and durability."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import time, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner import (
    Gate,
    Mode,
    OverrideError,
    Revocation,
    Seat,
    Store,
    TicketStatus,
    Tone,
    VerdictKind,
    preset,
    sign,
)
from scanner.store import META_GATE
from tests.conftest import EVENT, NOW, GateFactory, Issue, make_claims

LATER = NOW + timedelta(minutes=5)


def test_a_genuine_ticket_is_admitted_with_its_manifest_details(
    issue: Issue, make_gate: GateFactory
) -> None:
    text, claims = issue(
        ticket_type="VIP", zones=frozenset({"main", "vip"}), seat=Seat("B", "12", 7)
    )
    verdict = make_gate().scan(text, NOW)
    assert verdict.kind is VerdictKind.ADMITTED
    assert verdict.tone is Tone.ADMIT
    assert verdict.ticket is not None
    assert verdict.ticket.holder_name == "Sari Wulandari"
    assert verdict.claims == claims
    assert not verdict.not_in_manifest


def test_an_admit_is_on_disk_before_scan_returns(
    issue: Issue, make_gate: GateFactory, store: Store
) -> None:
    text, claims = issue()
    verdict = make_gate().scan(text, NOW)
    # A second, independent connection sees the row: it was committed, not just buffered.
    other = sqlite3.connect(store.path)
    row = other.execute(
        "SELECT ticket_id, verdict FROM scans WHERE scan_id=?", (verdict.scan_id,)
    ).fetchone()
    other.close()
    assert row == (claims.ticket_hex, "admitted")


def test_the_store_runs_wal_with_full_synchronous(store: Store) -> None:
    conn = store.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_the_same_code_within_the_debounce_repeats_the_verdict_without_journalling(
    issue: Issue, make_gate: GateFactory, store: Store
) -> None:
    text, _ = issue()
    gate = make_gate()
    first = gate.scan(text, NOW, camera=True)
    # Held in front of the camera for 10 s, seen every second: one presentation.
    repeats = [gate.scan(text, NOW + timedelta(seconds=s), camera=True) for s in range(1, 11)]
    assert all(r.repeat and r.kind is VerdictKind.ADMITTED for r in repeats)
    assert {r.scan_id for r in repeats} == {first.scan_id}
    assert store.counts_by_verdict() == {"admitted": 1}


def test_a_second_presentation_is_already_used_with_first_use_in_event_time(
    issue: Issue, make_gate: GateFactory
) -> None:
    text, _ = issue()
    gate = make_gate(gate_name="Gate 3")
    gate.scan(text, NOW)
    verdict = gate.scan(text, LATER)
    assert verdict.kind is VerdictKind.ALREADY_USED
    assert verdict.tone is Tone.REJECT
    assert verdict.first_used is not None
    assert verdict.first_used.scanned_at == NOW
    # 12:00 UTC is 19:00 in Jakarta, the event's time zone.
    assert verdict.first_used_text() == "first used 19:00 at Gate 3"


def test_wedge_line_endings_are_ignored(issue: Issue, make_gate: GateFactory) -> None:
    text, _ = issue()
    assert make_gate().scan(text + "\r\n", NOW).kind is VerdictKind.ADMITTED


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("hello world", "bad_encoding"),
        ("ABC", "unknown_version"),
        ("%" * 600, "too_long"),
    ],
)
def test_unreadable_codes_are_invalid_with_a_reason(
    make_gate: GateFactory, store: Store, text: str, reason: str
) -> None:
    verdict = make_gate().scan(text, NOW)
    assert (verdict.kind, verdict.reason) == (VerdictKind.INVALID, reason)
    assert store.counts_by_verdict() == {"invalid": 1}


def test_a_forged_signature_is_invalid(issue: Issue, make_gate: GateFactory) -> None:
    text, _ = issue()
    position = 30
    forged = text[:position] + ("A" if text[position] != "A" else "B") + text[position + 1 :]
    verdict = make_gate().scan(forged, NOW)
    assert verdict.kind is VerdictKind.INVALID
    assert verdict.reason in {"bad_signature", "malformed", "bad_encoding"}


def test_a_ticket_signed_by_an_unknown_key_is_unknown_key(make_gate: GateFactory) -> None:
    stranger = Ed25519PrivateKey.generate()
    verdict = make_gate().scan(sign(make_claims(), stranger), NOW)
    assert verdict.kind is VerdictKind.UNKNOWN_KEY


def test_a_ticket_for_another_event_is_wrong_event(issue: Issue, make_gate: GateFactory) -> None:
    text, _ = issue(event_id=7)
    assert make_gate().scan(text, NOW).kind is VerdictKind.WRONG_EVENT


def test_validity_window_gives_not_yet_valid_and_expired(
    issue: Issue, make_gate: GateFactory
) -> None:
    early, _ = issue(valid_from=NOW + timedelta(hours=1), valid_until=NOW + timedelta(hours=5))
    late, _ = issue(valid_from=NOW - timedelta(hours=5), valid_until=NOW - timedelta(hours=1))
    gate = make_gate()
    not_yet = gate.scan(early, NOW)
    assert not_yet.kind is VerdictKind.NOT_YET_VALID
    assert not_yet.tone is Tone.WARNING
    assert gate.scan(late, NOW).kind is VerdictKind.EXPIRED


def test_validity_grace_admits_just_before_the_window(issue: Issue, make_gate: GateFactory) -> None:
    early, _ = issue(valid_from=NOW + timedelta(minutes=10), valid_until=NOW + timedelta(hours=5))
    gate = make_gate(preset(Mode.ENTRY).with_options(validity_grace=timedelta(minutes=15)))
    assert gate.scan(early, NOW).kind is VerdictKind.ADMITTED


@pytest.mark.parametrize(
    "reason", [TicketStatus.REFUNDED, TicketStatus.TRANSFERRED, TicketStatus.BLOCKED]
)
def test_a_revoked_ticket_is_revoked_with_the_reason(
    issue: Issue, make_gate: GateFactory, store: Store, reason: TicketStatus
) -> None:
    text, claims = issue()
    store.revoke([Revocation(claims.ticket_hex, reason, NOW)])
    verdict = make_gate().scan(text, NOW)
    assert (verdict.kind, verdict.reason) == (VerdictKind.REVOKED, str(reason))


def test_a_genuine_ticket_missing_from_the_manifest_is_admitted_and_flagged(
    issue: Issue, make_gate: GateFactory
) -> None:
    text, _ = issue(in_manifest=False)
    verdict = make_gate().scan(text, NOW)
    assert verdict.kind is VerdictKind.ADMITTED
    assert verdict.not_in_manifest
    assert verdict.tone is Tone.WARNING


def test_a_setting_rejects_tickets_missing_from_the_manifest(
    issue: Issue, make_gate: GateFactory
) -> None:
    text, _ = issue(in_manifest=False)
    gate = make_gate(preset(Mode.ENTRY).with_options(admit_not_in_manifest=False))
    assert gate.scan(text, NOW).kind is VerdictKind.NOT_IN_MANIFEST


def test_vip_gate_admits_only_vip_zone_tickets(issue: Issue, make_gate: GateFactory) -> None:
    general, _ = issue()
    vip, _ = issue(ticket_type="VIP", zones=frozenset({"main", "vip"}))
    gate = make_gate(Mode.VIP)
    refused = gate.scan(general, NOW)
    assert (refused.kind, refused.reason) == (VerdictKind.NOT_ALLOWED_HERE, "zone:vip")
    assert gate.scan(vip, NOW).kind is VerdictKind.ADMITTED
    # Its own inside/outside state: inside the lounge, so a second entry needs an exit.
    assert gate.scan(vip, LATER).kind is VerdictKind.NEEDS_EXIT_FIRST


def test_ticket_type_restriction(issue: Issue, make_gate: GateFactory) -> None:
    general, _ = issue()
    gate = make_gate(preset(Mode.ENTRY).with_options(ticket_types=frozenset({"PRESS"})))
    verdict = gate.scan(general, NOW)
    assert (verdict.kind, verdict.reason) == (VerdictKind.NOT_ALLOWED_HERE, "type:GA")


def test_exit_then_reentry_with_the_event_allowing_it(issue: Issue, make_gate: GateFactory) -> None:
    text, _ = issue()
    entry = make_gate(preset(Mode.ENTRY, allow_reentry=True))
    assert entry.scan(text, NOW).kind is VerdictKind.ADMITTED
    assert entry.scan(text, NOW + timedelta(minutes=1)).kind is VerdictKind.NEEDS_EXIT_FIRST
    assert make_gate(Mode.EXIT).scan(text, NOW + timedelta(minutes=2)).kind is VerdictKind.EXITED
    assert entry.scan(text, NOW + timedelta(minutes=3)).kind is VerdictKind.ADMITTED


def test_entry_without_reentry_policy_stays_already_used_after_exit(
    issue: Issue, make_gate: GateFactory
) -> None:
    text, _ = issue()
    entry = make_gate(Mode.ENTRY)
    entry.scan(text, NOW)
    make_gate(Mode.EXIT).scan(text, NOW + timedelta(minutes=1))
    assert entry.scan(text, NOW + timedelta(minutes=2)).kind is VerdictKind.ALREADY_USED


def test_reentry_lane_needs_a_prior_admission_and_an_exit(
    issue: Issue, make_gate: GateFactory
) -> None:
    text, _ = issue()
    reentry = make_gate(Mode.REENTRY)
    never = reentry.scan(text, NOW)
    assert (never.kind, never.reason) == (VerdictKind.NOT_ALLOWED_HERE, "never_admitted")
    make_gate(Mode.ENTRY).scan(text, NOW + timedelta(minutes=1))
    assert reentry.scan(text, NOW + timedelta(minutes=2)).kind is VerdictKind.NEEDS_EXIT_FIRST
    make_gate(Mode.EXIT).scan(text, NOW + timedelta(minutes=3))
    assert reentry.scan(text, NOW + timedelta(minutes=4)).kind is VerdictKind.ADMITTED


def test_exit_of_a_ticket_never_seen_inside_is_recorded_and_noted(
    issue: Issue, make_gate: GateFactory
) -> None:
    text, _ = issue()
    verdict = make_gate(Mode.EXIT).scan(text, NOW)
    assert (verdict.kind, verdict.reason) == (VerdictKind.EXITED, "was_not_inside")


def test_multiple_entries_option_admits_while_inside(issue: Issue, make_gate: GateFactory) -> None:
    text, _ = issue()
    gate = make_gate(preset(Mode.ENTRY).with_options(allow_multiple_entries=True))
    assert gate.scan(text, NOW).kind is VerdictKind.ADMITTED
    assert gate.scan(text, LATER).kind is VerdictKind.ADMITTED


def test_another_kiosks_scan_merged_into_the_store_makes_already_used(
    issue: Issue, make_gate: GateFactory, store: Store
) -> None:
    text, _ = issue()
    gate_a = make_gate(gate_name="Gate A")
    first = gate_a.scan(text, NOW)
    event = store.get_scan(first.scan_id or "")
    assert event is not None
    with Store.open(store.path.with_name("kiosk-b.db")) as other_store:
        other_store.upsert_events([EVENT])
        for key in store.keyring().values():
            other_store.add_public_key(key)
        assert other_store.merge_scans([event]) == 1
        assert other_store.merge_scans([event]) == 0  # idempotent
        gate_b = Gate(other_store, preset(Mode.ENTRY), gate_name="Gate B")
        verdict = gate_b.scan(text, LATER)
        assert verdict.kind is VerdictKind.ALREADY_USED
        assert verdict.first_used is not None
        assert verdict.first_used.gate == "Gate A"
        assert other_store.pending_count() == 1  # only its own rejection awaits upload


def test_supervisor_override_admits_and_is_journalled(
    issue: Issue, make_gate: GateFactory, store: Store
) -> None:
    text, claims = issue()
    gate = make_gate()
    gate.scan(text, NOW)
    rejected = gate.scan(text, LATER)
    assert rejected.kind is VerdictKind.ALREADY_USED
    admitted = gate.override(rejected, supervisor="sup-7", reason="wristband torn", now=LATER)
    assert admitted.kind is VerdictKind.ADMITTED
    assert admitted.override_by == "sup-7"
    assert admitted.tone is Tone.WARNING
    saved = store.get_scan(admitted.scan_id or "")
    assert saved is not None
    assert (saved.override_by, saved.override_reason, saved.reason) == (
        "sup-7",
        "wristband torn",
        "override:already_used",
    )
    assert saved.ticket_id == claims.ticket_hex
    audit = store.audit_log()
    assert audit[-1]["action"] == "override"
    assert audit[-1]["actor"] == "sup-7"


def test_override_needs_a_reason_and_a_rejection(issue: Issue, make_gate: GateFactory) -> None:
    text, _ = issue()
    gate = make_gate()
    admitted = gate.scan(text, NOW)
    with pytest.raises(OverrideError, match="nothing to override"):
        gate.override(admitted, supervisor="sup-7", reason="x", now=NOW)
    rejected = gate.scan("garbage", NOW)
    with pytest.raises(OverrideError, match="supervisor's id and a reason"):
        gate.override(rejected, supervisor="sup-7", reason="  ", now=NOW)


def test_mode_switch_is_journalled_and_clears_the_debounce(
    issue: Issue, make_gate: GateFactory, store: Store
) -> None:
    text, _ = issue()
    gate = make_gate()
    gate.scan(text, NOW, camera=True)
    gate.set_checkpoint(preset(Mode.EXIT), actor="sup-1", now=NOW + timedelta(seconds=1))
    # Within the debounce window, but the mode changed: a fresh decision.
    verdict = gate.scan(text, NOW + timedelta(seconds=2), camera=True)
    assert verdict.kind is VerdictKind.EXITED
    assert not verdict.repeat
    assert store.audit_log()[-1]["detail"] == {
        "gate": "Gate 1",
        "from": "entry",
        "to": "exit",
        "zone": "main",
    }


def test_renaming_the_gate_is_journalled_kept_in_the_store_and_used_by_later_scans(
    issue: Issue, make_gate: GateFactory, store: Store
) -> None:
    text, _ = issue()
    gate = make_gate(gate_name="Gate 1")
    gate.rename("  Gate 1 ", actor="sup-1", now=NOW)
    assert store.audit_log() == []  # the same name again is no change
    with pytest.raises(ValueError, match="needs a name"):
        gate.rename("   ", actor="sup-1", now=NOW)
    gate.rename("Lounge Door", actor="sup-1", now=NOW)
    verdict = gate.scan(text, NOW + timedelta(seconds=1))
    assert verdict.gate == "Lounge Door"
    assert verdict.scan_id is not None
    stored = store.get_scan(verdict.scan_id)
    assert stored is not None
    assert stored.gate == "Lounge Door"
    assert store.get_meta(META_GATE) == "Lounge Door"
    (entry,) = store.audit_log()
    assert (entry["actor"], entry["action"], entry["detail"]) == (
        "sup-1",
        "gate_name",
        {"from": "Gate 1", "to": "Lounge Door"},
    )


def test_a_multi_day_pass_is_admitted_each_day_and_once_a_day(
    issue: Issue, make_gate: GateFactory, store: Store
) -> None:
    store.upsert_events([replace(EVENT, day_starts_at=time(5, 0))])  # 05:00 in Jakarta
    text, _ = issue(valid_from=NOW - timedelta(days=1), valid_until=NOW + timedelta(days=3))
    gate = make_gate()
    friday = gate.scan(text, NOW)  # 19:00 local
    again = gate.scan(text, NOW + timedelta(minutes=5))
    saturday = gate.scan(text, NOW + timedelta(days=1))  # nobody scanned it out
    assert [friday.kind, again.kind, saturday.kind] == [
        VerdictKind.ADMITTED,
        VerdictKind.ALREADY_USED,
        VerdictKind.ADMITTED,
    ]
    assert again.first_used is not None
    assert again.first_used.scanned_at == NOW
    later = gate.scan(text, NOW + timedelta(days=1, minutes=5))
    assert later.kind is VerdictKind.ALREADY_USED
    assert later.first_used is not None
    assert later.first_used.scanned_at == NOW + timedelta(days=1)  # today's, not Friday's


def test_naive_now_is_refused(make_gate: GateFactory) -> None:
    with pytest.raises(ValueError, match="aware"):
        make_gate().scan("x", NOW.replace(tzinfo=None))
