"""Online validation through the gate's own decision, conflicts, and attendance."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter
from sqlalchemy import ColumnElement, Integer, cast, distinct, func, select
from sqlalchemy.orm import Session

from scanner.checkpoint import preset
from scanner.keys import Keyring, public_from_raw
from scanner.manifest import TicketRecord, TicketStatus
from scanner.rules import judge
from scanner.state import EFFECTIVE_VERDICTS
from scanner.ticket import Rejection, Seat, verify
from scanner.verdict import VerdictKind
from sync.server import changes
from sync.server.auth import Admin, AnyPrincipal
from sync.server.ingest import scan_event, store_scans
from sync.server.lookups import get_event_or_404
from sync.server.models import Conflict, Event, Scan, SigningKey, Ticket
from sync.server.schemas import (
    Attendance,
    ConflictOut,
    IdPath,
    QuarterHour,
    ValidateIn,
    ValidateOut,
)
from sync.server.state import ServerState, State
from sync.wire import ScanEventWire

router = APIRouter()


def server_keyring(session: Session) -> Keyring:
    ring = Keyring()
    for key in session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))):
        ring.add(public_from_raw(key.public_key))
    return ring


def ticket_record(ticket: Ticket) -> TicketRecord:
    seat = (
        Seat(ticket.section, ticket.row, ticket.number)
        if ticket.section is not None and ticket.row is not None and ticket.number is not None
        else None
    )
    return TicketRecord(
        ticket_id=ticket.ticket_id,
        event_id=ticket.event_id,
        ticket_type=ticket.ticket_type,
        holder_name=ticket.holder_name,
        seat=seat,
        zones=frozenset(filter(None, ticket.zones.split(","))),
        accessible=ticket.accessible,
        status=TicketStatus(ticket.status),
    )


@router.post("/validate/scan", response_model=ValidateOut, tags=["gate"])
def validate_scan(body: ValidateIn, state: State, principal: AnyPrincipal) -> ValidateOut:
    """Judge a code online with the kiosk's own decision engine.

    A kiosk's call is recorded as its scan (and syncs to the others); an admin's
    is a dry run that records nothing.
    """
    now = datetime.now(UTC)
    with state.db.write() as session:
        # Read, decide and record as one: the change log's lock (which recording a
        # scan takes anyway) is taken first, so two kiosks validating one code at the
        # same instant are judged one after the other, never both on the old state.
        changes.lock(session)
        result = verify(body.code, server_keyring(session))
        checkpoint = preset(body.mode)
        gate_name = body.gate or principal.gate or principal.name
        out: ValidateOut
        ticket_id = event_id = None
        claims = result.claims
        if claims is None:
            kind = (
                VerdictKind.UNKNOWN_KEY
                if result.rejection is Rejection.UNKNOWN_KEY
                else VerdictKind.INVALID
            )
            out = ValidateOut(kind=kind, reason=str(result.rejection))
        elif not principal.can_read_event(claims.event_id):
            # Another event's ticket: say only that, as the kiosk offline would; no
            # holder, seat or history of a guest this kiosk has no business with.
            out = ValidateOut(kind=VerdictKind.WRONG_EVENT, reason=f"event:{claims.event_id}")
        else:
            ticket_id, event_id = claims.ticket_hex, claims.event_id
            event = session.get(Event, claims.event_id)
            allowed = (
                {e for e in session.scalars(select(Event.id))}
                if principal.is_admin
                else principal.event_ids
            )
            ticket = session.get(Ticket, ticket_id)
            record = ticket_record(ticket) if ticket else None
            rows = session.scalars(select(Scan).where(Scan.ticket_id == ticket_id))
            judgement = judge(
                claims,
                record,
                None,
                [scan_event(r) for r in rows],
                checkpoint,
                allowed,
                now,
                days=event.days if event else None,
                event_allows_reentry=bool(event and event.allow_reentry),
            )
            first = judgement.first_used
            out = ValidateOut(
                kind=judgement.kind,
                reason=judgement.reason,
                ticket_id=ticket_id,
                ticket_type=record.ticket_type if record else claims.ticket_type,
                holder_name=record.holder_name if record else None,
                seat=str(claims.seat) if claims.seat else None,
                accessible=claims.accessible,
                first_used_at=first.scanned_at if first else None,
                first_used_gate=first.gate if first else None,
            )
        if principal.device_id is not None:
            scan = ScanEventWire(
                scan_id=uuid.uuid4().hex,
                ticket_id=ticket_id,
                event_id=event_id if event_id is not None and event_id < 2**31 else None,
                device_id=principal.device_id,
                gate=gate_name[:200] or "online",
                zone=checkpoint.zone,
                direction=str(checkpoint.direction),  # type: ignore[arg-type]
                scanned_at=now,
                verdict=str(out.kind),
                reason=out.reason[:200],
            )
            store_scans(session, [scan], origin_device=principal.device_id)
            out = out.model_copy(update={"scan_id": scan.scan_id, "recorded": True})
        return out


@router.get("/events/{event_id}/conflicts", response_model=list[ConflictOut], tags=["gate"])
def list_conflicts(event_id: IdPath, state: State, _: Admin) -> list[ConflictOut]:
    """Tickets admitted twice with no exit between (gates that were offline)."""
    return event_conflicts(state, event_id)


@router.get("/events/{event_id}/attendance", response_model=Attendance, tags=["gate"])
def attendance(event_id: IdPath, state: State, _: Admin) -> Attendance:
    """Admitted tickets, inside now, admits by gate and by quarter hour."""
    return event_attendance(state, event_id)


def event_conflicts(state: ServerState, event_id: int) -> list[ConflictOut]:
    with state.db.read() as session:
        get_event_or_404(session, event_id)
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
        event = get_event_or_404(session, event_id)
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
