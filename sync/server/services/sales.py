"""Selling: a buyer holds seats (or a quantity) for the event's hold time, then buys
what the hold keeps.

Every decision about what is free is taken under the event's row lock (the same lock
issuing takes), so two buyers can never hold, or buy, one seat, nor together go past
the event's capacity: on PostgreSQL the lock serialises them, on SQLite the single
writer does.  A hold that lapsed is ignored by every check at once and marked expired
by the next one, so its seats come free by themselves.

Only free (price 0) purchases are taken so far; the payment providers come with the
rest of the selling issue.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sync.server import issuing
from sync.server.errors import Gone, Invalid, NotFound, Refused
from sync.server.lookups import require_event
from sync.server.models import (
    Event,
    Hold,
    HoldItem,
    Order,
    Seat,
    Section,
    Ticket,
    TicketType,
    utcnow,
)
from sync.server.schemas import HoldIn, HoldOut, OrderDetail, PurchaseIn, TicketOut
from sync.server.services import outbox
from sync.server.state import ServerState


def _lock_event(session: Session, event_id: int) -> Event:
    event = require_event(session, event_id)
    issuing.lock_event(session, event_id)
    return event


def _expire(session: Session, event_id: int, now: datetime) -> None:
    session.execute(
        update(Hold)
        .where(Hold.event_id == event_id, Hold.status == "active", Hold.expires_at <= now)
        .values(status="expired")
    )


def _in_use(session: Session, event_id: int) -> int:
    """Tickets sold (valid) plus tickets held: what counts against the capacity."""
    sold = session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.event_id == event_id, Ticket.status == "valid")
    )
    held = session.scalar(
        select(func.coalesce(func.sum(HoldItem.quantity), 0))
        .join(Hold, Hold.id == HoldItem.hold_id)
        .where(Hold.event_id == event_id, Hold.status == "active")
    )
    return int(sold or 0) + int(held or 0)


def hold(state: ServerState, body: HoldIn) -> HoldOut:
    """Keep the items for this buyer for ``hold_minutes``, or refuse with what is taken."""
    with state.db.write() as session:
        event = _lock_event(session, body.event_id)
        now = utcnow()
        _expire(session, event.id, now)
        types = set(session.scalars(select(TicketType.code).where(TicketType.event_id == event.id)))
        unknown = sorted({i.ticket_type for i in body.items} - types)
        if unknown:
            raise Invalid(f"event {event.id} has no ticket type {unknown[0]!r}")
        wanted = [i.seat_id for i in body.items if i.seat_id is not None]
        if wanted:
            in_venue = set(
                session.scalars(
                    select(Seat.id)
                    .join(Section, Section.id == Seat.section_id)
                    .where(Seat.id.in_(wanted), Section.venue_id == event.venue_id)
                )
            )
            outside = [s for s in wanted if s not in in_venue]
            if outside:
                raise Invalid(f"seat {outside[0]} is not in this event's venue")
            taken = issuing.seats_taken(session, event.id) | issuing.seats_held(
                session, event.id, now
            )
            clash = [s for s in wanted if s in taken]
            if clash:
                raise Refused(f"seat {clash[0]} is taken: choose another")
        count = sum(i.quantity for i in body.items)
        if event.capacity and _in_use(session, event.id) + count > event.capacity:
            raise Refused("sold out: not that many tickets are left")
        token = secrets.token_urlsafe(18)
        expires = now + timedelta(minutes=state.config.hold_minutes)
        session.add(Hold(id=token, event_id=event.id, created_at=now, expires_at=expires))
        session.flush()
        for item in body.items:
            session.add(
                HoldItem(
                    hold_id=token,
                    ticket_type=item.ticket_type,
                    seat_id=item.seat_id,
                    quantity=item.quantity,
                )
            )
        return HoldOut(hold_id=token, event_id=event.id, expires_at=expires, items=body.items)


def purchase(state: ServerState, body: PurchaseIn) -> OrderDetail:
    """Turn a live hold into an order and its tickets (free tickets only, so far)."""
    with state.db.write() as session:
        found = session.get(Hold, body.hold_id)
        if found is None:
            raise NotFound("no such hold: hold the seats first")
        event = _lock_event(session, found.event_id)
        found = session.get(Hold, body.hold_id, populate_existing=True)
        assert found is not None
        now = utcnow()
        if found.status == "purchased":
            raise Refused("this hold was already bought")
        if found.status != "active" or found.expires_at <= now:
            found.status = "expired"
            raise Gone("this hold has expired and its seats are free again: hold them again")
        items = session.scalars(
            select(HoldItem).where(HoldItem.hold_id == found.id).order_by(HoldItem.id)
        ).all()
        prices = {
            t.code: t.price_cents
            for t in session.scalars(select(TicketType).where(TicketType.event_id == event.id))
        }
        if any(prices.get(i.ticket_type, 0) for i in items):
            raise Invalid("only free tickets can be bought here so far; ask the box office")
        order = Order(event_id=event.id, buyer_name=body.buyer_name, buyer_email=body.buyer_email)
        session.add(order)
        session.flush()
        names = iter(body.attendees)
        requests = [
            issuing.TicketRequest(
                item.ticket_type, next(names, "") or body.buyer_name, item.seat_id
            )
            for item in items
            for _ in range(item.quantity)
        ]
        found.status = "purchased"  # before issuing: its own seats must not count as held
        session.flush()
        tickets = issuing.issue_tickets(
            session, event=event, order_id=order.id, requests=requests, key_cache=state.private_keys
        )
        found.order_id = order.id
        outbox.queue_confirmation(session, order, state.config)
        session.flush()
        detail = OrderDetail.model_validate(order).model_copy(
            update={
                "ticket_count": len(tickets),
                "tickets": [TicketOut.model_validate(t) for t in tickets],
            }
        )
    state.mail_wake.set()
    return detail
