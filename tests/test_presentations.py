"""Debounce and event policy: only the camera repeats a verdict, and each ticket's own
event decides re-entry whatever mode a supervisor picked."""

from __future__ import annotations

from datetime import timedelta

from scanner import EventRecord, Mode, Revocation, Store, TicketStatus, preset
from scanner.verdict import VerdictKind
from tests.conftest import NOW, GateFactory, Issue

REENTRY_EVENT = EventRecord(
    event_id=43, name="Day Festival", timezone="Asia/Jakarta", allow_reentry=True
)


def test_one_code_shown_again_and_again_just_inside_the_window_is_decided_again(
    issue: Issue, make_gate: GateFactory, store: Store
) -> None:
    """Eight sightings 2.9 s apart used to be eight admits on one journal row."""
    text, claims = issue()
    gate = make_gate()
    verdicts = [gate.scan(text, NOW + timedelta(seconds=2.9 * n), camera=True) for n in range(8)]
    assert verdicts[0].kind is VerdictKind.ADMITTED
    fresh = [v for v in verdicts if not v.repeat]
    # The presentation is capped at 10 s from its first sighting: after that the code is
    # judged again, journalled, and it is already used.
    assert len(fresh) >= 2
    assert all(v.kind is VerdictKind.ALREADY_USED for v in fresh[1:])
    journal = store.scans_for_ticket(claims.ticket_hex)
    assert [s.verdict for s in journal] == [str(v.kind) for v in fresh]


def test_typed_and_hand_scanned_codes_are_never_debounced(
    issue: Issue, make_gate: GateFactory, store: Store
) -> None:
    text, _ = issue()
    gate = make_gate()
    first = gate.scan(text, NOW)
    second = gate.scan(text, NOW + timedelta(milliseconds=500))
    assert first.kind is VerdictKind.ADMITTED
    assert (second.kind, second.repeat) == (VerdictKind.ALREADY_USED, False)
    assert store.counts_by_verdict() == {"admitted": 1, "already_used": 1}


def test_a_revocation_synced_while_the_code_is_in_view_is_shown_at_the_next_sighting(
    issue: Issue, make_gate: GateFactory, store: Store
) -> None:
    text, claims = issue()
    gate = make_gate(Mode.EXIT)
    assert gate.scan(text, NOW, camera=True).kind is VerdictKind.EXITED
    gate.set_checkpoint(preset(Mode.ENTRY), actor="sup", now=NOW)
    assert gate.scan(text, NOW + timedelta(seconds=1), camera=True).kind is VerdictKind.ADMITTED
    store.revoke([Revocation(claims.ticket_hex, TicketStatus.REFUNDED, NOW)])
    gate.reload_manifest()
    again = gate.scan(text, NOW + timedelta(seconds=2), camera=True)
    assert (again.kind, again.repeat) == (VerdictKind.REVOKED, False)


def test_switching_modes_keeps_the_events_reentry_policy(
    issue: Issue, make_gate: GateFactory, store: Store
) -> None:
    store.upsert_events([REENTRY_EVENT])
    text, _ = issue(event_id=REENTRY_EVENT.event_id)
    gate = make_gate(Mode.ENTRY)
    gate.set_events({42, 43}, actor="sup", now=NOW)
    assert gate.scan(text, NOW).kind is VerdictKind.ADMITTED
    gate.set_checkpoint(preset(Mode.EXIT), actor="sup", now=NOW)
    assert gate.scan(text, NOW + timedelta(minutes=1)).kind is VerdictKind.EXITED
    gate.set_checkpoint(preset(Mode.ENTRY), actor="sup", now=NOW)
    # Back from a pass-out at an event that allows it: in again, not ALREADY USED.
    assert gate.scan(text, NOW + timedelta(minutes=2)).kind is VerdictKind.ADMITTED


def test_reentry_to_entry_on_an_event_without_reentry_does_not_keep_it_on(
    issue: Issue, make_gate: GateFactory
) -> None:
    text, _ = issue()  # event 42: no re-entry
    gate = make_gate(Mode.REENTRY)
    gate.set_checkpoint(preset(Mode.ENTRY), actor="sup", now=NOW)
    assert gate.scan(text, NOW).kind is VerdictKind.ADMITTED
    gate.set_checkpoint(preset(Mode.EXIT), actor="sup", now=NOW)
    gate.scan(text, NOW + timedelta(minutes=1))
    gate.set_checkpoint(preset(Mode.REENTRY), actor="sup", now=NOW)
    gate.set_checkpoint(preset(Mode.ENTRY), actor="sup", now=NOW)
    assert gate.scan(text, NOW + timedelta(minutes=2)).kind is VerdictKind.ALREADY_USED


def test_a_kiosk_with_two_events_applies_each_ones_own_policy(
    issue: Issue, make_gate: GateFactory, store: Store
) -> None:
    store.upsert_events([REENTRY_EVENT])
    strict, _ = issue()  # event 42: no re-entry
    relaxed, _ = issue(event_id=REENTRY_EVENT.event_id)
    gate = make_gate(Mode.ENTRY)
    gate.set_events({42, 43}, actor="sup", now=NOW)
    for text in (strict, relaxed):
        assert gate.scan(text, NOW).kind is VerdictKind.ADMITTED
    gate.set_checkpoint(preset(Mode.EXIT), actor="sup", now=NOW)
    for text in (strict, relaxed):
        assert gate.scan(text, NOW + timedelta(minutes=1)).kind is VerdictKind.EXITED
    gate.set_checkpoint(preset(Mode.ENTRY), actor="sup", now=NOW)
    assert gate.scan(strict, NOW + timedelta(minutes=2)).kind is VerdictKind.ALREADY_USED
    assert gate.scan(relaxed, NOW + timedelta(minutes=2)).kind is VerdictKind.ADMITTED


def test_a_ticket_inside_scanned_again_is_a_red_passback_naming_its_entry(
    issue: Issue, make_gate: GateFactory, store: Store
) -> None:
    from scanner.verdict import Tone

    store.upsert_events([REENTRY_EVENT])
    text, _ = issue(event_id=REENTRY_EVENT.event_id)
    gate = make_gate(Mode.ENTRY, gate_name="North")
    gate.set_events({43}, actor="sup", now=NOW)
    entered = gate.scan(text, NOW)
    gate.set_checkpoint(preset(Mode.EXIT), actor="sup", now=NOW)
    gate.scan(text, NOW + timedelta(minutes=5))
    gate.set_checkpoint(preset(Mode.ENTRY), actor="sup", now=NOW)
    back_in = gate.scan(text, NOW + timedelta(minutes=10))
    passback = gate.scan(text, NOW + timedelta(minutes=11))
    assert entered.kind is VerdictKind.ADMITTED
    assert passback.kind is VerdictKind.NEEDS_EXIT_FIRST
    assert passback.tone is Tone.REJECT
    assert passback.first_used is not None
    assert passback.first_used.scan_id == back_in.scan_id  # the entry that put it inside


def test_texts_longer_than_the_wire_carries_are_refused_where_they_are_typed(
    make_gate: GateFactory, store: Store
) -> None:
    import pytest

    from scanner.gate import OverrideError
    from scanner.limits import MAX_GATE_NAME, MAX_OVERRIDE_REASON

    gate = make_gate()
    with pytest.raises(ValueError, match="at most"):
        gate.rename("G" * (MAX_GATE_NAME + 1), actor="sup", now=NOW)
    gate.rename("G" * MAX_GATE_NAME, actor="sup", now=NOW)
    rejected = gate.scan("not a ticket", NOW)
    with pytest.raises(OverrideError, match="at most"):
        gate.override(rejected, supervisor="sup", reason="r" * (MAX_OVERRIDE_REASON + 1), now=NOW)
    assert gate.override(rejected, supervisor="sup", reason="r" * MAX_OVERRIDE_REASON, now=NOW)
    assert store.pending_count() == 2
