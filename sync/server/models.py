"""The server's tables (SQLAlchemy 2 ORM).  Alembic migrations create them.

Times are stored as timezone-aware UTC (``DateTime(timezone=True)``); SQLite
keeps them as ISO text, PostgreSQL as ``timestamptz``.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scanner.state import EventDays


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Venue(Base):
    __tablename__ = "venues"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    """Where the venue is (WGS 84): a wallet pass shows itself on the lock screen there."""


class Section(Base):
    __tablename__ = "sections"
    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    name: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(20), default="seated")
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    pricing_tier: Mapped[str] = mapped_column(String(40), default="standard")
    __table_args__ = (UniqueConstraint("venue_id", "name"),)


class Seat(Base):
    __tablename__ = "seats"
    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"), index=True)
    row: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    companion: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Beside an accessible seat, for the person who comes with its guest."""
    __table_args__ = (UniqueConstraint("section_id", "row", "number"),)


class Event(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"), nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    doors_open: Mapped[datetime | None] = mapped_column(nullable=True)
    starts_at: Mapped[datetime | None] = mapped_column(nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(nullable=True)
    on_sale: Mapped[datetime | None] = mapped_column(nullable=True)
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    allow_reentry: Mapped[bool] = mapped_column(Boolean, default=False)
    day_starts_at: Mapped[str | None] = mapped_column(String(5), nullable=True)
    hold_minutes: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    """How long a buyer's hold keeps its seats (5 to 10 minutes)."""
    currency: Mapped[str] = mapped_column(String(3), default="EUR", server_default="EUR")
    fee_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """The online booking fee per paid ticket, in minor units (none on free tickets)."""
    group_min: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """A group discount from this many tickets in one order (0: none)."""
    group_percent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    shop_limit: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Buyers in the shop at once; the rest wait in the queue (0: no waiting room)."""
    """Multi-day events: "HH:MM", local; every ticket counts as outside again then."""

    @property
    def days(self) -> EventDays | None:
        if self.day_starts_at is None:
            return None
        return EventDays(time.fromisoformat(self.day_starts_at), ZoneInfo(self.timezone))


class TicketType(Base):
    __tablename__ = "ticket_types"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    zones: Mapped[str] = mapped_column(String(400), default="main")
    price_cents: Mapped[int] = mapped_column(Integer, default=0)
    valid_from: Mapped[datetime | None] = mapped_column(nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(nullable=True)
    """A type's own validity (a day pass); unset, its tickets follow the event's."""
    quota: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """At most this many of the type sold and held (0: only the event's capacity)."""
    early_price_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    early_until: Mapped[datetime | None] = mapped_column(nullable=True)
    step_after: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Dynamic pricing: the price rises by ``step_cents`` after each ``step_after`` sold."""
    step_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    public: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    """On sale in the public shop; a guest-list (comp) type is not."""
    gate_note: Mapped[str] = mapped_column(String(60), default="", server_default="")
    """Shown on the kiosk's detail line for every ticket of the type ("ID required")."""
    __table_args__ = (UniqueConstraint("event_id", "code"),)


class TierPrice(Base):
    """A ticket type's price in one pricing tier of the venue's sections."""

    __tablename__ = "tier_prices"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    tier: Mapped[str] = mapped_column(String(40))
    ticket_type: Mapped[str] = mapped_column(String(16))
    price_cents: Mapped[int] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("event_id", "tier", "ticket_type"),)


class PromoCode(Base):
    __tablename__ = "promo_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    """Upper case; buyers' input is upper-cased before it is looked up."""
    kind: Mapped[str] = mapped_column(String(8))
    """``percent`` or ``fixed`` (minor units off each ticket)."""
    amount: Mapped[int] = mapped_column(Integer)
    ticket_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    valid_from: Mapped[datetime | None] = mapped_column(nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(nullable=True)
    max_uses: Mapped[int] = mapped_column(Integer, default=0)
    """Orders that may use it (0: no limit)."""
    used: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (UniqueConstraint("event_id", "code"),)


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_email: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="paid", server_default="paid")
    """paid (its tickets issued), pending (awaiting payment: no tickets), expired."""
    channel: Mapped[str] = mapped_column(
        String(12), default="organiser", server_default="organiser"
    )
    """online, box_office, comp or organiser (issued through the API)."""
    currency: Mapped[str] = mapped_column(String(3), default="EUR", server_default="EUR")
    subtotal_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    discount_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fees_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    payment_method: Mapped[str] = mapped_column(String(20), default="", server_default="")
    payment_due: Mapped[datetime | None] = mapped_column(nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(nullable=True)
    promo_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reference: Mapped[str | None] = mapped_column(String(32), nullable=True, unique=True)
    """The buyer's claim on the order page (``/shop/orders/{reference}``) and the bank
    transfer's payment reference."""


class OrderLine(Base):
    """One ticket of an order as priced: what the buyer was charged for it."""

    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    ticket_type: Mapped[str] = mapped_column(String(16))
    seat_id: Mapped[int | None] = mapped_column(ForeignKey("seats.id"), nullable=True)
    attendee_name: Mapped[str] = mapped_column(String(200), default="")
    price_cents: Mapped[int] = mapped_column(Integer)
    discount_cents: Mapped[int] = mapped_column(Integer, default=0)
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(200), default="")
    ticket_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    """The ticket issued for this line once paid (its refund takes the line out of
    the revenue)."""


class WaitlistEntry(Base):
    __tablename__ = "waitlist_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    ticket_type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), default="waiting", index=True)
    """waiting, offered, bought, lapsed (an offer not taken), left."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    offered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    hold_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)


class QueueEntry(Base):
    """A visitor in an event's waiting room: ``sort_key`` orders them (random for
    those who came before on-sale, arrival order after)."""

    __tablename__ = "queue_entries"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    arrived_at: Mapped[datetime] = mapped_column(default=utcnow)
    sort_key: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    """waiting, admitted (in the shop until ``shop_until``), done."""
    admitted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    shop_until: Mapped[datetime | None] = mapped_column(nullable=True)
    __table_args__ = (
        # Every question a visitor's poll asks is "this event's entries in this state",
        # ordered (those ahead) or not (those inside): one index answers them all.
        Index("ix_queue_entries_place", "event_id", "status", "sort_key"),
    )


class Hold(Base):
    """Seats (or a quantity) kept for one buyer while they pay: nobody else can take
    them until ``expires_at``; after it they are free again without anyone acting (a
    lapsed hold is ignored by every check and marked expired by the next one)."""

    __tablename__ = "holds"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    """A random token: whoever has it may buy what it holds."""
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(12), default="active")
    """active (a buyer choosing), pending (bought, awaiting payment until
    ``expires_at``), purchased, expired."""
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), nullable=True)


class HoldItem(Base):
    __tablename__ = "hold_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    hold_id: Mapped[str] = mapped_column(ForeignKey("holds.id"), index=True)
    ticket_type: Mapped[str] = mapped_column(String(16))
    seat_id: Mapped[int | None] = mapped_column(ForeignKey("seats.id"), nullable=True, index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    price_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Each ticket's price when held: the buyer pays what the page showed."""
    label: Mapped[str] = mapped_column(String(200), default="", server_default="")


class OutboxMail(Base):
    """A mail to send, written in the transaction that made it necessary (an order),
    sent by the mail worker; what it carries is read when it is sent, so a ticket
    refunded in between is not mailed as if it admitted anyone."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True, nullable=True)
    """None for a notice about no order (a waitlist offer)."""
    ticket_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    """A notice's own text (payment instructions, a waitlist offer); a confirmation is
    built from its order's tickets when it is sent."""
    """Set for a mail about one ticket (given to a friend); else the whole order's."""
    recipient: Mapped[str] = mapped_column(String(320))
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    """pending, sending (claimed by a worker until ``lease_until``), sent, failed,
    cancelled (nothing left to send)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    message_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Ticket(Base):
    __tablename__ = "tickets"
    ticket_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    ticket_type: Mapped[str] = mapped_column(String(16))
    holder_name: Mapped[str] = mapped_column(String(200), default="")
    seat_id: Mapped[int | None] = mapped_column(ForeignKey("seats.id"), nullable=True)
    section: Mapped[str | None] = mapped_column(String(16), nullable=True)
    row: Mapped[str | None] = mapped_column(String(16), nullable=True)
    number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    zones: Mapped[str] = mapped_column(String(400), default="main")
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="valid")
    valid_from: Mapped[datetime | None] = mapped_column(nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(nullable=True)
    kid: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaced_by: Mapped[str | None] = mapped_column(String(20), nullable=True)
    status_note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """Why box office refunded, blocked or transferred it, in their words."""
    __table_args__ = (
        # A seat is sold once among live tickets; enforced in code for portability.
        Index("ix_tickets_event_seat", "event_id", "seat_id"),
        Index("ix_tickets_place", "event_id", "section", "row", "number"),
    )


class SigningKey(Base):
    __tablename__ = "signing_keys"
    kid: Mapped[str] = mapped_column(String(8), primary_key=True)
    public_key: Mapped[bytes] = mapped_column()
    private_path: Mapped[str] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(nullable=True)


class AdminToken(Base):
    __tablename__ = "admin_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Device(Base):
    __tablename__ = "devices"
    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    gate: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime | None] = mapped_column(nullable=True)
    clock_skew_seconds: Mapped[float | None] = mapped_column(nullable=True)
    quarantined: Mapped[int] = mapped_column(default=0, server_default="0")
    """Records the kiosk has set aside because this server can never take them, as
    its last heartbeat said: an organiser looks into a kiosk where it is not 0."""
    pending: Mapped[int | None] = mapped_column(nullable=True)
    """What the kiosk still had to send after its last push (its last heartbeat)."""
    mode: Mapped[str | None] = mapped_column(String(20), nullable=True)
    manifest_pulled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    """When the kiosk last applied a manifest page (its clock, corrected by its skew)."""
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    """Set when an organiser revokes the kiosk (lost, stolen, retired); its token then
    fails.  A new enrolment code clears it."""


class DeviceEvent(Base):
    __tablename__ = "device_events"
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.device_id"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)


class EnrolmentCode(Base):
    __tablename__ = "enrolment_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    gate: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class EnrolAttempt(Base):
    """Failed enrolment attempts, for rate limiting across server processes."""

    __tablename__ = "enrol_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Scan(Base):
    __tablename__ = "scans"
    scan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ticket_id: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    event_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    device_id: Mapped[str] = mapped_column(String(64))
    gate: Mapped[str] = mapped_column(String(200))
    zone: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(3))
    scanned_at: Mapped[datetime] = mapped_column()
    verdict: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(200), default="")
    override_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    override_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conflict(Base):
    __tablename__ = "conflicts"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    ticket_id: Mapped[str] = mapped_column(String(20))
    zone: Mapped[str] = mapped_column(String(40))
    first_scan_id: Mapped[str] = mapped_column(String(64))
    second_scan_id: Mapped[str] = mapped_column(String(64))
    first_gate: Mapped[str] = mapped_column(String(200))
    second_gate: Mapped[str] = mapped_column(String(200))
    first_at: Mapped[datetime] = mapped_column()
    second_at: Mapped[datetime] = mapped_column()
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("first_scan_id", "second_scan_id"),)


class ChangeRow(Base):
    """The change log kiosks pull.  ``seq`` comes from :class:`Counter`, not autoincrement:
    taking the counter row's lock orders writers by commit, so a reader that has seen
    ``seq = n`` can never later find a committed change below ``n``."""

    __tablename__ = "changes"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Not indexed on purpose: pages are read in ``seq`` order from a cursor, and an
    index here tempts the planner into sorting a whole event's history per page."""
    kind: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(64))
    origin_device: Mapped[str | None] = mapped_column(String(64), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column()


class Counter(Base):
    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class AuditEntry(Base):
    """Supervisor actions pushed by kiosks: mode switches, overrides, PIN attempts."""

    __tablename__ = "audit_entries"
    audit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Account(Base):
    """A person who runs the console: an owner, box office staff or a door viewer."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    """A password the server made up (``server init``) is used once, then replaced."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ConsoleSession(Base):
    """A signed-in browser: the cookie holds a random token, this table its hash."""

    __tablename__ = "console_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class LoginFailure(Base):
    """A failed console login, for throttling across server processes."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    client: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(index=True)


class Presence(Base):
    """Where a ticket's holder last went in one zone: its latest moving scan (by time,
    then scan id) and its first admission.  Kept by ingest for every ticket a push
    touches, so "inside now" and "admitted" are counts of rows, not a pass over every
    scan (the dashboard asks every second)."""

    __tablename__ = "presence"
    ticket_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    zone: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer)
    last_direction: Mapped[str] = mapped_column(String(3))
    last_at: Mapped[datetime] = mapped_column()
    first_admitted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    __table_args__ = (Index("ix_presence_event_zone", "event_id", "zone", "last_direction"),)


class ScanCount(Base):
    """Admits and exits per event, zone, gate and quarter hour (quarters since the Unix
    epoch, which start on UTC quarter hours), added to as scans arrive."""

    __tablename__ = "scan_counts"
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone: Mapped[str] = mapped_column(String(40), primary_key=True)
    gate: Mapped[str] = mapped_column(String(200), primary_key=True)
    quarter: Mapped[int] = mapped_column(Integer, primary_key=True)
    admits: Mapped[int] = mapped_column(Integer, default=0)
    exits: Mapped[int] = mapped_column(Integer, default=0)
