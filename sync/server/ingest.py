"""Scan ingest: idempotent by scan id, per-scan acknowledgements, conflicts derived.

A conflict is a fact of the fold (``scanner.state``): two admits into one zone
with no exit between them.  After each batch the conflicts of every touched
ticket are recomputed from *all* its scans and the stored set is made equal to
the computed one.  So a re-push adds nothing, and an exit that arrives late
(it was scanned between the two admits at a third, offline gate) clears a
conflict that only looked like one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from scanner.state import EFFECTIVE_VERDICTS, Direction, EventDays, ScanEvent, fold
from sync.server import changes
from sync.server.models import Conflict, Event, Presence, Scan, ScanCount, Ticket
from sync.server.principals import Principal
from sync.server.shapes import scan_event, scan_row
from sync.wire import PushResponse, ScanAck, ScanEventWire

_CHUNK = 500


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def ticket_scans(session: Session, ticket_ids: Sequence[str]) -> dict[str, list[ScanEvent]]:
    by_ticket: dict[str, list[ScanEvent]] = defaultdict(list)
    for chunk in _chunks(ticket_ids):
        for row in session.scalars(select(Scan).where(Scan.ticket_id.in_(chunk))):
            by_ticket[row.ticket_id or ""].append(scan_event(row))
    return by_ticket


def ingest(session: Session, device: Principal, scans: Sequence[ScanEventWire]) -> PushResponse:
    changes.lock(session)  # one ingest at a time per database: no scan id race
    ids = [s.scan_id for s in scans]
    existing: set[str] = set()
    for chunk in _chunks(ids):
        existing.update(session.scalars(select(Scan.scan_id).where(Scan.scan_id.in_(chunk))))
    ticket_events = _ticket_events(session, {s.ticket_id for s in scans if s.ticket_id})
    acks: list[ScanAck] = []
    fresh: list[ScanEventWire] = []
    for scan in scans:
        refusal = _refusal(scan, device, ticket_events)
        if refusal:
            acks.append(ScanAck(scan_id=scan.scan_id, status="rejected", detail=refusal))
        elif scan.scan_id in existing:
            acks.append(ScanAck(scan_id=scan.scan_id, status="duplicate"))
        else:
            existing.add(scan.scan_id)
            fresh.append(scan)
            acks.append(ScanAck(scan_id=scan.scan_id, status="stored"))
    new_conflicts = store_scans(session, fresh, origin_device=device.device_id)
    return PushResponse(acks=acks, new_conflicts=new_conflicts)


def _ticket_events(session: Session, ticket_ids: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(ticket_ids)):
        rows = session.execute(
            select(Ticket.ticket_id, Ticket.event_id).where(Ticket.ticket_id.in_(chunk))
        )
        found.update({ticket_id: event_id for ticket_id, event_id in rows})
    return found


def _refusal(scan: ScanEventWire, device: Principal, ticket_events: dict[str, int]) -> str:
    """Why this kiosk may not store ``scan`` ("" if it may).  A kiosk acts on its own
    events only: a scan of another event's ticket (whatever event the scan claims,
    null included) would mark a guest of that event used at a gate it never had."""
    if scan.device_id != device.device_id:
        return f"scan belongs to device {scan.device_id}; a kiosk pushes only its own scans"
    if scan.ticket_id is not None:
        event_id = ticket_events.get(scan.ticket_id)
        if event_id is None:
            return f"no ticket {scan.ticket_id} on this server"
        if scan.event_id != event_id or event_id not in device.event_ids:
            return "the ticket is not of an event this kiosk is enrolled for"
    elif scan.event_id is not None and scan.event_id not in device.event_ids:
        return f"this kiosk is not enrolled for event {scan.event_id}"
    return ""


def store_scans(
    session: Session, fresh: Sequence[ScanEventWire], *, origin_device: str | None
) -> int:
    """Insert scans known to be new, log them for other kiosks, refresh conflicts."""
    if not fresh:
        return 0
    session.execute(insert(Scan), [scan_row(s) for s in fresh])
    # Only scans of a ticket travel to other kiosks, and only to its event's: a scan
    # of an unreadable code has no event, and would otherwise reach every kiosk.
    changes.record(
        session,
        [
            changes.NewChange(
                "scan", s.event_id, s.scan_id, s.model_dump(mode="json"), origin_device
            )
            for s in fresh
            if s.ticket_id is not None and s.event_id is not None
        ],
    )
    _count(session, fresh)
    moved = sorted({s.ticket_id for s in fresh if s.ticket_id and s.verdict in EFFECTIVE_VERDICTS})
    return refresh_conflicts(session, moved)


def _count(session: Session, fresh: Sequence[ScanEventWire]) -> None:
    """Add the new scans' admits and exits to ``scan_counts`` (each scan is stored once,
    so each is counted once)."""
    tally: dict[tuple[int, str, str, int], list[int]] = defaultdict(lambda: [0, 0])
    for scan in fresh:
        if scan.event_id is None or scan.verdict not in EFFECTIVE_VERDICTS:
            continue
        quarter = int(scan.scanned_at.timestamp()) // 900
        tally[(scan.event_id, scan.zone, scan.gate, quarter)][scan.verdict == "exited"] += 1
    if not tally:
        return
    rows = [
        {"event_id": e, "zone": z, "gate": g, "quarter": q, "admits": a, "exits": x}
        for (e, z, g, q), (a, x) in tally.items()
    ]
    upsert = (
        postgresql_insert(ScanCount)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite_insert(ScanCount)
    )
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=["event_id", "zone", "gate", "quarter"],
            set_={
                "admits": ScanCount.admits + upsert.excluded.admits,
                "exits": ScanCount.exits + upsert.excluded.exits,
            },
        ),
        rows,
    )


def _event_days(session: Session, event_ids: set[int | None]) -> dict[int, EventDays | None]:
    known = [e for e in event_ids if e is not None]
    return {
        event.id: event.days for event in session.scalars(select(Event).where(Event.id.in_(known)))
    }


def refresh_conflicts(session: Session, ticket_ids: Sequence[str]) -> int:
    if not ticket_ids:
        return 0
    scans = ticket_scans(session, ticket_ids)
    stored: dict[str, dict[tuple[str, str], Conflict]] = defaultdict(dict)
    for chunk in _chunks(ticket_ids):
        for row in session.scalars(select(Conflict).where(Conflict.ticket_id.in_(chunk))):
            stored[row.ticket_id][(row.first_scan_id, row.second_scan_id)] = row
    days = _event_days(session, {e.event_id for events in scans.values() for e in events})
    added = 0
    presence: list[dict[str, Any]] = []
    for ticket_id in ticket_ids:
        history = scans.get(ticket_id, [])
        event_id = next((e.event_id for e in history if e.event_id is not None), None)
        # With event days, Saturday's admit after Friday's is no conflict.
        state = fold(history, days=days.get(event_id) if event_id is not None else None)
        presence.extend(_presence(ticket_id, history))
        wanted = {(c.first.scan_id, c.second.scan_id): c for c in state.conflicts}
        have = stored.get(ticket_id, {})
        for pair in have.keys() - wanted.keys():
            session.execute(delete(Conflict).where(Conflict.id == have[pair].id))
        for pair in wanted.keys() - have.keys():
            conflict = wanted[pair]
            session.add(
                Conflict(
                    event_id=conflict.second.event_id,
                    ticket_id=ticket_id,
                    zone=conflict.zone,
                    first_scan_id=conflict.first.scan_id,
                    second_scan_id=conflict.second.scan_id,
                    first_gate=conflict.first.gate,
                    second_gate=conflict.second.gate,
                    first_at=conflict.first.scanned_at,
                    second_at=conflict.second.scanned_at,
                )
            )
            added += 1
    for chunk in _chunks(ticket_ids):
        session.execute(delete(Presence).where(Presence.ticket_id.in_(chunk)))
    if presence:
        session.execute(insert(Presence), presence)
    return added


def _presence(ticket_id: str, history: Sequence[ScanEvent]) -> list[dict[str, Any]]:
    """The ticket's rows of ``presence``: per zone, its latest moving scan (by time, then
    scan id, as the fold orders them) and its first entry."""
    moves = sorted(
        (e for e in history if e.verdict in EFFECTIVE_VERDICTS and e.event_id is not None),
        key=lambda e: (e.scanned_at, e.scan_id),
    )
    found: dict[str, dict[str, Any]] = {}
    for move in moves:
        row = found.setdefault(
            move.zone,
            {
                "ticket_id": ticket_id,
                "zone": move.zone,
                "event_id": move.event_id,
                "first_admitted_at": None,
            },
        )
        row["last_direction"] = str(move.direction)
        row["last_at"] = move.scanned_at
        if move.direction is Direction.IN and row["first_admitted_at"] is None:
            row["first_admitted_at"] = move.scanned_at
    return list(found.values())
