"""Reports: attendance, conflicts and the supervisors' audit log."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from sync.server.lookups import require_event
from sync.server.models import (
    AuditEntry,
    Conflict,
    Device,
    DeviceEvent,
    Order,
    Presence,
    Scan,
    ScanCount,
    Ticket,
)
from sync.server.schemas import Attendance, ConflictOut, Doors, QuarterHour
from sync.server.services.devices import device_out
from sync.server.state import ServerState
from sync.wire import AuditEntryOut


def event_conflicts(state: ServerState, event_id: int) -> list[ConflictOut]:
    """Tickets admitted twice with no exit between (gates that were offline)."""
    with state.db.read() as session:
        require_event(session, event_id)
        rows = session.scalars(
            select(Conflict).where(Conflict.event_id == event_id).order_by(Conflict.second_at)
        )
        return [ConflictOut.model_validate(r) for r in rows]


def event_attendance(state: ServerState, event_id: int) -> Attendance:
    """The fold's answers for zone main, from the tables ingest keeps (``presence`` and
    ``scan_counts``): a ticket is admitted if it ever moved in, and inside if its latest
    move, by (time, scan id), is in (and, on an event with days, made today).

    Counting every scan took 300 ms at 115,000 scans, all of it holding the
    interpreter lock, and the dashboard asks every second; these read one row per
    ticket and per gate and quarter.  A test checks them against ``fold`` on random
    scan sets."""
    with state.db.read() as session:
        event = require_event(session, event_id)
        people = (Presence.event_id == event_id, Presence.zone == "main")
        admitted = session.scalar(
            select(func.count()).where(*people, Presence.first_admitted_at.is_not(None))
        )
        inside_filter = [*people, Presence.last_direction == "in"]
        if event.days is not None:  # a new event day finds everyone outside
            start = event.days.start_of_day(datetime.now(UTC)).astimezone(UTC)
            inside_filter.append(Presence.last_at >= start)
        inside = session.scalar(select(func.count()).where(*inside_filter))
        counts = (ScanCount.event_id == event_id, ScanCount.zone == "main")
        exits = session.scalar(select(func.sum(ScanCount.exits)).where(*counts))
        by_gate = session.execute(
            select(ScanCount.gate, func.sum(ScanCount.admits))
            .where(*counts)
            .group_by(ScanCount.gate)
            .having(func.sum(ScanCount.admits) > 0)
        )
        by_quarter = session.execute(
            select(ScanCount.quarter, func.sum(ScanCount.admits))
            .where(*counts)
            .group_by(ScanCount.quarter)
            .having(func.sum(ScanCount.admits) > 0)
            .order_by(ScanCount.quarter)
        )
        return Attendance(
            event_id=event_id,
            admitted=admitted or 0,
            inside_now=inside or 0,
            exits=int(exits or 0),
            by_gate={gate: int(count) for gate, count in by_gate},
            by_quarter_hour=[
                QuarterHour(start=datetime.fromtimestamp(int(n) * 900, UTC), admitted=int(count))
                for n, count in by_quarter
            ],
        )


def audit_log(state: ServerState, *, device_id: str | None, limit: int) -> list[AuditEntryOut]:
    """Supervisor actions from every kiosk (or one), oldest first."""
    with state.db.read() as session:
        query = select(AuditEntry).order_by(AuditEntry.at).limit(limit)
        if device_id is not None:
            query = query.where(AuditEntry.device_id == device_id)
        return [
            AuditEntryOut(
                audit_id=a.audit_id,
                at=a.at,
                actor=a.actor,
                action=a.action,
                detail=a.detail,
                device_id=a.device_id,
            )
            for a in session.scalars(query)
        ]


def doors(state: ServerState, event_id: int) -> Doors:
    """The dashboard: attendance, the last minute's scans, conflicts and the health of
    every kiosk enrolled for the event.  Everything comes from the database, so any
    server process answers the same, whichever one a kiosk pushed to."""
    now = datetime.now(UTC)
    attendance = event_attendance(state, event_id)
    with state.db.read() as session:
        last_minute = session.scalar(
            select(func.count()).where(
                Scan.event_id == event_id, Scan.scanned_at >= now - timedelta(minutes=1)
            )
        )
        conflicts = session.scalar(
            select(func.count()).select_from(Conflict).where(Conflict.event_id == event_id)
        )
        recent = session.scalars(
            select(Conflict)
            .where(Conflict.event_id == event_id)
            .order_by(Conflict.second_at.desc())
            .limit(5)
        )
        recent_conflicts = [ConflictOut.model_validate(c) for c in recent]
        devices = session.scalars(
            select(Device)
            .join(DeviceEvent, DeviceEvent.device_id == Device.device_id)
            .where(DeviceEvent.event_id == event_id, Device.revoked_at.is_(None))
            .order_by(Device.gate, Device.device_id)
        )
        kiosks = [device_out(d, [event_id]) for d in devices]
        door_sales = session.scalar(
            select(func.count())
            .select_from(Ticket)
            .join(Order, Order.id == Ticket.order_id)
            .where(
                Ticket.event_id == event_id,
                Ticket.status == "valid",
                Order.channel == "box_office",
            )
        )
    return Doors(
        door_sales=door_sales or 0,
        event_id=event_id,
        as_of=now,
        attendance=attendance,
        scans_last_minute=last_minute or 0,
        conflicts=conflicts or 0,
        recent_conflicts=recent_conflicts,
        kiosks=kiosks,
    )


def doors_version(state: ServerState, event_id: int) -> tuple[object, ...]:
    """What changes whenever the dashboard would: cheap enough to ask every second
    for every open dashboard, so the full figures are computed only on a change."""
    with state.db.read() as session:
        scans = session.scalar(select(func.count()).where(Scan.event_id == event_id))
        seen = session.execute(
            select(func.max(Device.last_seen), func.count())
            .select_from(Device)
            .join(DeviceEvent, DeviceEvent.device_id == Device.device_id)
            .where(DeviceEvent.event_id == event_id)
        ).one()
        conflicts = session.scalar(
            select(func.count()).select_from(Conflict).where(Conflict.event_id == event_id)
        )
        # The minute rolls on even when nothing arrives: "scans in the last minute" falls.
        return (
            scans,
            seen[0],
            seen[1],
            conflicts,
            datetime.now(UTC).replace(second=0, microsecond=0),
        )


def _csv(header: list[str], rows: Iterator[list[object]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(["" if v is None else _cell(v) for v in row])
        yield buffer.getvalue()


def _cell(value: object) -> object:
    """A spreadsheet must not run a cell as a formula (CSV injection): text starting
    with = + - @ is written with a leading apostrophe."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def attendance_csv(state: ServerState, event_id: int) -> Iterator[str]:
    """One line per ticket: who, what, and when they were first admitted (if ever)."""
    with state.db.read() as session:
        require_event(session, event_id)
        first_in = (
            select(Scan.ticket_id, func.min(Scan.scanned_at).label("first_in"))
            .where(Scan.event_id == event_id, Scan.verdict == "admitted", Scan.direction == "in")
            .group_by(Scan.ticket_id)
            .subquery()
        )
        rows = session.execute(
            select(
                Ticket.ticket_id,
                Ticket.holder_name,
                Ticket.ticket_type,
                Ticket.section,
                Ticket.row,
                Ticket.number,
                Ticket.status,
                first_in.c.first_in,
            )
            .outerjoin(first_in, first_in.c.ticket_id == Ticket.ticket_id)
            .where(Ticket.event_id == event_id)
            .order_by(Ticket.ticket_id)
        ).all()
    header = ["ticket_id", "holder_name", "ticket_type", "section", "row", "number", "status"]
    return _csv([*header, "first_admitted_at"], (list(r) for r in rows))


def scans_csv(state: ServerState, event_id: int) -> Iterator[str]:
    with state.db.read() as session:
        require_event(session, event_id)
        rows = session.execute(
            select(
                Scan.scan_id,
                Scan.ticket_id,
                Scan.device_id,
                Scan.gate,
                Scan.zone,
                Scan.direction,
                Scan.scanned_at,
                Scan.verdict,
                Scan.reason,
                Scan.override_by,
                Scan.override_reason,
            )
            .where(Scan.event_id == event_id)
            .order_by(Scan.scanned_at, Scan.scan_id)
        ).all()
    header = ["scan_id", "ticket_id", "device_id", "gate", "zone", "direction", "scanned_at"]
    return _csv(
        [*header, "verdict", "reason", "override_by", "override_reason"], (list(r) for r in rows)
    )


def conflicts_csv(state: ServerState, event_id: int) -> Iterator[str]:
    conflicts = event_conflicts(state, event_id)
    header = ["ticket_id", "zone", "first_gate", "first_at", "second_gate", "second_at"]
    return _csv(
        header,
        (
            [c.ticket_id, c.zone, c.first_gate, c.first_at, c.second_gate, c.second_at]
            for c in conflicts
        ),
    )
