"""The public shop's pages: ``/shop``.  No login, no cookies but the waiting room's
signed queue ticket; as thin as the console's pages (services only).

Every page works without JavaScript (forms and links); ``shop.js`` only counts the
hold's time down and refreshes the waiting room's place.  The seat map is a form of
checkboxes, one per seat, so a keyboard (Tab, Space) and a screen reader choose seats
as well as a mouse or a finger does.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from sync.server.deps import State
from sync.server.errors import Forbidden, Gone, Invalid, NotFound, ServiceError
from sync.server.pricing import money
from sync.server.schemas import (
    HoldIn,
    HoldItemIn,
    PurchaseIn,
    QuoteIn,
    WaitlistIn,
)
from sync.server.services import sales, shop, waiting_room, waitlist
from sync.server.state import ServerState

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
router = APIRouter(prefix="/shop", include_in_schema=False)
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["money"] = lambda cents, currency: money(int(cents), currency)
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin"}
MAX_FORM = 16_384
QUEUE_COOKIE = "admitone-queue-{event}"


def mount(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/shop/static", StaticFiles(directory=HERE / "static"), name="shop-static")


def _local(moment: Any, zone: str) -> str:
    if moment is None:
        return ""
    return str(moment.astimezone(ZoneInfo(zone)).strftime("%a %d %b %Y, %H:%M"))


templates.env.filters["local"] = _local


def _render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = templates.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _status_of(exc: ServiceError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Gone):
        return 410
    if isinstance(exc, Invalid):
        return 422
    if isinstance(exc, Forbidden):
        return 403
    return 409


async def _form(request: Request) -> dict[str, list[str]] | None:
    body = await request.body()
    if len(body) > MAX_FORM:
        return None
    return parse_qs(body.decode("utf-8", "replace"))


def _one(fields: dict[str, list[str]], name: str, limit: int = 320) -> str:
    return (fields.get(name) or [""])[0].strip()[:limit]


# --- the event list and an event's page ---------------------------------------------------


@router.get("", response_class=HTMLResponse)
async def events(state: State) -> Response:
    offers = await run_in_threadpool(shop.public_events, state)
    return _render("events.html", offers=offers)


def _event_page(
    state: ServerState,
    request: Request,
    event_id: int,
    *,
    status: int = 200,
    error: str = "",
    chosen: set[int] | None = None,
) -> Response:
    try:
        offer = shop.event_offer(state, event_id)
    except ServiceError:
        return _render("message.html", 404, title="Not on sale", text="This event is not on sale.")
    ticket = request.cookies.get(QUEUE_COOKIE.format(event=event_id), "")
    place = None
    if offer.shop_limit and not offer.sold_out:  # sold out: the waitlist, no queue
        try:
            place = waiting_room.status(state, ticket) if ticket else None
        except ServiceError:
            place = None
        if place is None or place.status != "admitted":
            return RedirectResponse(f"/shop/events/{event_id}/queue", status_code=303)
    seat_map = shop.public_seat_map(state, event_id) if offer.seated else None
    return _render(
        "event.html",
        status,
        offer=offer,
        seat_map=seat_map,
        error=error,
        chosen=chosen or set(),
        place=place,
    )


@router.get("/events/{event_id}", response_class=HTMLResponse)
async def event_page(event_id: int, request: Request, state: State) -> Response:
    return await run_in_threadpool(_event_page, state, request, event_id)


@router.post("/events/{event_id}/hold")
async def hold(event_id: int, request: Request, state: State) -> Response:
    fields = await _form(request)
    if fields is None:
        return Response("form too large", status_code=413)
    items: list[HoldItemIn] = []
    chosen: set[int] = set()
    try:
        seat_type = _one(fields, "seat_type", 16)
        for raw in fields.get("seat", [])[:20]:
            chosen.add(int(raw))
            items.append(HoldItemIn(ticket_type=seat_type, seat_id=int(raw)))
        for name, values in fields.items():
            if name.startswith("qty-") and values and values[0].strip() not in ("", "0"):
                items.append(HoldItemIn(ticket_type=name[4:20], quantity=int(values[0])))
    except ValueError:
        return await run_in_threadpool(
            lambda: _event_page(
                state, request, event_id, status=422, error="Choose seats or a number of tickets."
            )
        )
    if not items:
        return await run_in_threadpool(
            lambda: _event_page(
                state, request, event_id, status=422, error="Choose at least one seat or ticket."
            )
        )
    ticket = request.cookies.get(QUEUE_COOKIE.format(event=event_id), "")
    try:
        body = HoldIn(event_id=event_id, items=items, queue_ticket=ticket)
        held = await run_in_threadpool(sales.hold, state, body)
    except (ServiceError, ValueError) as exc:
        message = str(exc) if isinstance(exc, ServiceError) else "At most 20 tickets at once."
        code = _status_of(exc) if isinstance(exc, ServiceError) else 422
        return await run_in_threadpool(
            lambda: _event_page(state, request, event_id, status=code, error=message, chosen=chosen)
        )
    return RedirectResponse(f"/shop/holds/{held.hold_id}", status_code=303)


# --- checkout ------------------------------------------------------------------------------


def _checkout(
    state: ServerState,
    hold_id: str,
    *,
    status: int = 200,
    promo: str = "",
    error: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    try:
        event_id, expires_at, held_status, items = shop.held_items(state, hold_id)
        offer = shop.event_offer(state, event_id)
    except ServiceError:
        return _render(
            "message.html", 404, title="No such hold", text="Choose your seats again.", back="/shop"
        )
    if held_status != "active":
        return _render(
            "expired.html",
            410 if held_status == "expired" else 409,
            offer=offer,
            bought=held_status != "expired",
        )
    try:
        quoted = sales.quote(state, QuoteIn(hold_id=hold_id, promo_code=promo))
    except Gone:
        return _render("expired.html", 410, offer=offer, bought=False)
    return _render(
        "checkout.html",
        status,
        offer=offer,
        hold_id=hold_id,
        expires_at=expires_at,
        quote=quoted,
        promo=promo,
        error=error or quoted.promo_problem or "",
        values=values or {},
        count=len(items),
        seconds_left=max(0, int((expires_at - datetime.now(UTC)).total_seconds())),
        labels={
            "free": "Free",
            "box_office": "Pay at the box office",
            "bank_transfer": "Bank transfer",
        },
    )


@router.get("/holds/{hold_id}", response_class=HTMLResponse)
async def checkout(hold_id: str, state: State, promo: str = "") -> Response:
    return await run_in_threadpool(lambda: _checkout(state, hold_id[:40], promo=promo[:32]))


@router.post("/holds/{hold_id}")
async def buy(hold_id: str, request: Request, state: State) -> Response:
    fields = await _form(request)
    if fields is None:
        return Response("form too large", status_code=413)
    hold_id = hold_id[:40]
    promo = _one(fields, "promo", 32)
    values = {k: _one(fields, k, 200) for k in fields}
    if _one(fields, "action") == "apply":
        return await run_in_threadpool(
            lambda: _checkout(state, hold_id, promo=promo, values=values)
        )
    attendees = [_one(fields, f"attendee-{n}", 200) for n in range(20)]
    try:
        body = PurchaseIn(
            hold_id=hold_id,
            buyer_name=_one(fields, "name", 200),
            buyer_email=_one(fields, "email"),
            attendees=attendees,
            payment_method=_one(fields, "payment", 20) or "free",
            promo_code=promo,
        )
        if "@" not in body.buyer_email:
            raise Invalid("give your e-mail address: your tickets are sent there")
        bought = await run_in_threadpool(sales.purchase, state, body)
    except ServiceError as exc:
        code, message = _status_of(exc), str(exc)
        return await run_in_threadpool(
            lambda: _checkout(
                state, hold_id, status=code, promo=promo, error=message, values=values
            )
        )
    except ValueError:
        return await run_in_threadpool(
            lambda: _checkout(
                state,
                hold_id,
                status=422,
                promo=promo,
                error="Give your name and e-mail address.",
                values=values,
            )
        )
    response = RedirectResponse(f"/shop/orders/{bought.reference}", status_code=303)
    event_id = shop.held_items(state, hold_id)[0]
    ticket = request.cookies.get(QUEUE_COOKIE.format(event=event_id), "")
    if ticket:  # bought: the place in the shop goes to the next in the queue
        with contextlib.suppress(ServiceError):  # a lapsed place: nothing to give up
            await run_in_threadpool(waiting_room.leave, state, ticket)
        response.delete_cookie(QUEUE_COOKIE.format(event=event_id), path="/shop")
    return response


@router.get("/orders/{reference}", response_class=HTMLResponse)
async def order_page(reference: str, state: State) -> Response:
    try:
        order, event = await run_in_threadpool(sales.order_page, state, reference[:32])
        links = await run_in_threadpool(
            shop.ticket_links, state, [t.ticket_id for t in order.tickets]
        )
    except ServiceError:
        return _render("message.html", 404, title="No such order", text="Check the reference.")
    return _render("order.html", order=order, event=event, links=links)


# --- the waiting room --------------------------------------------------------------------


@router.get("/events/{event_id}/queue", response_class=HTMLResponse)
async def queue_page(event_id: int, request: Request, state: State) -> Response:
    ticket = request.cookies.get(QUEUE_COOKIE.format(event=event_id), "")
    try:
        offer = await run_in_threadpool(shop.event_offer, state, event_id)
    except ServiceError:
        return _render("message.html", 404, title="Not on sale", text="This event is not on sale.")
    place = None
    if ticket:
        try:
            place = await run_in_threadpool(waiting_room.status, state, ticket)
        except ServiceError:  # a forged or foreign ticket: join again
            place = None
    refresh = waiting_room.refresh_seconds(place.estimated_wait_seconds) if place else 5
    return _render("queue.html", offer=offer, place=place, refresh=refresh)


@router.post("/events/{event_id}/queue")
async def join_queue(event_id: int, state: State) -> Response:
    try:
        place = await run_in_threadpool(waiting_room.join, state, event_id)
    except ServiceError:
        return RedirectResponse(f"/shop/events/{event_id}", status_code=303)
    response = RedirectResponse(f"/shop/events/{event_id}/queue", status_code=303)
    response.set_cookie(
        QUEUE_COOKIE.format(event=event_id),
        place.queue_ticket,
        max_age=24 * 3600,
        path="/shop",
        httponly=True,
        samesite="lax",
        secure=request_is_secure(state),
    )
    return response


def request_is_secure(state: ServerState) -> bool:
    return state.config.public_url.startswith("https://")


# --- the waitlist ------------------------------------------------------------------------


@router.post("/events/{event_id}/waitlist")
async def join_waitlist(event_id: int, request: Request, state: State) -> Response:
    fields = await _form(request)
    if fields is None:
        return Response("form too large", status_code=413)
    try:
        body = WaitlistIn(
            event_id=event_id,
            ticket_type=_one(fields, "ticket_type", 16),
            email=_one(fields, "email"),
            name=_one(fields, "name", 200),
            quantity=int(_one(fields, "quantity", 3) or "1"),
        )
        place = await run_in_threadpool(waitlist.join, state, body)
    except (ServiceError, ValueError) as exc:
        message = str(exc) if isinstance(exc, ServiceError) else "Give your e-mail address."
        return await run_in_threadpool(
            lambda: _event_page(state, request, event_id, status=422, error=message)
        )
    return RedirectResponse(f"/shop/waitlist/{quote(place.token)}", status_code=303)


@router.get("/waitlist/{token}", response_class=HTMLResponse)
async def waitlist_page(token: str, state: State) -> Response:
    try:
        place = await run_in_threadpool(waitlist.status, state, token[:100])
        offer = await run_in_threadpool(shop.event_offer, state, place.event_id)
    except ServiceError:
        return _render("message.html", 404, title="No such place", text="Check the link.")
    return _render("waitlist.html", place=place, offer=offer)
