"""Venues, sections and seats; events, ticket types, availability and the seat map."""

from __future__ import annotations

from collections import Counter
from datetime import time

from fastapi import APIRouter, HTTPException
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.server import changes
from sync.server.auth import Admin, AnyPrincipal
from sync.server.ingest import refresh_conflicts
from sync.server.lookups import get_event_or_404
from sync.server.models import Event, Scan, Seat, Section, Ticket, TicketType, Venue
from sync.server.schemas import (
    Availability,
    EventChange,
    EventIn,
    EventOut,
    IdPath,
    SeatMap,
    SeatStatus,
    SectionIn,
    SectionMap,
    SectionOut,
    TicketTypeIn,
    TicketTypeOut,
    VenueIn,
    VenueOut,
)
from sync.server.state import State
from sync.wire import EventData, TicketTypeData

router = APIRouter()


def event_change(event: Event) -> changes.NewChange:
    data = EventData(
        event_id=event.id,
        name=event.name,
        timezone=event.timezone,
        doors_open=event.doors_open,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        allow_reentry=event.allow_reentry,
        day_starts_at=event.days.starts_at if event.days else None,
    )
    return changes.NewChange("event", event.id, str(event.id), data.model_dump(mode="json"))


def _section_out(session: Session, section: Section) -> SectionOut:
    seats = session.scalar(
        select(func.count()).select_from(Seat).where(Seat.section_id == section.id)
    )
    out = SectionOut.model_validate(section)
    return out.model_copy(update={"seat_count": seats or 0})


# --- venues -------------------------------------------------------------------------


@router.post("/venues", response_model=VenueOut, status_code=201, tags=["venues"])
def create_venue(body: VenueIn, state: State, _: Admin) -> VenueOut:
    with state.db.write() as session:
        venue = Venue(name=body.name, address=body.address)
        session.add(venue)
        session.flush()
        return VenueOut.model_validate(venue)


@router.get("/venues/{venue_id}", response_model=VenueOut, tags=["venues"])
def get_venue(venue_id: IdPath, state: State, _: Admin) -> VenueOut:
    with state.db.read() as session:
        venue = session.get(Venue, venue_id)
        if venue is None:
            raise HTTPException(404, f"no venue {venue_id}")
        sections = session.scalars(select(Section).where(Section.venue_id == venue_id))
        out = VenueOut.model_validate(venue)
        return out.model_copy(update={"sections": [_section_out(session, s) for s in sections]})


@router.get("/venues/{venue_id}/sections", response_model=list[SectionOut], tags=["venues"])
def list_sections(venue_id: IdPath, state: State, _: Admin) -> list[SectionOut]:
    with state.db.read() as session:
        if session.get(Venue, venue_id) is None:
            raise HTTPException(404, f"no venue {venue_id}")
        sections = session.scalars(
            select(Section).where(Section.venue_id == venue_id).order_by(Section.id)
        )
        return [_section_out(session, s) for s in sections]


@router.post(
    "/venues/{venue_id}/sections", response_model=SectionOut, status_code=201, tags=["venues"]
)
def create_section(venue_id: IdPath, body: SectionIn, state: State, _: Admin) -> SectionOut:
    with state.db.write() as session:
        if session.get(Venue, venue_id) is None:
            raise HTTPException(404, f"no venue {venue_id}")
        if session.scalar(
            select(Section).where(Section.venue_id == venue_id, Section.name == body.name)
        ):
            raise HTTPException(409, f"venue {venue_id} already has a section {body.name!r}")
        seat_rows = body.seats
        capacity = body.capacity
        if seat_rows is not None:
            capacity = capacity or len(seat_rows.rows) * seat_rows.seats_per_row
        section = Section(
            venue_id=venue_id,
            name=body.name,
            kind=body.kind,
            capacity=capacity,
            pricing_tier=body.pricing_tier,
        )
        session.add(section)
        session.flush()
        if seat_rows is not None:
            accessible = set(seat_rows.accessible)
            session.add_all(
                Seat(
                    section_id=section.id,
                    row=row,
                    number=number,
                    accessible=f"{row}/{number}" in accessible,
                )
                for row in dict.fromkeys(seat_rows.rows)
                for number in range(1, seat_rows.seats_per_row + 1)
            )
            session.flush()
        return _section_out(session, section)


# --- events ---------------------------------------------------------------------------


@router.get("/events", response_model=list[EventOut], tags=["events"])
def list_events(state: State, principal: AnyPrincipal) -> list[EventOut]:
    with state.db.read() as session:
        query = select(Event).order_by(Event.id)
        if not principal.is_admin:
            query = query.where(Event.id.in_(list(principal.event_ids)))
        return [EventOut.model_validate(e) for e in session.scalars(query)]


@router.post("/events", response_model=EventOut, status_code=201, tags=["events"])
def create_event(body: EventIn, state: State, _: Admin) -> EventOut:
    with state.db.write() as session:
        _require_venue(session, body.venue_id)
        event = Event(
            **body.model_dump(exclude={"day_starts_at"}),
            day_starts_at=_minutes(body.day_starts_at),
        )
        session.add(event)
        session.flush()
        changes.record(session, [event_change(event)])
        return EventOut.model_validate(event)


def _require_venue(session: Session, venue_id: int | None) -> None:
    if venue_id is not None and session.get(Venue, venue_id) is None:
        raise HTTPException(422, f"no venue {venue_id}; create the venue first")


def _minutes(moment: time | None) -> str | None:
    """An event day's start as stored: local "HH:MM"."""
    return moment.isoformat("minutes") if moment is not None else None


@router.patch("/events/{event_id}", response_model=EventOut, tags=["events"])
def update_event(event_id: IdPath, body: EventChange, state: State, _: Admin) -> EventOut:
    """Change an event; kiosks get the change with their next pull.  A change to when
    its days begin (or to its time zone) re-derives the event's conflicts, since
    whether two admits overlap depends on it."""
    sent = body.model_dump(include=body.model_fields_set)
    if "name" in sent and sent["name"] is None:
        raise HTTPException(422, "an event needs a name; leave 'name' out to keep it")
    with state.db.write() as session:
        event = get_event_or_404(session, event_id)
        _require_venue(session, sent.get("venue_id"))
        days_before = (event.day_starts_at, event.timezone)
        if "day_starts_at" in sent:
            event.day_starts_at = _minutes(sent.pop("day_starts_at"))
        for field, value in sent.items():
            setattr(event, field, value)
        session.flush()
        changes.record(session, [event_change(event)])
        if (event.day_starts_at, event.timezone) != days_before:
            scanned = session.scalars(
                select(Scan.ticket_id)
                .where(Scan.event_id == event_id, Scan.ticket_id.is_not(None))
                .distinct()
            )
            refresh_conflicts(session, sorted(t for t in scanned if t is not None))
        return EventOut.model_validate(event)


@router.get("/events/{event_id}", response_model=EventOut, tags=["events"])
def get_event(event_id: IdPath, state: State, principal: AnyPrincipal) -> EventOut:
    if not principal.can_read_event(event_id):
        raise HTTPException(403, f"this kiosk is not enrolled for event {event_id}")
    with state.db.read() as session:
        return EventOut.model_validate(get_event_or_404(session, event_id))


@router.post(
    "/events/{event_id}/ticket-types",
    response_model=TicketTypeOut,
    status_code=201,
    tags=["events"],
)
def create_ticket_type(
    event_id: IdPath, body: TicketTypeIn, state: State, _: Admin
) -> TicketTypeOut:
    with state.db.write() as session:
        get_event_or_404(session, event_id)
        if session.scalar(
            select(TicketType).where(TicketType.event_id == event_id, TicketType.code == body.code)
        ):
            raise HTTPException(409, f"event {event_id} already has ticket type {body.code}")
        ticket_type = TicketType(
            event_id=event_id,
            code=body.code,
            name=body.name,
            zones=",".join(body.zones),
            price_cents=body.price_cents,
        )
        session.add(ticket_type)
        session.flush()
        data = TicketTypeData(event_id=event_id, code=body.code, name=body.name, zones=body.zones)
        changes.record(
            session,
            [changes.NewChange("ticket_type", event_id, body.code, data.model_dump(mode="json"))],
        )
        return TicketTypeOut.model_validate(ticket_type)


@router.get("/events/{event_id}/ticket-types", response_model=list[TicketTypeOut], tags=["events"])
def list_ticket_types(
    event_id: IdPath, state: State, principal: AnyPrincipal
) -> list[TicketTypeOut]:
    if not principal.can_read_event(event_id):
        raise HTTPException(403, f"this kiosk is not enrolled for event {event_id}")
    with state.db.read() as session:
        get_event_or_404(session, event_id)
        rows = session.scalars(select(TicketType).where(TicketType.event_id == event_id))
        return [TicketTypeOut.model_validate(t) for t in rows]


@router.get("/events/{event_id}/availability", response_model=Availability, tags=["events"])
def availability(event_id: IdPath, state: State, _: Admin) -> Availability:
    with state.db.read() as session:
        event = get_event_or_404(session, event_id)
        live = select(Ticket).where(Ticket.event_id == event_id, Ticket.status == "valid")
        tickets = list(session.scalars(live))
        by_type = Counter(t.ticket_type for t in tickets)
        by_section_sold = Counter(t.section for t in tickets if t.section)
        sections: list[dict[str, int | str]] = []
        if event.venue_id is not None:
            for section in session.scalars(
                select(Section).where(Section.venue_id == event.venue_id).order_by(Section.id)
            ):
                sold = by_section_sold.get(section.name, 0)
                sections.append(
                    {
                        "section": section.name,
                        "capacity": section.capacity,
                        "sold": sold,
                        "remaining": max(0, section.capacity - sold),
                    }
                )
        return Availability(
            event_id=event_id,
            capacity=event.capacity,
            sold=len(tickets),
            remaining=max(0, event.capacity - len(tickets)) if event.capacity else None,
            by_type=dict(by_type),
            by_section=sections,
        )


@router.get("/events/{event_id}/seat-map", response_model=SeatMap, tags=["events"])
def seat_map(event_id: IdPath, state: State, _: Admin) -> SeatMap:
    with state.db.read() as session:
        event = get_event_or_404(session, event_id)
        sold = set(
            session.scalars(
                select(Ticket.seat_id).where(
                    Ticket.event_id == event_id,
                    Ticket.status == "valid",
                    Ticket.seat_id.is_not(None),
                )
            )
        )
        sections = []
        if event.venue_id is not None:
            for section in session.scalars(
                select(Section).where(Section.venue_id == event.venue_id).order_by(Section.id)
            ):
                seats = session.scalars(
                    select(Seat)
                    .where(Seat.section_id == section.id)
                    .order_by(Seat.row, Seat.number)
                )
                sections.append(
                    SectionMap(
                        id=section.id,
                        name=section.name,
                        kind=section.kind,
                        pricing_tier=section.pricing_tier,
                        seats=[
                            SeatStatus(
                                id=s.id,
                                row=s.row,
                                number=s.number,
                                accessible=s.accessible,
                                status="sold" if s.id in sold else "free",
                            )
                            for s in seats
                        ],
                    )
                )
        return SeatMap(event_id=event_id, venue_id=event.venue_id, sections=sections)
