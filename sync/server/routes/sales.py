"""Orders and tickets: issue (single and bulk), look up, QR images, transfer, refund."""

from __future__ import annotations

import base64
import io
from typing import Annotated

import segno
from fastapi import APIRouter, HTTPException, Query, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.server import issuing
from sync.server.auth import Admin
from sync.server.lookups import get_event_or_404
from sync.server.models import Order, Ticket
from sync.server.schemas import (
    IdPath,
    OrderDetail,
    OrderIn,
    OrderOut,
    RefundIn,
    TicketIdPath,
    TicketOut,
    TicketQR,
    TransferIn,
)
from sync.server.state import State

router = APIRouter()
MAX_TICKETS_PER_ORDER = 100_000


def qr_png(code: str, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    segno.make_qr(code, error="m", boost_error=False).save(
        buffer, kind="png", scale=scale, border=4
    )
    return buffer.getvalue()


def _ticket_or_404(session: Session, ticket_id: str, *, for_update: bool = False) -> Ticket:
    """``for_update``: lock the row for this transaction, so a decision about the
    ticket's status (refund, transfer) is made on what no one else can change."""
    ticket = session.get(Ticket, ticket_id, with_for_update=for_update)
    if ticket is None:
        raise HTTPException(404, f"no ticket {ticket_id}")
    return ticket


def _order_or_404(session: Session, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise HTTPException(404, f"no order {order_id}")
    return order


def _count(session: Session, order_id: int) -> int:
    return (
        session.scalar(select(func.count()).select_from(Ticket).where(Ticket.order_id == order_id))
        or 0
    )


@router.post("/orders", response_model=OrderDetail, status_code=201, tags=["orders"])
def create_order(body: OrderIn, state: State, _: Admin) -> OrderDetail:
    """Issue an order's tickets: one item per seat or holder, or ``quantity`` for bulk."""
    total = sum(item.quantity for item in body.items)
    if total > MAX_TICKETS_PER_ORDER:
        raise HTTPException(422, f"at most {MAX_TICKETS_PER_ORDER} tickets per order; split it")
    if any(item.seat_id is not None and item.quantity != 1 for item in body.items):
        raise HTTPException(422, "an item with a seat_id is one ticket: quantity must be 1")
    with state.db.write() as session:
        event = get_event_or_404(session, body.event_id)
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


@router.get("/orders", response_model=list[OrderOut], tags=["orders"])
def list_orders(
    state: State,
    _: Admin,
    event_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[OrderOut]:
    with state.db.read() as session:
        query = select(Order).order_by(Order.id).limit(limit).offset(offset)
        if event_id is not None:
            query = query.where(Order.event_id == event_id)
        return [
            OrderOut.model_validate(o).model_copy(update={"ticket_count": _count(session, o.id)})
            for o in session.scalars(query)
        ]


@router.get("/orders/{order_id}", response_model=OrderDetail, tags=["orders"])
def get_order(order_id: IdPath, state: State, _: Admin) -> OrderDetail:
    with state.db.read() as session:
        order = _order_or_404(session, order_id)
        tickets = list(session.scalars(select(Ticket).where(Ticket.order_id == order_id)))
        return OrderDetail.model_validate(order).model_copy(
            update={
                "ticket_count": len(tickets),
                "tickets": [TicketOut.model_validate(t) for t in tickets],
            }
        )


@router.get("/orders/{order_id}/tickets", response_model=list[TicketQR], tags=["orders"])
def order_tickets(
    order_id: IdPath,
    state: State,
    _: Admin,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[TicketQR]:
    """The order's live tickets with their QR images (PNG, base64), a page at a time:
    each image costs a millisecond or two of CPU, and a bulk order of 10,000 drawn
    in one request would hold up every kiosk syncing with this process.  Ask for
    the next ``offset`` until a page comes back shorter than ``limit``."""
    with state.db.read() as session:
        _order_or_404(session, order_id)
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


@router.get("/tickets/{ticket_id}", response_model=TicketOut, tags=["tickets"])
def get_ticket(ticket_id: TicketIdPath, state: State, _: Admin) -> TicketOut:
    with state.db.read() as session:
        return TicketOut.model_validate(_ticket_or_404(session, ticket_id))


@router.get(
    "/tickets/{ticket_id}/qr.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
    tags=["tickets"],
)
def ticket_qr(ticket_id: TicketIdPath, state: State, _: Admin) -> Response:
    with state.db.read() as session:
        ticket = _ticket_or_404(session, ticket_id)
        if ticket.status != "valid":
            raise HTTPException(410, f"ticket {ticket_id} is {ticket.status}; its code is void")
        return Response(qr_png(ticket.code, scale=8), media_type="image/png")


@router.post("/tickets/{ticket_id}/transfer", response_model=TicketOut, tags=["tickets"])
def transfer_ticket(ticket_id: TicketIdPath, body: TransferIn, state: State, _: Admin) -> TicketOut:
    """Revoke this code and issue a new one to the new holder (returned)."""
    with state.db.write() as session:
        ticket = _ticket_or_404(session, ticket_id, for_update=True)
        new = issuing.transfer(session, ticket, body.holder_name, state.private_keys)
        session.flush()
        return TicketOut.model_validate(new)


@router.post("/tickets/{ticket_id}/refund", response_model=TicketOut, tags=["tickets"])
def refund_ticket(
    ticket_id: str, state: State, _: Admin, body: RefundIn | None = None
) -> TicketOut:
    """Revoke the ticket (refunded, or blocked); kiosks reject it after their next pull."""
    with state.db.write() as session:
        ticket = _ticket_or_404(session, ticket_id, for_update=True)
        issuing.revoke(session, ticket, body.reason if body else "refunded")
        session.flush()
        return TicketOut.model_validate(ticket)
