"""Events, their ticket types, venues with sections and seats, and the seat map."""

from __future__ import annotations

from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from sync.server.console.context import SignedIn, field_errors, form, go, render, require
from sync.server.console.event_page import ORGANISER, render_event_page
from sync.server.console.forms import (
    event_in,
    local_input,
    section_in,
    ticket_type_in,
    venue_in,
)
from sync.server.console.seatmap import seat_map_svg
from sync.server.deps import IdPath, State
from sync.server.errors import ServiceError
from sync.server.schemas import EventChange, EventOut
from sync.server.services import catalog
from sync.server.services.accounts import Action, ConsoleUser

router = APIRouter()
ZONES = sorted(available_timezones())


def _event_form_values(event: EventOut | None, fields: dict[str, str] | None) -> dict[str, str]:
    if fields is not None:
        return fields
    if event is None:
        return {"timezone": "Asia/Jakarta"}
    zone = event.timezone
    return {
        "name": event.name,
        "venue_id": str(event.venue_id or ""),
        "timezone": zone,
        "doors_open": local_input(event.doors_open, zone),
        "starts_at": local_input(event.starts_at, zone),
        "ends_at": local_input(event.ends_at, zone),
        "capacity": str(event.capacity or ""),
        "allow_reentry": "on" if event.allow_reentry else "",
        "day_starts_at": event.day_starts_at.strftime("%H:%M") if event.day_starts_at else "",
        "status": event.status,
        "on_sale": local_input(event.on_sale, zone),
        "currency": event.currency,
        "hold_minutes": str(event.hold_minutes),
        "fee_cents": str(event.fee_cents),
        "group_min": str(event.group_min),
        "group_percent": str(event.group_percent),
        "shop_limit": str(event.shop_limit),
    }


def _venues(state: State) -> list[tuple[int, str]]:
    return [(v.id, v.name) for v in catalog.list_venues(state)]


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, state: State, user: SignedIn) -> Response:
    return render(request, user, "events.html", events=catalog.list_events(state, ORGANISER))


@router.get("/events/new", response_class=HTMLResponse)
def new_event_page(request: Request, state: State, user: SignedIn) -> Response:
    require(user, Action.SET_UP)
    return _event_form(request, state, user, None, None, {})


def _event_form(
    request: Request,
    state: State,
    user: ConsoleUser,
    event: EventOut | None,
    fields: dict[str, str] | None,
    errors: dict[str, str],
) -> Response:
    return render(
        request,
        user,
        "event_form.html",
        status=422 if errors else 200,
        event=event,
        values=_event_form_values(event, fields),
        errors=errors,
        zones=ZONES,
        venues=_venues(state),
    )


@router.post("/events/new", response_class=HTMLResponse)
async def create_event(request: Request, state: State, user: SignedIn) -> Response:
    require(user, Action.SET_UP)
    fields = await form(request, user)
    try:
        body = event_in(fields)
        event = await run_in_threadpool(catalog.create_event, state, body)
    except (ValidationError, ServiceError) as exc:
        return _event_form(request, state, user, None, fields, field_errors(exc))
    return go(f"/events/{event.id}")


@router.get("/events/{event_id}/edit", response_class=HTMLResponse)
def edit_event_page(event_id: IdPath, request: Request, state: State, user: SignedIn) -> Response:
    require(user, Action.SET_UP)
    event = catalog.get_event(state, ORGANISER, event_id)
    return _event_form(request, state, user, event, None, {})


@router.post("/events/{event_id}/edit", response_class=HTMLResponse)
async def update_event(
    event_id: IdPath, request: Request, state: State, user: SignedIn
) -> Response:
    require(user, Action.SET_UP)
    fields = await form(request, user)
    event = await run_in_threadpool(catalog.get_event, state, ORGANISER, event_id)
    try:
        body = event_in(fields, EventChange)
        await run_in_threadpool(
            catalog.update_event, state, event_id, body.model_dump(exclude_unset=True)
        )
    except (ValidationError, ServiceError) as exc:
        return _event_form(request, state, user, event, fields, field_errors(exc))
    return go(f"/events/{event_id}")


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(event_id: IdPath, request: Request, state: State, user: SignedIn) -> Response:
    return render_event_page(request, state, user, event_id)


@router.post("/events/{event_id}/ticket-types", response_class=HTMLResponse)
async def create_ticket_type(
    event_id: IdPath, request: Request, state: State, user: SignedIn
) -> Response:
    require(user, Action.SET_UP)
    fields = await form(request, user)
    event = await run_in_threadpool(catalog.get_event, state, ORGANISER, event_id)
    try:
        body = ticket_type_in(fields, event.timezone)
        await run_in_threadpool(catalog.create_ticket_type, state, event_id, body)
    except (ValidationError, ServiceError) as exc:
        errors = field_errors(exc)
        return await run_in_threadpool(
            lambda: render_event_page(
                request, state, user, event_id, type_errors=errors, type_values=fields
            )
        )
    return go(f"/events/{event_id}")


@router.get("/events/{event_id}/seat-map", response_class=HTMLResponse)
def event_seat_map(event_id: IdPath, request: Request, state: State, user: SignedIn) -> Response:
    event = catalog.get_event(state, ORGANISER, event_id)
    seats = catalog.seat_map(state, event_id)
    return render(
        request,
        user,
        "seat_map.html",
        event=event,
        svg=seat_map_svg(seats.sections),
        sections=seats.sections,
    )


# --- venues ---------------------------------------------------------------------------


@router.get("/venues", response_class=HTMLResponse)
def venues_page(request: Request, state: State, user: SignedIn) -> Response:
    return render(
        request, user, "venues.html", venues=catalog.list_venues(state), errors={}, values={}
    )


@router.post("/venues", response_class=HTMLResponse)
async def create_venue(request: Request, state: State, user: SignedIn) -> Response:
    require(user, Action.SET_UP)
    fields = await form(request, user)
    try:
        venue = await run_in_threadpool(catalog.create_venue, state, venue_in(fields))
    except (ValidationError, ServiceError) as exc:
        return render(
            request,
            user,
            "venues.html",
            status=422,
            venues=catalog.list_venues(state),
            errors=field_errors(exc),
            values=fields,
        )
    return go(f"/venues/{venue.id}")


def _venue_page(
    request: Request,
    state: State,
    user: ConsoleUser,
    venue_id: int,
    errors: dict[str, str],
    values: dict[str, str],
) -> Response:
    venue = catalog.get_venue(state, venue_id)
    plan = catalog.venue_plan(state, venue_id)
    return render(
        request,
        user,
        "venue.html",
        status=422 if errors else 200,
        venue=venue,
        svg=seat_map_svg(plan),
        errors=errors,
        values=values or {"kind": "seated", "rows": "A-J", "seats_per_row": "20"},
    )


@router.get("/venues/{venue_id}", response_class=HTMLResponse)
def venue_page(venue_id: IdPath, request: Request, state: State, user: SignedIn) -> Response:
    return _venue_page(request, state, user, venue_id, {}, {})


@router.post("/venues/{venue_id}/sections", response_class=HTMLResponse)
async def create_section(
    venue_id: IdPath, request: Request, state: State, user: SignedIn
) -> Response:
    require(user, Action.SET_UP)
    fields = await form(request, user)
    try:
        body = section_in(fields)
        await run_in_threadpool(catalog.create_section, state, venue_id, body)
    except (ValidationError, ServiceError) as exc:
        return await run_in_threadpool(
            _venue_page, request, state, user, venue_id, _section_errors(exc), fields
        )
    return go(f"/venues/{venue_id}")


def _section_errors(error: Exception) -> dict[str, str]:
    """Errors inside ``seats`` (rows, seats per row…) belong beside those fields."""
    if isinstance(error, ValidationError):
        found: dict[str, str] = {}
        for item in error.errors():
            loc = [str(part) for part in item.get("loc", ())]
            key = loc[1] if len(loc) > 1 and loc[0] == "seats" else (loc[0] if loc else "")
            found.setdefault(key, str(item.get("msg", "")).removeprefix("Value error, "))
        return found
    return field_errors(error)
