"""Request and response bodies of the organiser-facing API (sync bodies: ``sync.wire``)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from scanner.ticket import TicketFormatError, zone_bit
from sync.wire import Moment

Text200 = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=16)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class VenueIn(Body):
    name: Text200
    address: Annotated[str, StringConstraints(max_length=500)] = ""
    latitude: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None = None


class SeatRowsIn(Body):
    rows: Annotated[list[Label], Field(min_length=1, max_length=200)]
    seats_per_row: Annotated[int, Field(ge=1, le=500)]
    accessible: Annotated[list[str], Field(max_length=1000)] = []
    """Seats for wheelchair users, as ``ROW/NUMBER``."""
    companion: Annotated[list[str], Field(max_length=1000)] = []
    """Seats beside them for the people who come with them, as ``ROW/NUMBER``."""


class SectionIn(Body):
    name: Label
    kind: Literal["seated", "standing"] = "seated"
    capacity: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    pricing_tier: Annotated[str, StringConstraints(max_length=40)] = "standard"
    seats: SeatRowsIn | None = None


class SectionOut(Out):
    id: int
    venue_id: int
    name: str
    kind: str
    capacity: int
    pricing_tier: str
    seat_count: int = 0


class VenueOut(Out):
    id: int
    name: str
    address: str
    latitude: float | None = None
    longitude: float | None = None
    sections: list[SectionOut] = []


class EventIn(Body):
    name: Text200
    venue_id: Id | None = None
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64)] = "UTC"
    doors_open: Moment | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    on_sale: Moment | None = None
    capacity: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    status: Literal["draft", "on_sale", "sold_out", "cancelled", "finished"] = "draft"
    allow_reentry: bool = False
    day_starts_at: time | None = None
    """For a multi-day event, the local time each day begins ("05:00"): everyone
    counts as outside again then, so a pass is admitted once each day."""

    @field_validator("day_starts_at")
    @classmethod
    def _whole_minutes(cls, value: time | None) -> time | None:
        if value is not None and (value.tzinfo is not None or value.second or value.microsecond):
            raise ValueError("give the day's start as local HH:MM, without seconds or offset")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone such as Asia/Jakarta") from exc
        return value


class EventChange(EventIn):
    """``PATCH /events/{id}``: only the fields sent change."""

    name: Text200 | None = None  # type: ignore[assignment]


class EventOut(Out):
    id: int
    name: str
    venue_id: int | None
    timezone: str
    doors_open: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None
    on_sale: datetime | None
    capacity: int
    status: str
    allow_reentry: bool
    day_starts_at: time | None = None


class TicketTypeIn(Body):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_-]{1,16}$")]
    name: Text200
    zones: Annotated[list[str], Field(min_length=1, max_length=32)] = ["main"]
    price_cents: Annotated[int, Field(ge=0, le=100_000_000)] = 0
    valid_from: Moment | None = None
    valid_until: Moment | None = None
    """A type's own validity (a day pass); unset, its tickets follow the event's."""

    @model_validator(mode="after")
    def _window(self) -> TicketTypeIn:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid until must come after valid from")
        return self

    @field_validator("zones")
    @classmethod
    def _known_zones(cls, value: list[str]) -> list[str]:
        for zone in value:
            try:
                zone_bit(zone)
            except TicketFormatError as exc:
                raise ValueError(str(exc)) from exc
        return sorted(set(value))


class TicketTypeOut(Out):
    id: int
    event_id: int
    code: str
    name: str
    zones: str
    price_cents: int
    valid_from: datetime | None = None
    valid_until: datetime | None = None


class OrderItemIn(Body):
    ticket_type: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_-]{1,16}$")]
    quantity: Annotated[int, Field(ge=1, le=10_000)] = 1
    holder_name: Annotated[str, StringConstraints(max_length=200)] = ""
    seat_id: Id | None = None
    accessible: bool = False


MAX_ORDER_TICKETS = 10_000
"""An order is issued in one transaction, and every kiosk's upload waits for it:
10,000 tickets take about two seconds here, 100,000 would stall syncing for twenty."""


class OrderIn(Body):
    event_id: Id
    buyer_name: Text200
    buyer_email: Annotated[str, StringConstraints(max_length=320)] = ""
    items: Annotated[list[OrderItemIn], Field(min_length=1, max_length=1000)]

    @model_validator(mode="after")
    def _not_too_many_tickets(self) -> OrderIn:
        total = sum(item.quantity for item in self.items)
        if total > MAX_ORDER_TICKETS:
            raise ValueError(
                f"an order holds at most {MAX_ORDER_TICKETS:,} tickets, this one "
                f"{total:,}: issue a bigger batch as several orders"
            )
        return self


class TicketOut(Out):
    ticket_id: str
    order_id: int
    event_id: int
    ticket_type: str
    holder_name: str
    section: str | None
    row: str | None
    number: int | None
    zones: str
    accessible: bool
    status: str
    valid_from: datetime | None
    valid_until: datetime | None
    kid: str
    code: str
    issued_at: datetime
    replaced_by: str | None


class OrderOut(Out):
    id: int
    event_id: int
    buyer_name: str
    buyer_email: str
    created_at: datetime
    ticket_count: int = 0


class OrderDetail(OrderOut):
    tickets: list[TicketOut] = []


class TicketHit(BaseModel):
    """A ticket found by a search, with its order's buyer."""

    ticket: TicketOut
    buyer_name: str
    buyer_email: str


class ScanLine(BaseModel):
    """One scan of a ticket, as its history lists it."""

    scanned_at: datetime
    gate: str
    direction: str
    verdict: str
    reason: str
    override_by: str | None = None


class TicketDetail(TicketHit):
    replaced_by: str | None = None
    status_note: str | None = None
    scans: list[ScanLine] = []


class TicketQR(BaseModel):
    ticket_id: str
    holder_name: str
    code: str
    qr_png_base64: str


class TransferIn(Body):
    holder_name: Annotated[str, StringConstraints(max_length=200)]


class RefundIn(Body):
    reason: Literal["refunded", "blocked"] = "refunded"


class Availability(BaseModel):
    event_id: int
    capacity: int
    sold: int
    remaining: int | None
    by_type: dict[str, int]
    by_section: list[dict[str, int | str]]


class SeatStatus(BaseModel):
    id: int
    row: str
    number: int
    accessible: bool
    companion: bool = False
    status: Literal["free", "held", "sold"]


class SectionMap(BaseModel):
    id: int
    name: str
    kind: str
    pricing_tier: str
    seats: list[SeatStatus]


class SeatMap(BaseModel):
    event_id: int
    venue_id: int | None
    sections: list[SectionMap]


class ValidateIn(Body):
    code: Annotated[str, StringConstraints(max_length=2000)]
    mode: Literal["entry", "exit", "reentry", "vip"] = "entry"
    gate: Annotated[str, StringConstraints(max_length=200)] = ""


class ValidateOut(BaseModel):
    kind: str
    reason: str
    ticket_id: str | None = None
    ticket_type: str | None = None
    holder_name: str | None = None
    seat: str | None = None
    accessible: bool = False
    first_used_at: datetime | None = None
    first_used_gate: str | None = None
    scan_id: str | None = None
    recorded: bool = False


class ConflictOut(Out):
    id: int
    event_id: int | None
    ticket_id: str
    zone: str
    first_scan_id: str
    second_scan_id: str
    first_gate: str
    second_gate: str
    first_at: datetime
    second_at: datetime
    detected_at: datetime


class QuarterHour(BaseModel):
    start: datetime
    admitted: int


class Attendance(BaseModel):
    event_id: int
    admitted: int
    """Distinct tickets admitted at least once."""
    inside_now: int
    exits: int
    by_gate: dict[str, int]
    by_quarter_hour: list[QuarterHour]


class EnrolCodeIn(Body):
    gate: Text200


class EnrolCodeOut(BaseModel):
    code: str
    event_id: int
    gate: str
    expires_at: datetime


class DeviceOut(BaseModel):
    """An enrolled kiosk as an organiser sees it: where it stands, when it was last
    heard from, and how far its clock is from the server's."""

    device_id: str
    name: str
    gate: str
    event_ids: list[int]
    enrolled_at: datetime
    last_seen: datetime | None
    clock_skew_seconds: float | None
    quarantined: int = 0
    """Records the kiosk set aside as unsendable (see its status strip)."""
    pending: int | None = None
    """What it still had to send after its last push."""
    mode: str | None = None
    manifest_pulled_at: datetime | None = None
    """When it last applied a manifest page (server time)."""
    revoked_at: datetime | None


class KeyOut(BaseModel):
    kid: str
    public_key_hex: str
    active: bool
    retired: bool


class Doors(BaseModel):
    """An event's doors at a glance: the organiser's live dashboard."""

    event_id: int
    as_of: datetime
    attendance: Attendance
    scans_last_minute: int
    conflicts: int
    recent_conflicts: list[ConflictOut]
    kiosks: list[DeviceOut]


# --- selling ------------------------------------------------------------------------


class HoldItemIn(Body):
    ticket_type: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_-]{1,16}$")]
    seat_id: Id | None = None
    quantity: Annotated[int, Field(ge=1, le=20)] = 1


class HoldIn(Body):
    """Seats by id, or a quantity of a general-admission type, for one buyer."""

    event_id: Id
    items: Annotated[list[HoldItemIn], Field(min_length=1, max_length=20)]

    @model_validator(mode="after")
    def _one_per_seat(self) -> HoldIn:
        seats = [i.seat_id for i in self.items if i.seat_id is not None]
        if len(seats) != len(set(seats)):
            raise ValueError("a seat is named twice")
        if any(i.seat_id is not None and i.quantity != 1 for i in self.items):
            raise ValueError("an item with a seat_id is one ticket: quantity must be 1")
        if sum(i.quantity for i in self.items) > 20:
            raise ValueError("at most 20 tickets in one hold")
        return self


class HoldOut(BaseModel):
    hold_id: str
    event_id: int
    expires_at: datetime
    items: list[HoldItemIn]


class PurchaseIn(Body):
    hold_id: Annotated[str, StringConstraints(min_length=8, max_length=32)]
    buyer_name: Text200
    buyer_email: Annotated[str, StringConstraints(max_length=320)] = ""
    attendees: Annotated[
        list[Annotated[str, StringConstraints(max_length=200)]], Field(max_length=20)
    ] = []
    """A name per ticket, in the hold's order (the buyer's name where missing)."""
