"""Orders and tickets: issue (single and bulk), look up, QR images, transfer, refund."""

from __future__ import annotations

import base64
import io

import segno
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.server import issuing
from sync.server.errors import Gone, Invalid
from sync.server.lookups import require_event, require_order, require_ticket
from sync.server.models import Order, Ticket
from sync.server.schemas import OrderDetail, OrderIn, OrderOut, TicketOut, TicketQR
from sync.server.state import ServerState

MAX_TICKETS_PER_ORDER = 100_000


def qr_png(code: str, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    segno.make_qr(code, error="m", boost_error=False).save(
        buffer, kind="png", scale=scale, border=4
    )
    return buffer.getvalue()


def _count(session: Session, order_id: int) -> int:
    return (
        session.scalar(select(func.count()).select_from(Ticket).where(Ticket.order_id == order_id))
        or 0
    )


def create_order(state: ServerState, body: OrderIn) -> OrderDetail:
    """Issue an order's tickets: one item per seat or holder, or ``quantity`` for bulk."""
    total = sum(item.quantity for item in body.items)
    if total > MAX_TICKETS_PER_ORDER:
        raise Invalid(f"at most {MAX_TICKETS_PER_ORDER} tickets per order; split it")
    if any(item.seat_id is not None and item.quantity != 1 for item in body.items):
        raise Invalid("an item with a seat_id is one ticket: quantity must be 1")
    with state.db.write() as session:
        event = require_event(session, body.event_id)
        order = Order(event_id=event.id, buyer_name=body.buyer_name, buyer_email=body.buyer_email)
        session.add(order)
        session.flush()
        requests = [
            issuing.TicketRequest(item.ticket_type, item.holder_name, item.seat_id, item.accessible)
            for item in body.items
            for _ in range(item.quantity)
        ]
        tickets = issuing.issue_tickets(
            session,
            event=event,
            order_id=order.id,
            requests=requests,
            key_cache=state.private_keys,
        )
        session.flush()
        detail = OrderDetail.model_validate(order)
        return detail.model_copy(
            update={
                "ticket_count": len(tickets),
                "tickets": [TicketOut.model_validate(t) for t in tickets],
            }
        )


def list_orders(
    state: ServerState, *, event_id: int | None, limit: int, offset: int
) -> list[OrderOut]:
    with state.db.read() as session:
        query = select(Order).order_by(Order.id).limit(limit).offset(offset)
        if event_id is not None:
            query = query.where(Order.event_id == event_id)
        return [
            OrderOut.model_validate(o).model_copy(update={"ticket_count": _count(session, o.id)})
            for o in session.scalars(query)
        ]


def get_order(state: ServerState, order_id: int) -> OrderDetail:
    with state.db.read() as session:
        order = require_order(session, order_id)
        tickets = list(session.scalars(select(Ticket).where(Ticket.order_id == order_id)))
        return OrderDetail.model_validate(order).model_copy(
            update={
                "ticket_count": len(tickets),
                "tickets": [TicketOut.model_validate(t) for t in tickets],
            }
        )


def order_tickets(state: ServerState, order_id: int, *, limit: int, offset: int) -> list[TicketQR]:
    """The order's live tickets with their QR images (PNG, base64), a page at a time:
    each image costs a millisecond or two of CPU, and a bulk order of 10,000 drawn
    at once would hold up every kiosk syncing with this process."""
    with state.db.read() as session:
        require_order(session, order_id)
        tickets = session.scalars(
            select(Ticket)
            .where(Ticket.order_id == order_id, Ticket.status == "valid")
            .order_by(Ticket.ticket_id)
            .limit(limit)
            .offset(offset)
        )
        return [
            TicketQR(
                ticket_id=t.ticket_id,
                holder_name=t.holder_name,
                code=t.code,
                qr_png_base64=base64.b64encode(qr_png(t.code)).decode("ascii"),
            )
            for t in tickets
        ]


def get_ticket(state: ServerState, ticket_id: str) -> TicketOut:
    with state.db.read() as session:
        return TicketOut.model_validate(require_ticket(session, ticket_id))


def ticket_png(state: ServerState, ticket_id: str) -> bytes:
    """A live ticket's QR code as a PNG; a void ticket's code is :class:`Gone`."""
    with state.db.read() as session:
        ticket = require_ticket(session, ticket_id)
        if ticket.status != "valid":
            raise Gone(f"ticket {ticket_id} is {ticket.status}; its code is void")
        return qr_png(ticket.code, scale=8)


def transfer_ticket(state: ServerState, ticket_id: str, holder_name: str) -> TicketOut:
    """Revoke this code and issue a new one to the new holder (returned)."""
    with state.db.write() as session:
        ticket = require_ticket(session, ticket_id, for_update=True)
        new = issuing.transfer(session, ticket, holder_name, state.private_keys)
        session.flush()
        return TicketOut.model_validate(new)


def refund_ticket(state: ServerState, ticket_id: str, reason: str = "refunded") -> TicketOut:
    """Revoke the ticket (refunded, or blocked); kiosks reject it after their next pull."""
    with state.db.write() as session:
        ticket = require_ticket(session, ticket_id, for_update=True)
        issuing.revoke(session, ticket, reason)
        session.flush()
        return TicketOut.model_validate(ticket)
