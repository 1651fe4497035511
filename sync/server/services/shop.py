"""What the public shop shows: events on sale, their prices by type and section tier,
what is left, and the seat map (seat statuses only: never who bought or holds one).

Read-only and public: everything here is what any visitor may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.server import issuing
from sync.server.delivery.links import ticket_path
from sync.server.errors import NotFound
from sync.server.models import Event, Hold, HoldItem, Venue, utcnow
from sync.server.pricing import money
from sync.server.schemas import SeatMap
from sync.server.services import catalog, sales, waitlist
from sync.server.state import ServerState


@dataclass(frozen=True, slots=True)
class TypeOffer:
    code: str
    name: str
    price_cents: int
    """The price of the next ticket now (list, early bird, step)."""
    price: str
    tier_prices: dict[str, str]
    early_until: datetime | None
    next_step: str | None
    """"Price rises by 5.00 EUR after 12 more sold": dynamic pricing is never silent."""
    left: int | None
    """Tickets left of the type (None: only the event's capacity limits it)."""
    sold_out: bool
    gate_note: str


@dataclass(frozen=True, slots=True)
class EventOffer:
    id: int
    name: str
    starts_at: datetime | None
    timezone: str
    venue: str
    status: str
    on_sale: datetime | None
    currency: str
    hold_minutes: float
    """The hold time in force (the event's, or the server's override)."""
    shop_limit: int
    fee: str | None
    group: str | None
    types: list[TypeOffer] = field(default_factory=list)
    left: int | None = None
    waitlist: int = 0
    seated: bool = False
    """Buyers choose seats on the map (the venue has seats), else a quantity."""

    @property
    def hold_time(self) -> str:
        if self.hold_minutes < 1:
            return f"{round(self.hold_minutes * 60)} seconds"
        return f"{self.hold_minutes:g} minutes"

    @property
    def sold_out(self) -> bool:
        return self.left == 0 or all(t.sold_out for t in self.types)


def _venue_name(session: Session, event: Event) -> str:
    venue = session.get(Venue, event.venue_id) if event.venue_id else None
    return venue.name if venue else ""


def public_events(state: ServerState) -> list[EventOffer]:
    with state.db.read() as session:
        events = session.scalars(
            select(Event).where(Event.status.in_(sales.SELLING)).order_by(Event.starts_at, Event.id)
        ).all()
        override = state.config.hold_minutes
        return [_offer(session, event, utcnow(), override) for event in events]


def event_offer(state: ServerState, event_id: int) -> EventOffer:
    with state.db.read() as session:
        event = session.get(Event, event_id)
        if event is None or event.status not in sales.SELLING:
            raise NotFound("this event is not on sale")
        return _offer(session, event, utcnow(), state.config.hold_minutes)


def _offer(session: Session, event: Event, now: datetime, hold_override: float = 0.0) -> EventOffer:
    gone = sales.stock(session, event.id, now)
    left_event = max(0, event.capacity - sum(gone.values())) if event.capacity else None
    seats_total = 0
    if event.venue_id is not None:
        seats_total = issuing.seat_count(session, event.venue_id)
        if seats_total:
            free = seats_total - len(issuing.seats_gone(session, event.id, now))
            left_event = free if left_event is None else min(left_event, free)
    types = []
    for ticket_type, price_rules in sales.rules(session, event.id).values():
        if not ticket_type.public:
            continue
        left = left_event
        if ticket_type.quota:
            type_left = max(0, ticket_type.quota - gone[ticket_type.code])
            left = type_left if left is None else min(left, type_left)
        sold = gone[ticket_type.code]
        price = price_rules.unit_price(None, sold, now)
        step = price_rules.next_step(sold)
        types.append(
            TypeOffer(
                code=ticket_type.code,
                name=ticket_type.name,
                price_cents=price,
                price=money(price, event.currency),
                tier_prices={
                    tier: money(price_rules.unit_price(tier, sold, now), event.currency)
                    for tier in sorted(price_rules.tier_prices)
                },
                early_until=ticket_type.early_until if price_rules.early(now) else None,
                next_step=(
                    f"the price rises by {money(step[1], event.currency)} after {step[0]} more sold"
                    if step
                    else None
                ),
                left=left,
                sold_out=left == 0,
                gate_note=ticket_type.gate_note,
            )
        )
    return EventOffer(
        id=event.id,
        name=event.name,
        starts_at=event.starts_at,
        timezone=event.timezone,
        venue=_venue_name(session, event),
        status=event.status,
        on_sale=event.on_sale,
        currency=event.currency,
        hold_minutes=hold_override or float(event.hold_minutes),
        shop_limit=event.shop_limit,
        fee=money(event.fee_cents, event.currency) if event.fee_cents else None,
        group=(
            f"{event.group_percent}% off each ticket from {event.group_min} tickets"
            if event.group_min and event.group_percent
            else None
        ),
        types=types,
        left=left_event,
        waitlist=waitlist.waiting_count(session, event.id),
        seated=seats_total > 0,
    )


SEAT_MAP_SECONDS = 1.0
"""How old a public seat map may be.  Every buyer in the shop asks for it, and a
stadium's map is thousands of seats: built once a second per event and server
process, not once per buyer.  A seat shown free that was held a moment ago is refused
by the hold itself (which checks under the event's lock), so a buyer is never sold
a taken seat; they are told to choose another."""


def _cached_seat_map(state: ServerState, event_id: int) -> tuple[SeatMap, bytes]:
    def build() -> tuple[SeatMap, bytes]:
        with state.db.read() as session:
            event = session.get(Event, event_id)
            if event is None or event.status not in sales.SELLING:
                raise NotFound("this event is not on sale")
        seat_map = catalog.seat_map(state, event_id)
        return seat_map, seat_map.model_dump_json().encode()

    return state.memo.get(("seat-map", event_id), SEAT_MAP_SECONDS, build)


def public_seat_map(state: ServerState, event_id: int) -> SeatMap:
    return _cached_seat_map(state, event_id)[0]


def public_seat_map_json(state: ServerState, event_id: int) -> bytes:
    """The same, as the API sends it: serialised once with the map, not per buyer."""
    return _cached_seat_map(state, event_id)[1]


@dataclass(frozen=True, slots=True)
class HeldSeat:
    seat_id: int | None
    ticket_type: str
    label: str
    price_cents: int


def held_items(state: ServerState, hold_id: str) -> tuple[int, datetime, str, list[HeldSeat]]:
    """A hold's event, expiry, status and lines, for the checkout page."""
    with state.db.read() as session:
        held = session.get(Hold, hold_id)
        if held is None:
            raise NotFound("no such hold: choose your seats again")
        items = session.scalars(
            select(HoldItem).where(HoldItem.hold_id == hold_id).order_by(HoldItem.id)
        ).all()
        status = held.status
        if status == "active" and held.expires_at <= utcnow():
            status = "expired"
        return (
            held.event_id,
            held.expires_at,
            status,
            [HeldSeat(i.seat_id, i.ticket_type, i.label, i.price_cents) for i in items],
        )


def ticket_links(state: ServerState, ticket_ids: list[str]) -> dict[str, str]:
    """Each ticket's own page (``/t/…``), for the buyer's order page."""
    return {t: ticket_path(state.link_secret, t) for t in ticket_ids}
