"""Ticket state is a function of the *set* of scan events (DESIGN.md, "State that converges")."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner import Direction, ScanEvent, fold
from scanner.state import EventDays

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def scan(
    n: int,
    direction: Direction,
    minute: int,
    *,
    zone: str = "main",
    gate: str = "A",
    verdict: str | None = None,
) -> ScanEvent:
    return ScanEvent(
        scan_id=f"s{n:04d}",
        ticket_id="t1",
        event_id=42,
        device_id=f"dev-{gate}",
        gate=gate,
        zone=zone,
        direction=direction,
        scanned_at=T0 + timedelta(minutes=minute),
        verdict=verdict or ("admitted" if direction is Direction.IN else "exited"),
    )


events_strategy = st.lists(
    st.builds(
        scan,
        n=st.integers(0, 60),
        direction=st.sampled_from(Direction),
        minute=st.integers(0, 30),  # few minutes: many same-time ties, decided by scan id
        zone=st.sampled_from(["main", "vip"]),
        gate=st.sampled_from(["A", "B", "C"]),
        verdict=st.sampled_from([None, None, None, "already_used", "invalid"]),
    ),
    max_size=25,
    unique_by=lambda e: e.scan_id,
)


@given(events=events_strategy, data=st.data())
@settings(max_examples=300)
def test_any_permutation_and_duplication_gives_the_same_state(
    events: list[ScanEvent], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(events))
    duplicates = data.draw(st.lists(st.sampled_from(events), max_size=10)) if events else []
    assert fold(shuffled + duplicates) == fold(events)


@given(kiosk_a=events_strategy, kiosk_b=events_strategy)
@settings(max_examples=300)
def test_merging_two_kiosks_sets_in_either_order_gives_the_same_state(
    kiosk_a: list[ScanEvent], kiosk_b: list[ScanEvent]
) -> None:
    # Scan ids are minted once, so the same id means the same event on both kiosks.
    by_id = {e.scan_id: e for e in kiosk_a}
    kiosk_b = [by_id.get(e.scan_id, e) for e in kiosk_b]
    assert fold(kiosk_a + kiosk_b) == fold(kiosk_b + kiosk_a)
    assert fold(kiosk_a + kiosk_b) == fold(list({*kiosk_a, *kiosk_b}))


def test_in_out_in_leaves_the_ticket_inside_with_first_use_kept() -> None:
    state = fold([scan(3, Direction.IN, 20), scan(1, Direction.IN, 0), scan(2, Direction.OUT, 10)])
    main = state.zone("main")
    assert main.inside
    assert (main.entries, main.exits) == (2, 1)
    assert state.first_used is not None
    assert state.first_used.scan_id == "s0001"
    assert state.conflicts == ()


def test_two_admits_without_an_exit_are_a_conflict_naming_both_gates() -> None:
    state = fold([scan(1, Direction.IN, 0, gate="A"), scan(2, Direction.IN, 5, gate="B")])
    assert len(state.conflicts) == 1
    conflict = state.conflicts[0]
    assert (conflict.first.gate, conflict.second.gate) == ("A", "B")


def test_rejections_do_not_move_anyone() -> None:
    state = fold([scan(1, Direction.IN, 0, verdict="already_used")])
    assert not state.used
    assert not state.zone("main").inside


def test_zones_keep_their_own_inside_state() -> None:
    state = fold(
        [
            scan(1, Direction.IN, 0),
            scan(2, Direction.IN, 5, zone="vip"),
            scan(3, Direction.OUT, 9, zone="vip"),
        ]
    )
    assert state.zone("main").inside
    assert not state.zone("vip").inside


# Multi-day events: the day begins at 05:00 in Jakarta (22:00 UTC the evening before).
FESTIVAL = EventDays(time(5, 0), ZoneInfo("Asia/Jakarta"))


def test_a_new_event_day_lets_everyone_in_again_without_a_conflict() -> None:
    friday_night = scan(1, Direction.IN, 0)  # 17:00 in Jakarta
    saturday = scan(2, Direction.IN, 24 * 60)
    state = fold([friday_night, saturday], days=FESTIVAL)
    main = state.zone("main")
    assert state.conflicts == ()
    assert (main.inside, main.entries, main.entries_today) == (True, 2, 1)
    # Without event days the same two admits are the offline double admit.
    assert len(fold([friday_night, saturday]).conflicts) == 1


def test_the_day_runs_past_midnight_until_its_start_time() -> None:
    evening = scan(1, Direction.IN, 0)  # 17:00 local
    after_midnight = scan(2, Direction.IN, 9 * 60)  # 02:00 local, still Friday's night
    state = fold([evening, after_midnight], days=FESTIVAL)
    assert len(state.conflicts) == 1
    assert state.zone("main").entries_today == 2


def test_now_in_a_later_day_finds_the_ticket_outside() -> None:
    state = fold([scan(1, Direction.IN, 0)], days=FESTIVAL, now=T0 + timedelta(hours=14))
    main = state.zone("main")
    assert (main.inside, main.entries, main.entries_today) == (False, 1, 0)
    same_day = fold([scan(1, Direction.IN, 0)], days=FESTIVAL, now=T0 + timedelta(hours=11))
    assert same_day.zone("main").inside


def test_a_kiosk_clock_behind_the_scans_does_not_let_everyone_in_again() -> None:
    # Another kiosk admitted the pass on Saturday; this kiosk's clock still says Friday.
    saturday = scan(1, Direction.IN, 24 * 60)
    state = fold([saturday], days=FESTIVAL, now=T0 + timedelta(hours=1))
    assert state.zone("main").inside


def test_event_days_start_in_the_events_time_zone() -> None:
    assert FESTIVAL.day_of(datetime(2026, 11, 24, 21, 59, tzinfo=UTC)).isoformat() == "2026-11-24"
    assert FESTIVAL.day_of(datetime(2026, 11, 24, 22, 0, tzinfo=UTC)).isoformat() == "2026-11-25"
    assert FESTIVAL.start_of_day(datetime(2026, 11, 25, 3, 0, tzinfo=UTC)) == datetime(
        2026, 11, 24, 22, 0, tzinfo=UTC
    )


@given(events=events_strategy, data=st.data())
@settings(max_examples=200)
def test_with_event_days_any_order_still_gives_the_same_state(
    events: list[ScanEvent], data: st.DataObject
) -> None:
    days = EventDays(time(10, 15), ZoneInfo("UTC"))  # a day boundary inside the scans' range
    shuffled = data.draw(st.permutations(events))
    assert fold(shuffled, days=days) == fold(events, days=days)
