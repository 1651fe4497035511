"""Venues, sections and seats; events, ticket types, availability and the seat map."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.server import changes, issuing
from sync.server.errors import Forbidden, Invalid, NotFound, Refused
from sync.server.ingest import refresh_conflicts
from sync.server.lookups import require_event, require_venue
from sync.server.models import Event, Scan, Seat, Section, Ticket, TicketType, Venue, utcnow
from sync.server.principals import Principal
from sync.server.schemas import (
    Availability,
    EventIn,
    EventOut,
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
from sync.server.shapes import event_data
from sync.server.state import ServerState
from sync.wire import TicketTypeData


def event_change(event: Event) -> changes.NewChange:
    data = event_data(event)
    return changes.NewChange("event", event.id, str(event.id), data.model_dump(mode="json"))


def _section_out(session: Session, section: Section) -> SectionOut:
    seats = session.scalar(
        select(func.count()).select_from(Seat).where(Seat.section_id == section.id)
    )
    out = SectionOut.model_validate(section)
    return out.model_copy(update={"seat_count": seats or 0})


def _may_read(principal: Principal, event_id: int) -> None:
    if not principal.can_read_event(event_id):
        raise Forbidden(f"this kiosk is not enrolled for event {event_id}")


# --- venues -------------------------------------------------------------------------


def create_venue(state: ServerState, body: VenueIn) -> VenueOut:
    with state.db.write() as session:
        venue = Venue(
            name=body.name,
            address=body.address,
            latitude=body.latitude,
            longitude=body.longitude,
        )
        session.add(venue)
        session.flush()
        return VenueOut.model_validate(venue)


def get_venue(state: ServerState, venue_id: int) -> VenueOut:
    with state.db.read() as session:
        venue = require_venue(session, venue_id)
        sections = session.scalars(select(Section).where(Section.venue_id == venue_id))
        out = VenueOut.model_validate(venue)
        return out.model_copy(update={"sections": [_section_out(session, s) for s in sections]})


def list_sections(state: ServerState, venue_id: int) -> list[SectionOut]:
    with state.db.read() as session:
        require_venue(session, venue_id)
        sections = session.scalars(
            select(Section).where(Section.venue_id == venue_id).order_by(Section.id)
        )
        return [_section_out(session, s) for s in sections]


def create_section(state: ServerState, venue_id: int, body: SectionIn) -> SectionOut:
    """A section, and with ``seats`` its rows of numbered seats (some accessible)."""
    with state.db.write() as session:
        require_venue(session, venue_id)
        if session.scalar(
            select(Section).where(Section.venue_id == venue_id, Section.name == body.name)
        ):
            raise Refused(f"venue {venue_id} already has a section {body.name!r}")
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
            accessible = {s.strip() for s in seat_rows.accessible}
            companion = {s.strip() for s in seat_rows.companion}
            session.add_all(
                Seat(
                    section_id=section.id,
                    row=row,
                    number=number,
                    accessible=f"{row}/{number}" in accessible,
                    companion=f"{row}/{number}" in companion,
                )
                for row in dict.fromkeys(seat_rows.rows)
                for number in range(1, seat_rows.seats_per_row + 1)
            )
            session.flush()
        return _section_out(session, section)


# --- events ---------------------------------------------------------------------------


def list_events(state: ServerState, principal: Principal) -> list[EventOut]:
    """Every event for an admin; a kiosk sees only the events it is enrolled for."""
    with state.db.read() as session:
        query = select(Event).order_by(Event.id)
        if not principal.is_admin:
            query = query.where(Event.id.in_(list(principal.event_ids)))
        return [EventOut.model_validate(e) for e in session.scalars(query)]


def create_event(state: ServerState, body: EventIn) -> EventOut:
    with state.db.write() as session:
        _venue_exists(session, body.venue_id)
        event = Event(
            **body.model_dump(exclude={"day_starts_at"}),
            day_starts_at=_minutes(body.day_starts_at),
        )
        session.add(event)
        session.flush()
        changes.record(session, [event_change(event)])
        return EventOut.model_validate(event)


def _venue_exists(session: Session, venue_id: int | None) -> None:
    if venue_id is not None and session.get(Venue, venue_id) is None:
        raise Invalid(f"no venue {venue_id}; create the venue first")


def _minutes(moment: time | None) -> str | None:
    """An event day's start as stored: local "HH:MM"."""
    return moment.isoformat("minutes") if moment is not None else None


def update_event(state: ServerState, event_id: int, sent: dict[str, Any]) -> EventOut:
    """Change the fields in ``sent``; kiosks get the change with their next pull.  A
    change to when its days begin (or to its time zone) re-derives the event's
    conflicts, since whether two admits overlap depends on it."""
    sent = dict(sent)
    if "name" in sent and sent["name"] is None:
        raise Invalid("an event needs a name; leave 'name' out to keep it")
    with state.db.write() as session:
        event = require_event(session, event_id)
        _venue_exists(session, sent.get("venue_id"))
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


def get_event(state: ServerState, principal: Principal, event_id: int) -> EventOut:
    _may_read(principal, event_id)
    with state.db.read() as session:
        return EventOut.model_validate(require_event(session, event_id))


def event_name_and_zone(state: ServerState, event_id: int) -> tuple[str, str]:
    """An event's name and time zone, for a report's heading."""
    with state.db.read() as session:
        event = require_event(session, event_id)
        return event.name, event.timezone


def create_ticket_type(state: ServerState, event_id: int, body: TicketTypeIn) -> TicketTypeOut:
    with state.db.write() as session:
        require_event(session, event_id)
        if session.scalar(
            select(TicketType).where(TicketType.event_id == event_id, TicketType.code == body.code)
        ):
            raise Refused(f"event {event_id} already has ticket type {body.code}")
        ticket_type = TicketType(
            event_id=event_id, zones=",".join(body.zones), **body.model_dump(exclude={"zones"})
        )
        session.add(ticket_type)
        session.flush()
        changes.record(session, [ticket_type_change(ticket_type)])
        return TicketTypeOut.model_validate(ticket_type)


def ticket_type_change(ticket_type: TicketType) -> changes.NewChange:
    """What kiosks learn of a type: its name, zones and the note their detail line shows."""
    data = TicketTypeData(
        event_id=ticket_type.event_id,
        code=ticket_type.code,
        name=ticket_type.name,
        zones=[z for z in ticket_type.zones.split(",") if z],
        gate_note=ticket_type.gate_note,
    )
    return changes.NewChange(
        "ticket_type", ticket_type.event_id, ticket_type.code, data.model_dump(mode="json")
    )


def update_ticket_type(
    state: ServerState, event_id: int, code: str, sent: dict[str, Any]
) -> TicketTypeOut:
    """Change the fields in ``sent`` (prices, quota, dates, note); the code stays.
    Tickets already sold keep what they were sold with."""
    with state.db.write() as session:
        require_event(session, event_id)
        ticket_type = session.scalar(
            select(TicketType).where(TicketType.event_id == event_id, TicketType.code == code)
        )
        if ticket_type is None:
            raise NotFound(f"event {event_id} has no ticket type {code}")
        sent = dict(sent)
        sent.pop("code", None)
        if "zones" in sent:
            sent["zones"] = ",".join(sent["zones"])
        for field, value in sent.items():
            setattr(ticket_type, field, value)
        session.flush()
        changes.record(session, [ticket_type_change(ticket_type)])
        return TicketTypeOut.model_validate(ticket_type)


def list_ticket_types(
    state: ServerState, principal: Principal, event_id: int
) -> list[TicketTypeOut]:
    _may_read(principal, event_id)
    with state.db.read() as session:
        require_event(session, event_id)
        rows = session.scalars(select(TicketType).where(TicketType.event_id == event_id))
        return [TicketTypeOut.model_validate(t) for t in rows]


def availability(state: ServerState, event_id: int) -> Availability:
    with state.db.read() as session:
        event = require_event(session, event_id)
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


def seat_map(state: ServerState, event_id: int) -> SeatMap:
    """The event's venue, seat by seat: free, held (a buyer's live hold keeps it while
    they pay) or sold (a live ticket holds it)."""
    with state.db.read() as session:
        event = require_event(session, event_id)
        gone = issuing.seats_gone(session, event_id, utcnow())
        sections = _section_maps(session, event.venue_id, gone) if event.venue_id else []
        return SeatMap(event_id=event_id, venue_id=event.venue_id, sections=sections)


def venue_plan(state: ServerState, venue_id: int) -> list[SectionMap]:
    """A venue's sections and seats as drawn before any event sells them."""
    with state.db.read() as session:
        require_venue(session, venue_id)
        return _section_maps(session, venue_id, {})


def list_venues(state: ServerState) -> list[VenueOut]:
    with state.db.read() as session:
        return [
            VenueOut.model_validate(v) for v in session.scalars(select(Venue).order_by(Venue.id))
        ]


def _section_maps(
    session: Session, venue_id: int, gone: Mapping[int, issuing.Gone]
) -> list[SectionMap]:
    """``gone``: ``issuing.seats_gone``, whose "sold" and "held" are the map's words."""
    sections = []
    for section in session.scalars(
        select(Section).where(Section.venue_id == venue_id).order_by(Section.id)
    ):
        seats = session.scalars(
            select(Seat).where(Seat.section_id == section.id).order_by(Seat.row, Seat.number)
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
                        companion=s.companion,
                        status=gone.get(s.id, "free"),
                    )
                    for s in seats
                ],
            )
        )
    return sections
