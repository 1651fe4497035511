"""A ticket's admission state, derived from the set of its scan events.

No device ever stores "this ticket is inside" as a flag that another device
could overwrite.  Every kiosk and the server keep *events*; the state is
``fold(events)``.  Because the fold first removes duplicates (by scan id) and
sorts by (time, scan id), it is a function of the *set*: any order of arrival,
any number of re-deliveries and any union of two kiosks' sets give the same
answer.  That is the whole convergence argument, and ``tests/test_state.py``
checks it with hypothesis.

Conflicts are facts of the fold too: an admit into a zone the ticket is already
inside (two gates that were offline both let it in) is recorded as a pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


EFFECTIVE_VERDICTS = frozenset({"admitted", "exited"})
"""Verdict kinds that move a person; every other kind is journalled but moves no one."""


@dataclass(frozen=True, slots=True)
class ScanEvent:
    """One journalled scan, as it travels between kiosks and the server."""

    scan_id: str
    ticket_id: str | None
    event_id: int | None
    device_id: str
    gate: str
    zone: str
    direction: Direction
    scanned_at: datetime
    verdict: str
    reason: str = ""
    override_by: str | None = None
    override_reason: str | None = None

    @classmethod
    def from_attributes(cls, record: Any) -> ScanEvent:
        """From anything carrying the same attribute names: a server row, a wire model."""
        values = {name: getattr(record, name) for name in _SCAN_FIELDS}
        return cls(**values, direction=Direction(record.direction))

    @property
    def moves(self) -> bool:
        return self.verdict in EFFECTIVE_VERDICTS

    def sort_key(self) -> tuple[datetime, str]:
        return (self.scanned_at, self.scan_id)


SCAN_FIELDS = tuple(f.name for f in fields(ScanEvent))
"""A scan's fields: one list for the domain, the sync wire and the server's rows."""
_SCAN_FIELDS = tuple(name for name in SCAN_FIELDS if name != "direction")


@dataclass(frozen=True, slots=True)
class EventDays:
    """When each day of a multi-day event begins, in the event's own time zone.

    At that moment every ticket counts as outside again, as if everyone had been
    scanned out: a festival pass admitted on Friday is admitted on Saturday
    although nobody scanned it out on Friday night, and the Saturday admit is
    not a conflict.  A start in the small hours (05:00) keeps a night that runs
    past midnight in one day."""

    starts_at: time
    tz: ZoneInfo

    def boundary(self, day: date) -> datetime:
        """The instant event day ``day`` begins: ``starts_at`` on that calendar date in
        the event's zone.  A wall time the clocks skip (spring forward) is read with the
        offset before the change, a repeated one (fall back) as its first occurrence;
        either way each day's boundary is one instant, later than the day before's."""
        return datetime.combine(day, self.starts_at).replace(tzinfo=self.tz, fold=0)

    def day_of(self, moment: datetime) -> date:
        """The last event day whose boundary is at or before ``moment``.

        Computed on instants, never on the local wall clock, which runs backwards in
        the repeated hour when clocks go back: days only ever move forward."""
        instant = moment.astimezone(UTC)
        local_date = moment.astimezone(self.tz).date()
        for day in (local_date + timedelta(days=1), local_date, local_date - timedelta(days=1)):
            # In UTC: two datetimes in one zone compare by wall time, fold ignored.
            if self.boundary(day).astimezone(UTC) <= instant:
                return day
        return local_date - timedelta(days=2)  # unreachable: boundaries are a day apart

    def start_of_day(self, moment: datetime) -> datetime:
        """The moment the event day holding ``moment`` began (aware, in the event's zone)."""
        return self.boundary(self.day_of(moment))


@dataclass(frozen=True, slots=True)
class ZoneState:
    inside: bool = False
    entries: int = 0
    """Admits ever; ``entries_today`` counts those of the current event day only
    (the same number for an event without days)."""
    entries_today: int = 0
    exits: int = 0
    first_in: ScanEvent | None = None
    last_in: ScanEvent | None = None
    last_out: ScanEvent | None = None


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two admits into one zone with no exit between them."""

    zone: str
    first: ScanEvent
    second: ScanEvent


@dataclass(frozen=True, slots=True)
class TicketState:
    zones: dict[str, ZoneState] = field(default_factory=dict)
    first_used: ScanEvent | None = None
    conflicts: tuple[Conflict, ...] = ()

    def zone(self, name: str) -> ZoneState:
        return self.zones.get(name, ZoneState())

    @property
    def used(self) -> bool:
        return self.first_used is not None


EMPTY_STATE = TicketState()


def canonical_events(events: Iterable[ScanEvent]) -> list[ScanEvent]:
    """The set's members once each, in fold order.

    When two copies of a scan id differ (they should not: a scan id is minted
    once), the smallest by ``repr`` wins so the choice is still order-free.
    """
    by_id: dict[str, ScanEvent] = {}
    for event in events:
        known = by_id.get(event.scan_id)
        if known is None or (known != event and repr(event) < repr(known)):
            by_id[event.scan_id] = event
    return sorted(by_id.values(), key=ScanEvent.sort_key)


def fold(
    events: Iterable[ScanEvent],
    *,
    days: EventDays | None = None,
    now: datetime | None = None,
) -> TicketState:
    """The ticket's state after ``events``.  With ``days``, everyone is outside again
    when a new event day begins: at a scan on a later day, and at ``now`` if it
    falls on a later day than the last scan (never an earlier one: a kiosk whose
    clock lags must not let the ticket in again)."""
    zones: dict[str, ZoneState] = {}
    first_used: ScanEvent | None = None
    conflicts: list[Conflict] = []
    today: date | None = None
    for event in canonical_events(events):
        if not event.moves:
            continue
        if days is not None:
            day = days.day_of(event.scanned_at)
            if today is not None and day > today:
                zones = _new_day(zones)
            today = day if today is None else max(today, day)
        zone = zones.get(event.zone, ZoneState())
        if event.direction is Direction.IN:
            if zone.inside and zone.last_in is not None:
                conflicts.append(Conflict(event.zone, zone.last_in, event))
            zone = ZoneState(
                inside=True,
                entries=zone.entries + 1,
                entries_today=zone.entries_today + 1,
                exits=zone.exits,
                first_in=zone.first_in or event,
                last_in=event,
                last_out=zone.last_out,
            )
            if first_used is None:
                first_used = event
        else:
            zone = ZoneState(
                inside=False,
                entries=zone.entries,
                entries_today=zone.entries_today,
                exits=zone.exits + 1,
                first_in=zone.first_in,
                last_in=zone.last_in,
                last_out=event,
            )
        zones[event.zone] = zone
    if days is not None and now is not None and today is not None and days.day_of(now) > today:
        zones = _new_day(zones)
    return TicketState(zones=zones, first_used=first_used, conflicts=tuple(conflicts))


def _new_day(zones: dict[str, ZoneState]) -> dict[str, ZoneState]:
    return {name: replace(zone, inside=False, entries_today=0) for name, zone in zones.items()}
