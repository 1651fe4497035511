"""Event days across daylight-saving changes: days only ever move forward."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.state import Direction, EventDays, ScanEvent, fold

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]


def admit(scan_id: str, at: datetime, gate: str = "A") -> ScanEvent:
    return ScanEvent(scan_id, "t1", 1, "dev", gate, "main", Direction.IN, at, "admitted")


def test_admits_either_side_of_the_repeated_hour_are_one_day_and_a_conflict() -> None:
    """Berlin, 25 Oct 2026: 02:40 CEST and 02:10 CET (forty minutes later) are one night."""
    days = EventDays(time(2, 30), ZoneInfo("Europe/Berlin"))
    first = admit("a", datetime(2026, 10, 25, 0, 40, tzinfo=UTC))  # 02:40 CEST
    second = admit("b", datetime(2026, 10, 25, 1, 10, tzinfo=UTC), gate="B")  # 02:10 CET
    third_gate = datetime(2026, 10, 25, 1, 20, tzinfo=UTC)
    state = fold([first, second], days=days, now=third_gate)
    assert len(state.conflicts) == 1
    assert state.zone("main").inside  # a third gate must not let it in again


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    starts=st.times(),
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),
    steps=st.lists(st.integers(min_value=1, max_value=6 * 3600), min_size=1, max_size=40),
)
def test_event_days_never_go_backwards(
    zone: str, starts: time, start: datetime, steps: list[int]
) -> None:
    days = EventDays(starts.replace(microsecond=0), ZoneInfo(zone))
    moment = start.replace(tzinfo=UTC)
    previous = days.day_of(moment)
    for step in steps:
        moment += timedelta(seconds=step)
        day = days.day_of(moment)
        assert day >= previous
        assert day - previous <= timedelta(days=1) + timedelta(seconds=step) // timedelta(
            days=1
        ) * timedelta(days=1)
        assert days.start_of_day(moment) <= moment
        previous = day


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    starts=st.times(),
    day=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
)
def test_each_day_begins_at_one_instant_after_the_day_before(
    zone: str, starts: time, day: date
) -> None:
    days = EventDays(starts.replace(microsecond=0), ZoneInfo(zone))
    begins = days.boundary(day)
    assert days.day_of(begins) == day
    assert days.day_of(begins - timedelta(microseconds=1)) == day - timedelta(days=1)
    assert days.boundary(day + timedelta(days=1)) > begins


def test_an_event_spanning_midnight_stays_one_day_until_it_starts_again() -> None:
    days = EventDays(time(5, 0), ZoneInfo("America/New_York"))
    evening = datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York"))  # fold 0
    repeated = evening.replace(fold=1)  # the same wall time an hour later (EST)
    next_morning = datetime(2026, 11, 1, 6, 0, tzinfo=ZoneInfo("America/New_York"))
    assert days.day_of(evening) == days.day_of(repeated) == date(2026, 10, 31)
    assert days.day_of(next_morning) == date(2026, 11, 1)
    state = fold([admit("a", evening), admit("b", repeated, "B")], days=days)
    assert len(state.conflicts) == 1


def test_lord_howe_half_hour_shift_keeps_days_forward() -> None:
    tz = ZoneInfo("Australia/Lord_Howe")  # clocks go back 30 minutes at 02:00 in April
    days = EventDays(time(1, 45), tz)
    before = datetime(2026, 4, 5, 1, 50, tzinfo=tz)  # fold 0: +11:00
    after = datetime(2026, 4, 5, 1, 40, tzinfo=tz).replace(fold=1)  # +10:30, later instant
    assert after.astimezone(UTC) > before.astimezone(UTC)
    assert days.day_of(after) == days.day_of(before)
    state = fold([admit("a", before), admit("b", after, "B")], days=days)
    assert len(state.conflicts) == 1
