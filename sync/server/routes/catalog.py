"""Venues, sections and seats; events, ticket types, availability and the seat map.

Thin: each route checks who is calling and hands over to ``services.catalog``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from sync.server.deps import Admin, AnyPrincipal, IdPath, State
from sync.server.schemas import (
    Availability,
    EventChange,
    EventIn,
    EventOut,
    PromoCodeIn,
    PromoCodeOut,
    SeatMap,
    SectionIn,
    SectionOut,
    TicketTypeChange,
    TicketTypeIn,
    TicketTypeOut,
    TierPriceIn,
    TierPriceOut,
    VenueIn,
    VenueOut,
)
from sync.server.services import catalog, prices

router = APIRouter()


@router.post("/venues", response_model=VenueOut, status_code=201, tags=["venues"])
def create_venue(body: VenueIn, state: State, _: Admin) -> VenueOut:
    return catalog.create_venue(state, body)


@router.get("/venues/{venue_id}", response_model=VenueOut, tags=["venues"])
def get_venue(venue_id: IdPath, state: State, _: Admin) -> VenueOut:
    return catalog.get_venue(state, venue_id)


@router.get("/venues/{venue_id}/sections", response_model=list[SectionOut], tags=["venues"])
def list_sections(venue_id: IdPath, state: State, _: Admin) -> list[SectionOut]:
    return catalog.list_sections(state, venue_id)


@router.post(
    "/venues/{venue_id}/sections", response_model=SectionOut, status_code=201, tags=["venues"]
)
def create_section(venue_id: IdPath, body: SectionIn, state: State, _: Admin) -> SectionOut:
    return catalog.create_section(state, venue_id, body)


@router.get("/events", response_model=list[EventOut], tags=["events"])
def list_events(state: State, principal: AnyPrincipal) -> list[EventOut]:
    return catalog.list_events(state, principal)


@router.post("/events", response_model=EventOut, status_code=201, tags=["events"])
def create_event(body: EventIn, state: State, _: Admin) -> EventOut:
    return catalog.create_event(state, body)


@router.patch("/events/{event_id}", response_model=EventOut, tags=["events"])
def update_event(event_id: IdPath, body: EventChange, state: State, _: Admin) -> EventOut:
    """Change an event; kiosks get the change with their next pull.  A change to when
    its days begin (or to its time zone) re-derives the event's conflicts, since
    whether two admits overlap depends on it."""
    return catalog.update_event(state, event_id, body.model_dump(include=body.model_fields_set))


@router.get("/events/{event_id}", response_model=EventOut, tags=["events"])
def get_event(event_id: IdPath, state: State, principal: AnyPrincipal) -> EventOut:
    return catalog.get_event(state, principal, event_id)


@router.post(
    "/events/{event_id}/ticket-types",
    response_model=TicketTypeOut,
    status_code=201,
    tags=["events"],
)
def create_ticket_type(
    event_id: IdPath, body: TicketTypeIn, state: State, _: Admin
) -> TicketTypeOut:
    return catalog.create_ticket_type(state, event_id, body)


@router.get("/events/{event_id}/ticket-types", response_model=list[TicketTypeOut], tags=["events"])
def list_ticket_types(
    event_id: IdPath, state: State, principal: AnyPrincipal
) -> list[TicketTypeOut]:
    return catalog.list_ticket_types(state, principal, event_id)


@router.get("/events/{event_id}/availability", response_model=Availability, tags=["events"])
def availability(event_id: IdPath, state: State, _: Admin) -> Availability:
    return catalog.availability(state, event_id)


@router.get("/events/{event_id}/seat-map", response_model=SeatMap, tags=["events"])
def seat_map(event_id: IdPath, state: State, _: Admin) -> SeatMap:
    return catalog.seat_map(state, event_id)


TypeCode = Annotated[str, Path(pattern=r"^[A-Z0-9_-]{1,16}$")]


@router.patch(
    "/events/{event_id}/ticket-types/{code}", response_model=TicketTypeOut, tags=["events"]
)
def update_ticket_type(
    event_id: IdPath, code: TypeCode, body: TicketTypeChange, state: State, _: Admin
) -> TicketTypeOut:
    """Change a type's prices, quota, dates or gate note (only the fields sent)."""
    return catalog.update_ticket_type(state, event_id, code, body.model_dump(exclude_unset=True))


@router.put("/events/{event_id}/tier-prices", response_model=TierPriceOut, tags=["pricing"])
def set_tier_price(event_id: IdPath, body: TierPriceIn, state: State, _: Admin) -> TierPriceOut:
    """A ticket type's price in the sections of one pricing tier."""
    return prices.set_tier_price(state, event_id, body)


@router.get("/events/{event_id}/tier-prices", response_model=list[TierPriceOut], tags=["pricing"])
def tier_prices(event_id: IdPath, state: State, _: Admin) -> list[TierPriceOut]:
    return prices.tier_prices(state, event_id)


@router.post(
    "/events/{event_id}/promo-codes",
    response_model=PromoCodeOut,
    status_code=201,
    tags=["pricing"],
)
def create_promo(event_id: IdPath, body: PromoCodeIn, state: State, _: Admin) -> PromoCodeOut:
    return prices.create_promo(state, event_id, body)


@router.get("/events/{event_id}/promo-codes", response_model=list[PromoCodeOut], tags=["pricing"])
def promo_codes(event_id: IdPath, state: State, _: Admin) -> list[PromoCodeOut]:
    return prices.promos(state, event_id)
