"""A scan keeps its shape across every boundary: domain → wire → server row → wire →
domain, unchanged, on both databases (each boundary maps it once, by field name)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from scanner.state import Direction, ScanEvent
from sync.server.db import Database
from sync.server.models import Scan
from sync.server.shapes import scan_event, scan_row
from sync.wire import ScanEventWire

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
    from dataclasses import replace

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
