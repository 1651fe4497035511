"""Issuing orders, finding tickets, a ticket's page and what box office does to it."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from sync.server.console.context import (
    SignedIn,
    field_errors,
    form,
    go,
    language,
    no_store,
    render,
    require,
)
from sync.server.console.event_page import ORGANISER, render_event_page
from sync.server.console.forms import order_in
from sync.server.deps import IdPath, State, TicketIdPath
from sync.server.errors import Gone, Invalid, ServiceError
from sync.server.schemas import OrderItemIn
from sync.server.services import catalog, delivery, guest, orders, outbox, sales
from sync.server.services.accounts import Action, ConsoleUser
from sync.server.state import ServerState

router = APIRouter()


@router.post("/events/{event_id}/orders", response_class=HTMLResponse)
async def issue_order(
    event_id: IdPath,
    request: Request,
    state: State,
    user: SignedIn,
    first: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> Response:
    """Issue an order.  The page's script sends a bulk order in parts: this call with
    ``first`` (how many to issue now) answers JSON with the order's number, and
    ``/orders/{id}/more`` issues the rest part by part, so the person sees progress.
    Without the script, one post issues everything."""
    require(user, Action.SELL)
    fields = await form(request, user)
    try:
        body = order_in(fields, event_id, quantity=first)
        order = await run_in_threadpool(
            partial(orders.create_order, state, body, in_parts=first is not None)
        )
    except (ValidationError, ServiceError) as exc:
        if first is not None:
            return JSONResponse({"error": _one_line(exc)}, status_code=422)
        errors = field_errors(exc)
        errors = {("quantity" if k == "items" else k): v for k, v in errors.items()}
        return await run_in_threadpool(
            lambda: render_event_page(
                request, state, user, event_id, order_errors=errors, order_values=fields
            )
        )
    if first is not None:
        return JSONResponse({"order_id": order.id, "issued": order.ticket_count})
    return go(f"/orders/{order.id}")


@router.post("/orders/{order_id}/more")
async def issue_more(
    order_id: IdPath,
    request: Request,
    state: State,
    user: SignedIn,
) -> Response:
    require(user, Action.SELL)
    fields = await form(request, user)
    try:
        item = OrderItemIn.model_validate(
            {
                "ticket_type": fields.get("ticket_type", ""),
                "quantity": fields.get("quantity", "") or 0,
                "holder_name": fields.get("holder_name", ""),
            }
        )
        issued = await run_in_threadpool(orders.add_to_order, state, order_id, [item])
    except (ValidationError, ServiceError) as exc:
        return JSONResponse({"error": _one_line(exc)}, status_code=422)
    return JSONResponse({"order_id": order_id, "issued": issued})


def _one_line(error: Exception) -> str:
    return "; ".join(f"{k or 'order'}: {v}" for k, v in field_errors(error).items())


def _order_page(
    request: Request,
    state: ServerState,
    user: ConsoleUser,
    order_id: int,
    *,
    status: int = 200,
    problem: str = "",
) -> Response:
    order = orders.get_order(state, order_id)
    event = catalog.get_event(state, ORGANISER, order.event_id)
    mails = outbox.order_mail(state, order_id)
    return no_store(
        render(
            request,
            user,
            "order.html",
            status=status,
            order=order,
            event=event,
            mails=mails,
            mail_configured=bool(state.config.mail_host),
            problem=problem,
        )
    )


@router.get("/orders/{order_id}", response_class=HTMLResponse)
def order_page(order_id: IdPath, request: Request, state: State, user: SignedIn) -> Response:
    return _order_page(request, state, user, order_id)


@router.post("/orders/{order_id}/paid", response_class=HTMLResponse)
async def mark_paid(order_id: IdPath, request: Request, state: State, user: SignedIn) -> Response:
    """The money for a pending order arrived (at the desk, by bank): its tickets are
    issued and mailed.  A lapsed order says so and what to do instead."""
    require(user, Action.SELL)
    await form(request, user)
    try:
        await run_in_threadpool(sales.mark_paid, state, order_id)
    except ServiceError as exc:
        code, message = (410 if isinstance(exc, Gone) else 409), str(exc)
        return await run_in_threadpool(
            lambda: _order_page(request, state, user, order_id, status=code, problem=message)
        )
    return go(f"/orders/{order_id}")


@router.post("/orders/{order_id}/resend")
async def resend_confirmation(
    order_id: IdPath, request: Request, state: State, user: SignedIn
) -> Response:
    """Queue the order's confirmation again (a mail that failed, a guest who lost it),
    in the console's language."""
    require(user, Action.SELL)
    await form(request, user)
    await run_in_threadpool(outbox.resend, state, order_id, language(request))
    return go(f"/orders/{order_id}")


@router.get("/events/{event_id}/tickets", response_class=HTMLResponse)
def search_page(
    event_id: IdPath,
    request: Request,
    state: State,
    user: SignedIn,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    event = catalog.get_event(state, ORGANISER, event_id)
    hits = orders.search_tickets(state, event_id, q)
    return no_store(render(request, user, "search.html", event=event, q=q, hits=hits))


@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_page(
    ticket_id: TicketIdPath, request: Request, state: State, user: SignedIn
) -> Response:
    detail = orders.ticket_detail(state, ticket_id)
    event = catalog.get_event(state, ORGANISER, detail.ticket.event_id)
    error = request.query_params.get("error", "")[:300]
    page = f"/t/{guest.page_token(state, ticket_id)}" if user.may(Action.SELL) else ""
    return no_store(
        render(
            request,
            user,
            "ticket.html",
            detail=detail,
            event=event,
            error=error,
            guest_page=page,
            wallet_problems=guest.wallet_problems(state),
        )
    )


@router.post("/tickets/{ticket_id}/{action}", response_class=HTMLResponse)
async def act_on_ticket(
    ticket_id: TicketIdPath, action: str, request: Request, state: State, user: SignedIn
) -> Response:
    """Refund, block (both revoke the code: kiosks reject it after their next pull) or
    transfer (a new code for the new holder; the old one is revoked)."""
    require(user, Action.SELL)
    fields = await form(request, user)
    try:
        note = fields.get("note", "").strip()
        if len(note) > 200:
            raise Invalid("a reason is at most 200 characters")
        if action in ("refund", "block"):
            if not note:
                raise Invalid("say why (the reason stays with the ticket)")
            status = "refunded" if action == "refund" else "blocked"
            await run_in_threadpool(orders.refund_ticket, state, ticket_id, status, note)
            return go(f"/tickets/{ticket_id}")
        if action == "transfer":
            holder = fields.get("holder_name", "").strip()
            if not holder or len(holder) > 200:
                raise Invalid("give the new holder's name (at most 200 characters)")
            new = await run_in_threadpool(orders.transfer_ticket, state, ticket_id, holder, note)
            return go(f"/tickets/{new.ticket_id}")
        raise Invalid(f"no such action {action!r}")
    except ServiceError as exc:
        detail = await run_in_threadpool(orders.ticket_detail, state, ticket_id)
        event = await run_in_threadpool(catalog.get_event, state, ORGANISER, detail.ticket.event_id)
        return render(
            request, user, "ticket.html", status=409, detail=detail, event=event, error=str(exc)
        )


@router.get("/tickets/{ticket_id}/qr.png")
def ticket_png(ticket_id: TicketIdPath, state: State, user: SignedIn) -> Response:
    png = orders.ticket_png(state, ticket_id)
    return Response(
        png,
        media_type="image/png",
        headers={
            "Content-Disposition": f'attachment; filename="ticket-{ticket_id}.png"',
            "Cache-Control": "no-store",
        },
    )


def _pdf_download(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/tickets/{ticket_id}/ticket.pdf")
async def ticket_pdf(
    ticket_id: TicketIdPath, request: Request, state: State, user: SignedIn
) -> Response:
    """The printable ticket, in the console's language (box office and owners: a
    door viewer has no business carrying codes away)."""
    user.require(Action.SELL)
    content = await run_in_threadpool(delivery.ticket_pdf, state, ticket_id, language(request))
    return _pdf_download(content, f"ticket-{ticket_id}.pdf")


@router.get("/orders/{order_id}/tickets.pdf")
async def order_pdf(order_id: IdPath, request: Request, state: State, user: SignedIn) -> Response:
    """The order's live tickets, a printable page each, in the console's language."""
    user.require(Action.SELL)
    content = await run_in_threadpool(delivery.order_pdf, state, order_id, language(request))
    return _pdf_download(content, f"order-{order_id}-tickets.pdf")
