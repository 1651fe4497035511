"""Records of the manifest: what a kiosk knows about events and tickets.

These are plain values.  The store persists them, the sync client fills them
from the server's pages, and the decision engine reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from scanner.state import EventDays
from scanner.ticket import Seat


class TicketStatus(StrEnum):
    VALID = "valid"
    REFUNDED = "refunded"
    TRANSFERRED = "transferred"
    BLOCKED = "blocked"


@dataclass(frozen=True, slots=True)
class EventRecord:
    event_id: int
    name: str
    timezone: str = "UTC"
    doors_open: datetime | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    allow_reentry: bool = False
    day_starts_at: time | None = None
    """Multi-day events: when each day begins, local time; everyone counts as
    outside again then (see :class:`scanner.state.EventDays`)."""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def days(self) -> EventDays | None:
        return None if self.day_starts_at is None else EventDays(self.day_starts_at, self.tz)


@dataclass(frozen=True, slots=True)
class TicketTypeRecord:
    event_id: int
    code: str
    name: str
    zones: frozenset[str] = field(default_factory=lambda: frozenset({"main"}))
    gate_note: str = ""
    """What staff must check for every ticket of the type ("ID required")."""


@dataclass(frozen=True, slots=True)
class TicketRecord:
    ticket_id: str
    event_id: int
    ticket_type: str
    holder_name: str = ""
    seat: Seat | None = None
    zones: frozenset[str] = field(default_factory=lambda: frozenset({"main"}))
    accessible: bool = False
    status: TicketStatus = TicketStatus.VALID


@dataclass(frozen=True, slots=True)
class Revocation:
    ticket_id: str
    reason: TicketStatus
    revoked_at: datetime
