"""Selling in the console: the sales figures (and their CSV), promo codes, a sale at
the box office (admitted at once), and marking an order paid."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from sync.server.console.context import (
    SignedIn,
    field_errors,
    form,
    go,
    no_store,
    render,
    require,
)
from sync.server.console.event_page import ORGANISER
from sync.server.console.forms import local_moment
from sync.server.deps import IdPath, State
from sync.server.errors import ServiceError
from sync.server.schemas import DoorSaleIn, DoorSaleOut, PromoCodeIn, TierPriceIn
from sync.server.services import catalog, prices, sales, sales_report
from sync.server.services.accounts import Action, ConsoleUser
from sync.server.state import ServerState

router = APIRouter()


def _sales_page(
    request: Request,
    state: ServerState,
    user: ConsoleUser,
    event_id: int,
    *,
    status: int = 200,
    promo_errors: dict[str, str] | None = None,
    promo_values: dict[str, str] | None = None,
    sale_errors: dict[str, str] | None = None,
    sale_values: dict[str, str] | None = None,
    sold: DoorSaleOut | None = None,
    tier_errors: dict[str, str] | None = None,
    tier_values: dict[str, str] | None = None,
) -> Response:
    event = catalog.get_event(state, ORGANISER, event_id)
    figures = sales_report.report(state, event_id)
    types = catalog.list_ticket_types(state, ORGANISER, event_id)
    return no_store(
        render(
            request,
            user,
            "sales.html",
            status=status,
            event=event,
            figures=figures,
            types=types,
            promos=prices.promos(state, event_id),
            tier_prices=prices.tier_prices(state, event_id),
            tiers=prices.venue_tiers(state, event_id),
            tier_errors=tier_errors or {},
            tier_values=tier_values or {},
            promo_errors=promo_errors or {},
            promo_values=promo_values or {},
            sale_errors=sale_errors or {},
            sale_values=sale_values or {},
            sold=sold,
        )
    )


@router.get("/events/{event_id}/sales", response_class=HTMLResponse)
def sales_page(event_id: IdPath, request: Request, state: State, user: SignedIn) -> Response:
    return _sales_page(request, state, user, event_id)


@router.get("/events/{event_id}/sales.csv")
def sales_csv(event_id: IdPath, state: State, user: SignedIn) -> Response:
    user.require(Action.SELL)
    return no_store(
        Response(
            sales_report.report_csv(state, event_id),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="sales-event-{event_id}.csv"'},
        )
    )


@router.post("/events/{event_id}/promo-codes", response_class=HTMLResponse)
async def create_promo(
    event_id: IdPath, request: Request, state: State, user: SignedIn
) -> Response:
    require(user, Action.SET_UP)
    fields = await form(request, user)
    try:
        zone = (await run_in_threadpool(catalog.get_event, state, ORGANISER, event_id)).timezone
        body = PromoCodeIn.model_validate(
            {
                "code": fields.get("code", ""),
                "kind": fields.get("kind", "percent"),
                "amount": fields.get("amount", "") or 0,
                "ticket_type": fields.get("ticket_type") or None,
                "max_uses": fields.get("max_uses", "") or 0,
                "valid_until": local_moment(fields.get("valid_until", ""), zone),
            }
        )
        await run_in_threadpool(prices.create_promo, state, event_id, body)
    except (ValidationError, ServiceError) as exc:
        errors = field_errors(exc)
        return await run_in_threadpool(
            lambda: _sales_page(
                request,
                state,
                user,
                event_id,
                status=422,
                promo_errors=errors,
                promo_values=fields,
            )
        )
    return go(f"/events/{event_id}/sales#promo-codes")


@router.post("/events/{event_id}/tier-prices", response_class=HTMLResponse)
async def set_tier_price(
    event_id: IdPath, request: Request, state: State, user: SignedIn
) -> Response:
    """A type's price in one pricing tier of the venue (set again to change it)."""
    require(user, Action.SET_UP)
    fields = await form(request, user)
    try:
        body = TierPriceIn.model_validate(
            {
                "tier": fields.get("tier", ""),
                "ticket_type": fields.get("ticket_type", ""),
                "price_cents": fields.get("price_cents", ""),
            }
        )
        await run_in_threadpool(prices.set_tier_price, state, event_id, body)
    except (ValidationError, ServiceError) as exc:
        errors = field_errors(exc)
        return await run_in_threadpool(
            lambda: _sales_page(
                request, state, user, event_id, status=422, tier_errors=errors, tier_values=fields
            )
        )
    return go(f"/events/{event_id}/sales#tier-prices")


@router.post("/events/{event_id}/box-office", response_class=HTMLResponse)
async def sell_at_door(
    event_id: IdPath, request: Request, state: State, user: SignedIn
) -> Response:
    """Sell at the desk; the guests are admitted at once unless the box is unticked."""
    require(user, Action.SELL)
    fields = await form(request, user)
    try:
        seat = fields.get("seat_id", "").strip()
        body = DoorSaleIn.model_validate(
            {
                "event_id": event_id,
                "items": [
                    {
                        "ticket_type": fields.get("ticket_type", ""),
                        "quantity": 1 if seat else (fields.get("quantity", "") or 1),
                        "seat_id": seat or None,
                    }
                ],
                "buyer_name": fields.get("buyer_name", "") or "Box office",
                "buyer_email": fields.get("buyer_email", ""),
                "payment": fields.get("payment", "cash"),
                "admit": fields.get("admit") == "yes",
            }
        )
        sold = await run_in_threadpool(sales.sell_at_door, state, body)
    except (ValidationError, ServiceError) as exc:
        errors = field_errors(exc)
        errors = {("quantity" if k == "items" else k): v for k, v in errors.items()}
        return await run_in_threadpool(
            lambda: _sales_page(
                request, state, user, event_id, status=422, sale_errors=errors, sale_values=fields
            )
        )
    return await run_in_threadpool(
        lambda: _sales_page(request, state, user, event_id, status=201, sold=sold)
    )
