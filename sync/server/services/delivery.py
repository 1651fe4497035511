"""Tickets on their way to guests: what each ticket's page shows, gathered once.

The renderers (``sync.server.delivery``) never touch the database; this module reads
the order, its live tickets, the event, the venue, the ticket types and the seats, and
hands them over as :class:`PrintableTicket`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.server.delivery.pdf import LABELS, PrintableTicket, tickets_pdf
from sync.server.errors import Gone, Invalid
from sync.server.lookups import require_order, require_ticket
from sync.server.models import Event, Seat, Ticket, TicketType, Venue
from sync.server.state import ServerState

LIVE = "valid"


def printable(session: Session, tickets: Sequence[Ticket]) -> list[PrintableTicket]:
    """Each ticket with its event, venue, type name and seat flags (one query each)."""
    if not tickets:
        return []
    event_ids = {t.event_id for t in tickets}
    events = {e.id: e for e in session.scalars(select(Event).where(Event.id.in_(event_ids)))}
    venue_ids = {e.venue_id for e in events.values() if e.venue_id is not None}
    venues = {v.id: v for v in session.scalars(select(Venue).where(Venue.id.in_(venue_ids)))}
    types = {
        (t.event_id, t.code): t.name
        for t in session.scalars(select(TicketType).where(TicketType.event_id.in_(event_ids)))
    }
    seat_ids = {t.seat_id for t in tickets if t.seat_id is not None}
    companions = {
        s.id: s.companion for s in session.scalars(select(Seat).where(Seat.id.in_(seat_ids)))
    }
    out = []
    for ticket in tickets:
        event = events[ticket.event_id]
        venue = venues.get(event.venue_id) if event.venue_id is not None else None
        out.append(
            PrintableTicket(
                ticket_id=ticket.ticket_id,
                code=ticket.code,
                event_name=event.name,
                venue_name=venue.name if venue else "",
                venue_address=venue.address if venue else "",
                timezone=event.timezone,
                starts_at=event.starts_at,
                doors_open=event.doors_open,
                type_name=types.get((ticket.event_id, ticket.ticket_type), ticket.ticket_type),
                holder_name=ticket.holder_name,
                order_id=ticket.order_id,
                section=ticket.section,
                row=ticket.row,
                number=ticket.number,
                accessible=ticket.accessible,
                companion=companions.get(ticket.seat_id, False) if ticket.seat_id else False,
                event_id=ticket.event_id,
                latitude=venue.latitude if venue else None,
                longitude=venue.longitude if venue else None,
            )
        )
    return out


def _language(language: str) -> str:
    if language not in LABELS:
        raise Invalid(f"no ticket wording in {language!r}: choose one of {', '.join(LABELS)}")
    return language


def order_pdf(state: ServerState, order_id: int, language: str = "en") -> bytes:
    """The order's live tickets as one PDF, a page each; refunded and replaced tickets
    are left out (they admit no one).  An order with none left is :class:`Gone`."""
    language = _language(language)
    with state.db.read() as session:
        require_order(session, order_id)
        tickets = session.scalars(
            select(Ticket)
            .where(Ticket.order_id == order_id, Ticket.status == LIVE)
            .order_by(Ticket.section, Ticket.row, Ticket.number, Ticket.ticket_id)
        ).all()
        if not tickets:
            raise Gone(f"order {order_id} has no ticket that admits anyone")
        pages = printable(session, tickets)
    return tickets_pdf(pages, language)


def ticket_pdf(state: ServerState, ticket_id: str, language: str = "en") -> bytes:
    """One live ticket as a PDF page; a void ticket's is :class:`Gone`."""
    language = _language(language)
    with state.db.read() as session:
        ticket = require_ticket(session, ticket_id)
        if ticket.status != LIVE:
            raise Gone(f"ticket {ticket_id} is {ticket.status}: it admits no one")
        pages = printable(session, [ticket])
    return tickets_pdf(pages, language)
