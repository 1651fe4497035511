"""Finding a row the caller named, or saying there is none (:class:`NotFound`).

Shared by every service, so the message for a missing thing is the same
wherever it is asked for, and says where to look."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sync.server.errors import NotFound
from sync.server.models import Device, Event, Order, Ticket, Venue


def require_event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(f"no event {event_id}")
    return event


def require_venue(session: Session, venue_id: int) -> Venue:
    venue = session.get(Venue, venue_id)
    if venue is None:
        raise NotFound(f"no venue {venue_id}")
    return venue


def require_order(session: Session, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"no order {order_id}")
    return order


def require_ticket(session: Session, ticket_id: str, *, for_update: bool = False) -> Ticket:
    """``for_update``: lock the row for this transaction, so a decision about the
    ticket's status (refund, transfer) is made on what no one else can change."""
    ticket = session.get(Ticket, ticket_id, with_for_update=for_update)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}")
    return ticket


def require_device(session: Session, device_id: str) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound(f"no kiosk {device_id}; GET /devices lists them")
    return device
