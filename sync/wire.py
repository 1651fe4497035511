"""The sync protocol's wire models, shared by the kiosk client and the server.

Pydantic models validate both directions: the server answers a malformed body
with 422 and a message naming the field, and the client refuses a page it does
not understand instead of half-applying it.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from scanner.manifest import (
    EventRecord,
    Revocation,
    TicketRecord,
    TicketStatus,
    TicketTypeRecord,
)
from scanner.state import SCAN_FIELDS, ScanEvent
from scanner.ticket import Seat

HexTicketId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{20}$")]
ScanId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8,64}$")]
ShortText = Annotated[str, StringConstraints(max_length=200)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _no_numbers(value: Any) -> Any:
    """A moment is written as an ISO 8601 text.  A JSON number (NaN and Infinity
    included, which Python's JSON reader accepts) is not taken for a Unix time."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("give a date and time as ISO 8601 text, e.g. 2026-11-24T19:00+07:00")
    return value


def _in_range(value: datetime) -> datetime:
    """Between 2000 and 2100 UTC: every moment AdmitOne stores, compares in any time
    zone and signs into a ticket stays representable (year 1 at +14:00 overflowed)."""
    try:
        moment = value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the date is outside what AdmitOne handles (2000 to 2100)") from exc
    if not EARLIEST <= moment < LATEST:
        raise ValueError("the date is outside what AdmitOne handles (2000 to 2100)")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(_no_numbers), AfterValidator(_in_range)]
"""An aware date and time between 2000 and 2100: the only kind the API accepts."""

MAX_PUSH_BATCH = 1000
MAX_PAGE = 10_000


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScanEventWire(WireModel):
    scan_id: ScanId
    ticket_id: HexTicketId | None = None
    event_id: int | None = Field(default=None, ge=0, le=2**31 - 1)
    device_id: Name
    gate: Name
    zone: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    direction: Literal["in", "out"]
    scanned_at: Moment
    verdict: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    reason: ShortText = ""
    override_by: ShortText | None = None
    override_reason: ShortText | None = None

    @classmethod
    def from_event(cls, event: ScanEvent) -> ScanEventWire:
        """The domain's scan on the wire: the same fields, by name (one mapping)."""
        values = {name: getattr(event, name) for name in SCAN_FIELDS}
        return cls.model_validate({**values, "direction": str(event.direction)})

    def to_event(self) -> ScanEvent:
        return ScanEvent.from_attributes(self)


class PushRequest(WireModel):
    scans: Annotated[list[ScanEventWire], Field(max_length=MAX_PUSH_BATCH)]


class ScanAck(WireModel):
    scan_id: str
    status: Literal["stored", "duplicate", "rejected"]
    detail: str = ""


class PushResponse(WireModel):
    acks: list[ScanAck]
    new_conflicts: int


ChangeKind = Literal["event", "ticket_type", "ticket", "revocation", "key", "scan"]


class Change(WireModel):
    seq: int
    kind: ChangeKind
    event_id: int | None
    data: dict[str, Any]


class ManifestPage(WireModel):
    changes: list[Change]
    cursor: int
    """Pass this back as ``cursor`` for the next page."""
    has_more: bool
    server_time: datetime
    device_id: str
    """The kiosk this page was made for."""
    from_cursor: int
    """The cursor the kiosk asked from: a page answers one request only."""
    expires_at: datetime
    """After this, the page is stale and not applied (a freeze attack replays it)."""


class ManifestKeyOut(WireModel):
    public_key_hex: str
    certificate_sha256: str | None = None
    fingerprint: str


class EventData(WireModel):
    event_id: int
    name: str
    timezone: str
    doors_open: datetime | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    allow_reentry: bool = False
    day_starts_at: time | None = None

    def to_record(self) -> EventRecord:
        return EventRecord(
            self.event_id,
            self.name,
            self.timezone,
            self.doors_open,
            self.starts_at,
            self.ends_at,
            self.allow_reentry,
            self.day_starts_at,
        )


class TicketTypeData(WireModel):
    event_id: int
    code: str
    name: str
    zones: list[str]
    gate_note: str = ""

    def to_record(self) -> TicketTypeRecord:
        return TicketTypeRecord(
            self.event_id, self.code, self.name, frozenset(self.zones), self.gate_note
        )


class TicketData(WireModel):
    ticket_id: str
    event_id: int
    ticket_type: str
    holder_name: str = ""
    section: str | None = None
    row: str | None = None
    number: int | None = None
    zones: list[str]
    accessible: bool = False
    status: str = "valid"

    @classmethod
    def from_record(cls, record: TicketRecord) -> TicketData:
        seat = record.seat
        return cls(
            ticket_id=record.ticket_id,
            event_id=record.event_id,
            ticket_type=record.ticket_type,
            holder_name=record.holder_name,
            section=seat.section if seat else None,
            row=seat.row if seat else None,
            number=seat.number if seat else None,
            zones=sorted(record.zones),
            accessible=record.accessible,
            status=str(record.status),
        )

    def to_record(self) -> TicketRecord:
        """A seat is a seat only with all three parts; the status must be one the gate
        knows (an unknown one refuses the whole page rather than admit on a guess)."""
        seat = (
            Seat(self.section, self.row, self.number)
            if self.section is not None and self.row is not None and self.number is not None
            else None
        )
        return TicketRecord(
            self.ticket_id,
            self.event_id,
            self.ticket_type,
            self.holder_name,
            seat,
            frozenset(self.zones),
            self.accessible,
            TicketStatus(self.status),
        )


class RevocationData(WireModel):
    ticket_id: str
    reason: str
    revoked_at: datetime

    def to_revocation(self) -> Revocation:
        return Revocation(self.ticket_id, TicketStatus(self.reason), self.revoked_at)


class KeyData(WireModel):
    kid: str
    public_key_hex: str
    retired: bool = False


class EnrolRequest(WireModel):
    code: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    device_id: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_-]{4,64}$")]
    device_name: ShortText = ""


class EnrolResponse(WireModel):
    device_id: str
    token: str
    gate: str
    event_ids: list[int]
    server_time: datetime


class HeartbeatRequest(WireModel):
    client_time: Moment
    quarantined: int = Field(default=0, ge=0, le=2**31 - 1)
    """Records this kiosk set aside as unsendable: the organiser's kiosk health."""
    pending: int | None = Field(default=None, ge=0, le=2**31 - 1)
    """Scans and audit entries still waiting to be sent after this cycle's push."""
    gate: Name | None = None
    """The gate's name now (a supervisor may have renamed it)."""
    mode: Annotated[str, StringConstraints(max_length=20)] | None = None
    manifest_pulled_at: Moment | None = None
    """When the kiosk last applied a manifest page, by its own clock."""


class HeartbeatResponse(WireModel):
    server_time: datetime
    skew_seconds: float
    """Client clock minus server clock, in seconds (positive: the kiosk is ahead)."""


class AuditEntryWire(WireModel):
    audit_id: ScanId
    at: Moment
    actor: ShortText
    action: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    detail: dict[str, Any]


class PushAuditRequest(WireModel):
    entries: Annotated[list[AuditEntryWire], Field(max_length=MAX_PUSH_BATCH)]


class PushAuditResponse(WireModel):
    stored: int
    duplicates: int


class AuditEntryOut(AuditEntryWire):
    device_id: str
