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
    hold_minutes: Annotated[int, Field(ge=5, le=10)] = 10
    """How long a buyer's hold keeps its seats while they pay."""
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "EUR"
    fee_cents: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    """The online booking fee per paid ticket, in minor units."""
    group_min: Annotated[int, Field(ge=0, le=1000)] = 0
    """A group discount from this many tickets in one order (0: none)."""
    group_percent: Annotated[int, Field(ge=0, le=100)] = 0
    shop_limit: Annotated[int, Field(ge=0, le=100_000)] = 0
    """Buyers in the shop at once; more wait in the queue (0: no waiting room)."""

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
    hold_minutes: int = 10
    currency: str = "EUR"
    fee_cents: int = 0
    group_min: int = 0
    group_percent: int = 0
    shop_limit: int = 0


class TicketTypeIn(Body):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_-]{1,16}$")]
    name: Text200
    zones: Annotated[list[str], Field(min_length=1, max_length=32)] = ["main"]
    price_cents: Annotated[int, Field(ge=0, le=100_000_000)] = 0
    valid_from: Moment | None = None
    valid_until: Moment | None = None
    """A type's own validity (a day pass); unset, its tickets follow the event's."""
    quota: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    """At most this many of the type (0: only the event's capacity limits it)."""
    early_price_cents: Annotated[int, Field(ge=0, le=100_000_000)] | None = None
    early_until: Moment | None = None
    """The early-bird price applies until then."""
    step_after: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    """Dynamic pricing: after each ``step_after`` sold, the price rises by ``step_cents``."""
    step_cents: Annotated[int, Field(ge=0, le=100_000_000)] = 0
    public: bool = True
    """On sale in the public shop; false for a guest list (comps) or a box-office-only type."""
    gate_note: Annotated[str, StringConstraints(max_length=60)] = ""
    """Shown at the gate with every ticket of the type, e.g. "ID required"."""

    @model_validator(mode="after")
    def _window(self) -> TicketTypeIn:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid until must come after valid from")
        if (self.early_price_cents is None) != (self.early_until is None):
            raise ValueError("an early-bird price needs its end date, and the other way round")
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


class TicketTypeChange(TicketTypeIn):
    """``PATCH /events/{id}/ticket-types/{code}``: only the fields sent change."""

    code: str | None = None  # type: ignore[assignment]
    name: Text200 | None = None  # type: ignore[assignment]


class TicketTypeOut(Out):
    id: int
    event_id: int
    code: str
    name: str
    zones: str
    price_cents: int
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    quota: int = 0
    early_price_cents: int | None = None
    early_until: datetime | None = None
    step_after: int = 0
    step_cents: int = 0
    public: bool = True
    gate_note: str = ""


class TierPriceIn(Body):
    tier: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    ticket_type: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_-]{1,16}$")]
    price_cents: Annotated[int, Field(ge=0, le=100_000_000)]


class TierPriceOut(Out):
    tier: str
    ticket_type: str
    price_cents: int


class PromoCodeIn(Body):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{3,32}$")]
    kind: Literal["percent", "fixed"]
    amount: Annotated[int, Field(ge=1, le=100_000_000)]
    """Percent off (1-100), or minor units off each ticket."""
    ticket_type: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_-]{1,16}$")] | None = None
    valid_from: Moment | None = None
    valid_until: Moment | None = None
    max_uses: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    """Orders that may use it (0: no limit)."""

    @model_validator(mode="after")
    def _sane(self) -> PromoCodeIn:
        if self.kind == "percent" and self.amount > 100:
            raise ValueError("a percent discount is at most 100")
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid until must come after valid from")
        return self


class PromoCodeOut(Out):
    id: int
    event_id: int
    code: str
    kind: str
    amount: int
    ticket_type: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    max_uses: int
    used: int


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
    channel: Literal["organiser", "comp"] = "organiser"
    """``comp``: complimentary tickets (a guest list), counted apart in the sales."""

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
    status: str = "paid"
    channel: str = "organiser"
    currency: str = "EUR"
    subtotal_cents: int = 0
    discount_cents: int = 0
    fees_cents: int = 0
    total_cents: int = 0
    payment_method: str = ""
    payment_due: datetime | None = None
    paid_at: datetime | None = None
    promo_code: str | None = None


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
    type_note: str = ""
    """The type's note for staff, e.g. "ID required"."""


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
    door_sales: int = 0
    """Tickets sold at the box office (still valid)."""


# --- selling ------------------------------------------------------------------------


class HoldItemIn(Body):
    ticket_type: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_-]{1,16}$")]
    seat_id: Id | None = None
    quantity: Annotated[int, Field(ge=1, le=20)] = 1


class HoldIn(Body):
    """Seats by id, or a quantity of a general-admission type, for one buyer."""

    event_id: Id
    items: Annotated[list[HoldItemIn], Field(min_length=1, max_length=20)]
    queue_ticket: Annotated[str, StringConstraints(max_length=200)] = ""
    """The waiting room's signed ticket, for an event with a shop limit."""

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


class PricedLine(Out):
    """One ticket as priced, in minor units of ``currency``."""

    ticket_type: str
    seat_id: int | None = None
    label: str
    price_cents: int
    discount_cents: int = 0
    fee_cents: int = 0
    attendee_name: str = ""


class HoldOut(BaseModel):
    hold_id: str
    event_id: int
    expires_at: datetime
    items: list[HoldItemIn]
    currency: str = "EUR"
    lines: list[PricedLine] = []
    """Each ticket's price as held (before a promo code; fees come at checkout)."""


class PurchaseIn(Body):
    hold_id: Annotated[str, StringConstraints(min_length=8, max_length=32)]
    buyer_name: Text200
    buyer_email: Annotated[str, StringConstraints(max_length=320)] = ""
    attendees: Annotated[
        list[Annotated[str, StringConstraints(max_length=200)]], Field(max_length=20)
    ] = []
    """A name per ticket, in the hold's order (the buyer's name where missing)."""
    payment_method: Annotated[str, StringConstraints(max_length=20)] = "free"
    """``free``, ``box_office`` or ``bank_transfer`` (what the server offers)."""
    promo_code: Annotated[str, StringConstraints(max_length=32)] = ""


class PurchaseOut(BaseModel):
    """The order as bought: paid (tickets issued) or pending (seats kept until
    ``payment_due``, no tickets yet)."""

    order_id: int
    reference: str
    status: str
    currency: str
    lines: list[PricedLine]
    subtotal_cents: int
    discount_cents: int
    fees_cents: int
    total_cents: int
    payment_method: str
    payment_due: datetime | None = None
    instructions: str
    tickets: list[TicketOut] = []


class DoorSaleIn(Body):
    """A sale at the box office: money taken at the desk (cash or card, outside the
    system), the tickets issued and, with ``admit``, the guests let in at once."""

    event_id: Id
    items: Annotated[list[HoldItemIn], Field(min_length=1, max_length=20)]
    buyer_name: Text200
    buyer_email: Annotated[str, StringConstraints(max_length=320)] = ""
    payment: Literal["cash", "card", "comp"] = "cash"
    admit: bool = True


class DoorSaleOut(BaseModel):
    order_id: int
    currency: str
    total_cents: int
    tickets: list[TicketOut]
    admissions: list[ValidateOut]


class SalesRowOut(BaseModel):
    day: str
    ticket_type: str
    section: str
    channel: str
    promo_code: str
    tickets: int
    revenue_cents: int
    fees_cents: int


class SalesOut(BaseModel):
    """Tickets sold (issued, not refunded) and revenue (minor units, discounts off)."""

    event_id: int
    currency: str
    tickets: int
    revenue_cents: int
    fees_cents: int
    capacity: int
    in_use: int
    waitlist: int
    pending_orders: int
    by_day: dict[str, tuple[int, int]]
    by_type: dict[str, tuple[int, int]]
    by_section: dict[str, tuple[int, int]]
    by_channel: dict[str, tuple[int, int]]
    by_promo_code: dict[str, tuple[int, int]]
    """Each: key -> (tickets, revenue in minor units)."""
    rows: list[SalesRowOut]


class QuoteIn(Body):
    hold_id: Annotated[str, StringConstraints(min_length=8, max_length=32)]
    promo_code: Annotated[str, StringConstraints(max_length=32)] = ""


class QuoteOut(BaseModel):
    currency: str
    lines: list[PricedLine]
    subtotal_cents: int
    discount_cents: int
    fees_cents: int
    total_cents: int
    promo_problem: str | None = None
    payment_methods: list[str]


class WaitlistIn(Body):
    event_id: Id
    ticket_type: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_-]{1,16}$")]
    email: Annotated[str, StringConstraints(min_length=3, max_length=320)]
    name: Annotated[str, StringConstraints(max_length=200)] = ""
    quantity: Annotated[int, Field(ge=1, le=10)] = 1


class WaitlistOut(BaseModel):
    token: str
    event_id: int
    ticket_type: str
    quantity: int
    status: str
    position: int
    """1: next to be offered."""
    hold_id: str | None = None
    offer_expires_at: datetime | None = None


class QueueOut(BaseModel):
    """A visitor's place in an event's waiting room; ``queue_ticket`` is signed, so the
    place cannot be forged or swapped."""

    queue_ticket: str
    status: str
    """waiting, admitted (may hold until ``shop_until``), done."""
    position: int
    """Visitors ahead (0 once admitted)."""
    estimated_wait_seconds: int
    shop_until: datetime | None = None
    on_sale: datetime | None = None
    sold_out: bool = False
    """Nothing is left (sold, or held by buyers who may still let it go): the page
    says so and offers the waitlist instead of a wait that ends in nothing."""
