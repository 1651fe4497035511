"""The server's rows as the sync protocol's shapes, each mapped once, by field name.

Rows become wire models here (for the manifest, for the API, and for online
validation, which reads the wire shape back into the domain's records exactly as
a kiosk's pull does: ``sync.wire``), and wire models become rows.  A new column
that should reach the kiosks is added in one place.
"""

from __future__ import annotations

from typing import Any

from scanner.state import SCAN_FIELDS, ScanEvent
from sync.server.models import Event, Scan, Ticket
from sync.wire import EventData, ScanEventWire, TicketData


def scan_event(row: Scan) -> ScanEvent:
    """A stored row as the domain's scan (the row's columns are the scan's fields)."""
    return ScanEvent.from_attributes(row)


def scan_row(scan: ScanEventWire) -> dict[str, Any]:
    """A scan as a row of the ``scans`` table: the wire's fields, by name."""
    return {name: getattr(scan, name) for name in SCAN_FIELDS}


def ticket_data(ticket: Ticket) -> TicketData:
    """A ticket row as the manifest sends it (and online validation reads it)."""
    return TicketData(
        ticket_id=ticket.ticket_id,
        event_id=ticket.event_id,
        ticket_type=ticket.ticket_type,
        holder_name=ticket.holder_name,
        section=ticket.section,
        row=ticket.row,
        number=ticket.number,
        zones=sorted(filter(None, ticket.zones.split(","))),
        accessible=ticket.accessible,
        status=ticket.status,
    )


def ticket_columns(data: TicketData) -> dict[str, Any]:
    """The ``tickets`` columns a ticket's wire shape describes (the rest, such as its
    code, order and key, are the issuer's)."""
    return {
        "ticket_id": data.ticket_id,
        "event_id": data.event_id,
        "ticket_type": data.ticket_type,
        "holder_name": data.holder_name,
        "section": data.section,
        "row": data.row,
        "number": data.number,
        "zones": ",".join(sorted(data.zones)),
        "accessible": data.accessible,
        "status": data.status,
    }


def event_data(event: Event) -> EventData:
    return EventData(
        event_id=event.id,
        name=event.name,
        timezone=event.timezone,
        doors_open=event.doors_open,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        allow_reentry=event.allow_reentry,
        day_starts_at=event.days.starts_at if event.days else None,
    )
