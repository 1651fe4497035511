"""Orders and tickets: issue (single and bulk), look up, QR images, transfer, refund.

Thin: each route hands over to ``services.orders``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from sync.server.deps import Admin, IdPath, State, TicketIdPath
from sync.server.schemas import (
    DoorSaleIn,
    DoorSaleOut,
    OrderDetail,
    OrderIn,
    OrderOut,
    PurchaseOut,
    RefundIn,
    SalesOut,
    SalesRowOut,
    TicketOut,
    TicketQR,
    TransferIn,
)
from sync.server.services import delivery, orders, sales, sales_report

router = APIRouter()


@router.post("/orders", response_model=OrderDetail, status_code=201, tags=["orders"])
def create_order(body: OrderIn, state: State, _: Admin) -> OrderDetail:
    """Issue an order's tickets: one item per seat or holder, or ``quantity`` for bulk."""
    return orders.create_order(state, body)


@router.post("/orders/{order_id}/payment", response_model=PurchaseOut, tags=["orders"])
def mark_paid(order_id: IdPath, state: State, _: Admin) -> PurchaseOut:
    """The money for a pending order arrived (box office, bank transfer): its tickets
    are issued and mailed.  410 when it lapsed unpaid first."""
    return sales.mark_paid(state, order_id)


@router.post("/box-office/sales", response_model=DoorSaleOut, status_code=201, tags=["orders"])
def sell_at_door(body: DoorSaleIn, state: State, _: Admin) -> DoorSaleOut:
    """Sell at the door (money taken at the desk) and, with ``admit``, let the guests
    in at once through the same check path as the kiosks."""
    return sales.sell_at_door(state, body)


@router.get("/events/{event_id}/sales", response_model=SalesOut, tags=["reports"])
def sales_figures(event_id: IdPath, state: State, _: Admin) -> SalesOut:
    """Sold and revenue by day, type, section, channel and promo code; capacity used,
    orders awaiting payment, the waitlist's length."""
    figures = sales_report.report(state, event_id)
    return SalesOut(
        event_id=figures.event_id,
        currency=figures.currency,
        tickets=figures.tickets,
        revenue_cents=figures.revenue_cents,
        fees_cents=figures.fees_cents,
        capacity=figures.capacity,
        in_use=figures.in_use,
        waitlist=figures.waitlist,
        pending_orders=figures.pending_orders,
        by_day=figures.by("day"),
        by_type=figures.by("ticket_type"),
        by_section=figures.by("section"),
        by_channel=figures.by("channel"),
        by_promo_code=figures.by("promo_code"),
        rows=[SalesRowOut.model_validate(row, from_attributes=True) for row in figures.rows],
    )


@router.get(
    "/events/{event_id}/sales.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    tags=["reports"],
)
def sales_csv(event_id: IdPath, state: State, _: Admin) -> Response:
    return Response(
        sales_report.report_csv(state, event_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="sales-event-{event_id}.csv"'},
    )


@router.get("/orders", response_model=list[OrderOut], tags=["orders"])
def list_orders(
    state: State,
    _: Admin,
    event_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[OrderOut]:
    return orders.list_orders(state, event_id=event_id, limit=limit, offset=offset)


@router.get("/orders/{order_id}", response_model=OrderDetail, tags=["orders"])
def get_order(order_id: IdPath, state: State, _: Admin) -> OrderDetail:
    return orders.get_order(state, order_id)


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
    return orders.order_tickets(state, order_id, limit=limit, offset=offset)


Language = Annotated[str, Query(pattern="^(en|id)$", description="en or id")]


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get(
    "/orders/{order_id}/tickets.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    tags=["orders"],
)
def order_pdf(order_id: IdPath, state: State, _: Admin, lang: Language = "en") -> Response:
    """The order's live tickets, one printable page each (English or Indonesian)."""
    return _pdf(delivery.order_pdf(state, order_id, lang), f"order-{order_id}-tickets.pdf")


@router.get(
    "/tickets/{ticket_id}/ticket.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    tags=["tickets"],
)
def ticket_pdf(ticket_id: TicketIdPath, state: State, _: Admin, lang: Language = "en") -> Response:
    return _pdf(delivery.ticket_pdf(state, ticket_id, lang), f"ticket-{ticket_id}.pdf")


@router.get("/tickets/{ticket_id}", response_model=TicketOut, tags=["tickets"])
def get_ticket(ticket_id: TicketIdPath, state: State, _: Admin) -> TicketOut:
    return orders.get_ticket(state, ticket_id)


@router.get(
    "/tickets/{ticket_id}/qr.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
    tags=["tickets"],
)
def ticket_qr(ticket_id: TicketIdPath, state: State, _: Admin) -> Response:
    return Response(orders.ticket_png(state, ticket_id), media_type="image/png")


@router.post("/tickets/{ticket_id}/transfer", response_model=TicketOut, tags=["tickets"])
def transfer_ticket(ticket_id: TicketIdPath, body: TransferIn, state: State, _: Admin) -> TicketOut:
    """Revoke this code and issue a new one to the new holder (returned)."""
    return orders.transfer_ticket(state, ticket_id, body.holder_name)


@router.post("/tickets/{ticket_id}/refund", response_model=TicketOut, tags=["tickets"])
def refund_ticket(
    ticket_id: str, state: State, _: Admin, body: RefundIn | None = None
) -> TicketOut:
    """Revoke the ticket (refunded, or blocked); kiosks reject it after their next pull."""
    return orders.refund_ticket(state, ticket_id, body.reason if body else "refunded")
