"""Finding a row the caller named, or saying there is none (:class:`NotFound`).

Shared by every service, so the message for a missing thing is the same
wherever it is asked for, and says where to look."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from sync.server.errors import NotFound
from sync.server.models import Device, Event, Order, Ticket, Venue

Row = TypeVar("Row")


def _require(
    session: Session, model: type[Row], key: Any, missing: str, *, for_update: bool = False
) -> Row:
    row = session.get(model, key, with_for_update=for_update)
    if row is None:
        raise NotFound(missing)
    return row


def require_event(session: Session, event_id: int) -> Event:
    return _require(session, Event, event_id, f"no event {event_id}")


def require_venue(session: Session, venue_id: int) -> Venue:
    return _require(session, Venue, venue_id, f"no venue {venue_id}")


def require_order(session: Session, order_id: int) -> Order:
    return _require(session, Order, order_id, f"no order {order_id}")


def require_ticket(session: Session, ticket_id: str, *, for_update: bool = False) -> Ticket:
    """``for_update``: lock the row for this transaction, so a decision about the
    ticket's status (refund, transfer) is made on what no one else can change."""
    return _require(session, Ticket, ticket_id, f"no ticket {ticket_id}", for_update=for_update)


def require_device(session: Session, device_id: str) -> Device:
    return _require(session, Device, device_id, f"no kiosk {device_id}; GET /devices lists them")
