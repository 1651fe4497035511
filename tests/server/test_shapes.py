"""A scan and a ticket record keep their shapes across every boundary: domain → wire →
server row → wire → domain, unchanged, on both databases (each boundary maps them once:
``sync.wire`` for domain ↔ wire, ``sync.server.shapes`` for wire ↔ row)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from scanner.manifest import TicketRecord, TicketStatus
from scanner.state import Direction, ScanEvent
from scanner.ticket import Seat
from sync.server.db import Database
from sync.server.models import Event, Order, Scan, Ticket
from sync.server.shapes import scan_event, scan_row, ticket_columns, ticket_data
from sync.wire import ScanEventWire, TicketData

texts = st.text(min_size=1, max_size=40).filter(lambda t: "\x00" not in t)
optional_texts = st.one_of(st.none(), st.text(max_size=200).filter(lambda t: "\x00" not in t))

scans = st.builds(
    ScanEvent,
    scan_id=st.just(""),
    ticket_id=st.one_of(st.none(), st.text("0123456789abcdef", min_size=20, max_size=20)),
    event_id=st.one_of(st.none(), st.integers(min_value=0, max_value=2**31 - 1)),
    device_id=texts,
    gate=texts,
    zone=texts,
    direction=st.sampled_from(list(Direction)),
    scanned_at=st.datetimes(
        min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30), timezones=st.just(UTC)
    ),
    verdict=texts,
    reason=st.text(max_size=200).filter(lambda t: "\x00" not in t),
    override_by=optional_texts,
    override_reason=optional_texts,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scan=scans)
def test_a_scan_crosses_wire_and_database_unchanged(database_url: str, scan: ScanEvent) -> None:
    original = replace(scan, scan_id=uuid.uuid4().hex)
    wire = ScanEventWire.from_event(original)
    db = Database(database_url)
    try:
        with db.write() as session:
            session.execute(insert(Scan), [scan_row(wire)])
        with db.read() as session:
            row = session.scalars(select(Scan).where(Scan.scan_id == original.scan_id)).one()
            back = scan_event(row)
    finally:
        db.dispose()
    assert ScanEventWire.from_event(back) == wire
    assert back == original


zone_names = st.text("abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12)
short_texts = st.text(min_size=1, max_size=16).filter(lambda t: "\x00" not in t)

records = st.builds(
    TicketRecord,
    ticket_id=st.text("0123456789abcdef", min_size=20, max_size=20),
    event_id=st.just(0),  # the test's event, set below
    ticket_type=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", min_size=1, max_size=16),
    holder_name=st.text(max_size=200).filter(lambda t: "\x00" not in t),
    seat=st.one_of(
        st.none(),
        st.builds(
            Seat,
            section=short_texts,
            row=short_texts,
            number=st.integers(min_value=1, max_value=2**31 - 1),
        ),
    ),
    zones=st.frozensets(zone_names, min_size=1, max_size=8),
    accessible=st.booleans(),
    status=st.sampled_from(list(TicketStatus)),
)


def _an_order(db: Database) -> tuple[int, int]:
    """An event and an order for the tickets to belong to (made once per database)."""
    with db.write() as session:
        order = session.scalars(select(Order)).first()
        if order is None:
            event = Event(name="Shapes")
            session.add(event)
            session.flush()
            order = Order(event_id=event.id, buyer_name="Shapes")
            session.add(order)
            session.flush()
        return order.event_id, order.id


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record=records)
def test_a_ticket_record_crosses_wire_and_database_unchanged(
    database_url: str, record: TicketRecord
) -> None:
    """A kiosk's ticket record → the manifest's shape → the server's row → the manifest's
    shape → the record a kiosk (or the server's online check) reads back."""
    db = Database(database_url)
    try:
        event_id, order_id = _an_order(db)
        original = replace(record, event_id=event_id)
        wire = TicketData.from_record(original)
        with db.write() as session:
            session.execute(delete(Ticket).where(Ticket.ticket_id == original.ticket_id))
            session.add(Ticket(**ticket_columns(wire), order_id=order_id, kid="00000000", code="-"))
        with db.read() as session:
            row = session.get(Ticket, original.ticket_id)
            assert row is not None
            back = ticket_data(row)
    finally:
        db.dispose()
    assert back == wire
    assert back.to_record() == original
    assert TicketData.model_validate_json(wire.model_dump_json()).to_record() == original
