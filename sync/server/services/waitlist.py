"""The waitlist: when an event or a ticket type is sold out, a buyer leaves an
e-mail address instead of refreshing the page; when places come free (a hold lapses,
a ticket is refunded, an order goes unpaid) the first in line gets an offer: the
places held for them for ``waitlist_offer_minutes``, and a mail with the link.  An
offer not taken lapses and the places pass to the next person.

Strictly first come, first served: a request for four does not lose its turn to a
later request for one.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.server import issuing
from sync.server.errors import Invalid, NotFound, Refused
from sync.server.models import Event, Hold, Seat, Section, WaitlistEntry, utcnow
from sync.server.schemas import HoldItemIn, WaitlistIn, WaitlistOut
from sync.server.services import outbox, sales
from sync.server.state import ServerState


def _venue_seats(session: Session, event: Event) -> list[int]:
    if event.venue_id is None:
        return []
    return list(
        session.scalars(
            select(Seat.id)
            .join(Section, Section.id == Seat.section_id)
            .where(Section.venue_id == event.venue_id)
            .order_by(Section.id, Seat.row, Seat.number)
        )
    )


def items_for(
    session: Session, event: Event, ticket_type: str, quantity: int, now: datetime
) -> list[HoldItemIn] | None:
    """What a hold for ``quantity`` of the type would name: the first free seats of a
    seated venue, or a quantity; None when not that many are free."""
    seats = _venue_seats(session, event)
    if not seats:
        return [HoldItemIn(ticket_type=ticket_type, quantity=quantity)]
    gone = issuing.seats_gone(session, event.id, now)
    free = [s for s in seats if s not in gone][:quantity]
    if len(free) < quantity:
        return None
    return [HoldItemIn(ticket_type=ticket_type, seat_id=s) for s in free]


def _available(
    session: Session, event: Event, ticket_type: str, quantity: int, now: datetime
) -> bool:
    """Could a buyer hold this now?  (Tried in a savepoint and rolled back.)"""
    items = items_for(session, event, ticket_type, quantity, now)
    if items is None:
        return False
    savepoint = session.begin_nested()
    try:
        sales.make_hold(session, event, items, now, now + timedelta(minutes=1), public=False)
    except Refused:
        return False
    finally:
        savepoint.rollback()
    return True


def join(state: ServerState, body: WaitlistIn) -> WaitlistOut:
    with state.db.write() as session:
        event = sales.locked_event(session, body.event_id)
        now = utcnow()
        types = sales.rules(session, event.id)
        if body.ticket_type not in types or not types[body.ticket_type][0].public:
            raise Invalid(f"event {event.id} sells no ticket type {body.ticket_type!r}")
        if event.status not in sales.SELLING:
            raise Refused("this event is not on sale")
        if "@" not in body.email:
            raise Invalid("give an e-mail address: the offer is sent there")
        sales.expire_lapsed(session, event.id, now)
        ahead = session.scalar(
            select(func.count())
            .select_from(WaitlistEntry)
            .where(WaitlistEntry.event_id == event.id, WaitlistEntry.status == "waiting")
        )
        if not ahead and _available(session, event, body.ticket_type, body.quantity, now):
            raise Refused("tickets are available now: choose them in the shop")
        entry = WaitlistEntry(
            event_id=event.id,
            ticket_type=body.ticket_type,
            name=body.name,
            email=body.email,
            quantity=body.quantity,
            status="waiting",
            created_at=now,
            token=secrets.token_urlsafe(18),
        )
        session.add(entry)
        session.flush()
        return _out(session, entry)


def _out(session: Session, entry: WaitlistEntry) -> WaitlistOut:
    position = 0
    if entry.status == "waiting":
        position = int(
            session.scalar(
                select(func.count())
                .select_from(WaitlistEntry)
                .where(
                    WaitlistEntry.event_id == entry.event_id,
                    WaitlistEntry.status == "waiting",
                    WaitlistEntry.id <= entry.id,
                )
            )
            or 0
        )
    expires = None
    if entry.hold_id:
        held = session.get(Hold, entry.hold_id)
        expires = held.expires_at if held else None
    return WaitlistOut(
        token=entry.token,
        event_id=entry.event_id,
        ticket_type=entry.ticket_type,
        quantity=entry.quantity,
        status=entry.status,
        position=position,
        hold_id=entry.hold_id if entry.status == "offered" else None,
        offer_expires_at=expires if entry.status == "offered" else None,
    )


def status(state: ServerState, token: str) -> WaitlistOut:
    with state.db.read() as session:
        entry = session.scalar(select(WaitlistEntry).where(WaitlistEntry.token == token))
        if entry is None:
            raise NotFound("no such waitlist place: check the link")
        return _out(session, entry)


def leave(state: ServerState, token: str) -> WaitlistOut:
    with state.db.write() as session:
        entry = session.scalar(select(WaitlistEntry).where(WaitlistEntry.token == token))
        if entry is None:
            raise NotFound("no such waitlist place: check the link")
        if entry.status == "waiting":
            entry.status = "left"
        return _out(session, entry)


def offer_freed(state: ServerState, event_id: int) -> int:
    """Offer what is free to those waiting, in order; the number of offers made."""
    made = 0
    with state.db.write() as session:
        event = sales.locked_event(session, event_id)
        now = utcnow()
        sales.expire_lapsed(session, event.id, now)
        waiting = session.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.event_id == event.id, WaitlistEntry.status == "waiting")
            .order_by(WaitlistEntry.id)
        ).all()
        for entry in waiting:
            items = items_for(session, event, entry.ticket_type, entry.quantity, now)
            if items is None:
                break
            savepoint = session.begin_nested()
            try:
                held = sales.make_hold(
                    session,
                    event,
                    items,
                    now,
                    now + timedelta(minutes=state.config.waitlist_offer_minutes),
                    public=False,
                )
            except Refused:
                savepoint.rollback()
                break
            savepoint.commit()
            entry.status = "offered"
            entry.offered_at = now
            entry.hold_id = held.hold_id
            made += 1
            _mail_offer(state, session, event, entry, held.expires_at)
    if made:
        state.mail_wake.set()
    return made


def _mail_offer(
    state: ServerState, session: Session, event: Event, entry: WaitlistEntry, until: datetime
) -> None:
    base = state.config.public_url.rstrip("/")
    link = f"{base}/shop/waitlist/{entry.token}" if base else f"/shop/waitlist/{entry.token}"
    outbox.queue_notice(
        session,
        recipient=entry.email,
        name=entry.name,
        subject=f"{event.name}: tickets are free for you",
        body=(
            f"Hello {entry.name or 'there'},\n\n"
            f"{entry.quantity} ticket(s) for {event.name} came free and are held for you "
            f"until {until.isoformat(timespec='minutes')} (UTC).  Buy them here:\n\n"
            f"{link}\n\nAfter that they go to the next person on the waitlist.\n"
        ),
        config=state.config,
    )


def waiting_count(session: Session, event_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(WaitlistEntry)
            .where(WaitlistEntry.event_id == event_id, WaitlistEntry.status == "waiting")
        )
        or 0
    )
