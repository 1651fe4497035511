"""Online validation through the gate's own decision, conflicts, and attendance."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from scanner.checkpoint import preset
from scanner.keys import Keyring, public_from_raw
from scanner.manifest import TicketRecord, TicketStatus
from scanner.rules import decide
from scanner.state import fold
from scanner.ticket import Rejection, Seat, verify
from scanner.verdict import VerdictKind
from sync.server.auth import Admin, AnyPrincipal
from sync.server.ingest import scan_event, store_scans
from sync.server.models import Conflict, Event, Scan, SigningKey, Ticket
from sync.server.routes.catalog import get_event_or_404
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
        result = verify(body.code, server_keyring(session))
        checkpoint = preset(body.mode)
        gate_name = body.gate or principal.gate or principal.name
        out: ValidateOut
        ticket_id = event_id = None
        if result.claims is None:
            kind = (
                VerdictKind.UNKNOWN_KEY
                if result.rejection is Rejection.UNKNOWN_KEY
                else VerdictKind.INVALID
            )
            out = ValidateOut(kind=kind, reason=str(result.rejection))
        else:
            claims = result.claims
            ticket_id, event_id = claims.ticket_hex, claims.event_id
            event = session.get(Event, claims.event_id)
            if event is not None:
                checkpoint = preset(body.mode, allow_reentry=event.allow_reentry)
            allowed = (
                {e for e in session.scalars(select(Event.id))}
                if principal.is_admin
                else principal.event_ids
            )
            ticket = session.get(Ticket, ticket_id)
            record = ticket_record(ticket) if ticket else None
            rows = session.scalars(select(Scan).where(Scan.ticket_id == ticket_id))
            ticket_state = fold(scan_event(r) for r in rows)
            kind, reason = decide(claims, record, None, ticket_state, checkpoint, allowed, now)
            first = ticket_state.zone(checkpoint.zone).first_in or ticket_state.first_used
            out = ValidateOut(
                kind=kind,
                reason=reason,
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
    with state.db.read() as session:
        get_event_or_404(session, event_id)
        rows = session.scalars(
            select(Scan).where(Scan.event_id == event_id, Scan.verdict.in_(["admitted", "exited"]))
        )
        by_ticket = defaultdict(list)
        by_gate: Counter[str] = Counter()
        by_quarter: Counter[datetime] = Counter()
        exits = 0
        for row in rows:
            event = scan_event(row)
            by_ticket[row.ticket_id].append(event)
            if row.verdict == "admitted" and row.zone == "main":
                by_gate[row.gate] += 1
                at = row.scanned_at
                by_quarter[
                    at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)
                ] += 1
            elif row.verdict == "exited" and row.zone == "main":
                exits += 1
        states = [fold(events) for events in by_ticket.values()]
        return Attendance(
            event_id=event_id,
            admitted=sum(1 for s in states if s.zone("main").entries),
            inside_now=sum(1 for s in states if s.zone("main").inside),
            exits=exits,
            by_gate=dict(by_gate),
            by_quarter_hour=[
                QuarterHour(start=start, admitted=count)
                for start, count in sorted(by_quarter.items())
            ],
        )
