"""Reports: attendance, conflicts and the supervisors' audit log."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Integer, cast, distinct, func, select

from scanner.state import EFFECTIVE_VERDICTS
from sync.server.lookups import require_event
from sync.server.models import AuditEntry, Conflict, Scan
from sync.server.schemas import Attendance, ConflictOut, QuarterHour
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
    """The fold's answers for zone main, computed by the database.

    Folding every ticket in Python took 3 s for 100k scans, all of it holding the
    interpreter lock, so an organiser's dashboard stalled every kiosk's sync on
    that process.  These queries give the same numbers as ``fold`` (a test checks
    them against it on random scan sets): a ticket is admitted if it has a moving
    scan in, and inside if its latest moving scan, by (time, scan id), is in."""
    moves = (
        Scan.event_id == event_id,
        Scan.zone == "main",
        Scan.verdict.in_(EFFECTIVE_VERDICTS),
        Scan.ticket_id.is_not(None),
    )
    latest = (
        select(
            Scan.direction,
            Scan.scanned_at,
            func.row_number()
            .over(
                partition_by=Scan.ticket_id,
                order_by=(Scan.scanned_at.desc(), Scan.scan_id.desc()),
            )
            .label("recency"),
        )
        .where(*moves)
        .subquery()
    )
    admits = (Scan.event_id == event_id, Scan.zone == "main", Scan.verdict == "admitted")
    with state.db.read() as session:
        event = require_event(session, event_id)
        inside_filter = [latest.c.recency == 1, latest.c.direction == "in"]
        if event.days is not None:  # a new event day finds everyone outside
            inside_filter.append(
                latest.c.scanned_at >= event.days.start_of_day(datetime.now(UTC)).astimezone(UTC)
            )
        admitted = session.scalar(
            select(func.count(distinct(Scan.ticket_id))).where(*moves, Scan.direction == "in")
        )
        inside = session.scalar(select(func.count()).select_from(latest).where(*inside_filter))
        exits = session.scalar(
            select(func.count()).where(
                Scan.event_id == event_id, Scan.zone == "main", Scan.verdict == "exited"
            )
        )
        by_gate = session.execute(
            select(Scan.gate, func.count()).where(*admits).group_by(Scan.gate)
        )
        quarter = _quarter_hour_number(state)
        by_quarter = session.execute(
            select(quarter, func.count()).where(*admits).group_by(quarter).order_by(quarter)
        )
        return Attendance(
            event_id=event_id,
            admitted=admitted or 0,
            inside_now=inside or 0,
            exits=exits or 0,
            by_gate={gate: count for gate, count in by_gate},
            by_quarter_hour=[
                QuarterHour(start=datetime.fromtimestamp(int(n) * 900, UTC), admitted=count)
                for n, count in by_quarter
            ],
        )


def _quarter_hour_number(state: ServerState) -> ColumnElement[int]:
    """Quarter hours since the Unix epoch, which start on UTC quarter hours."""
    if state.db.is_sqlite:
        # Whole seconds first: SQLite's date functions round 12:14:59.9999 up to 12:15.
        whole_seconds = func.substr(Scan.scanned_at, 1, 19)
        return cast(func.strftime("%s", whole_seconds), Integer) // 900
    return cast(func.floor(func.extract("epoch", Scan.scanned_at) / 900), Integer)


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
