"""Admissions: the server's check provider (online validation), and kiosks' pushes.

:class:`OnlineCheckProvider` is the server's side of the one check path
(``scanner.check``): it reads the facts from the database, each through the same
shape a kiosk's manifest pull gives it (row → wire → domain, ``shapes`` and
``sync.wire``), and ``check_code`` does the rest, exactly as at a kiosk.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanner.check import CheckResult, check_code
from scanner.checkpoint import Checkpoint, preset
from scanner.keys import Keyring, public_from_raw
from scanner.manifest import EventRecord, Revocation, TicketRecord
from scanner.state import ScanEvent
from sync.server import changes
from sync.server.ingest import ingest, store_scans
from sync.server.models import AuditEntry, Event, Scan, SigningKey, Ticket, TicketType
from sync.server.principals import Principal
from sync.server.schemas import ValidateIn, ValidateOut
from sync.server.shapes import event_data, scan_event, ticket_data
from sync.server.state import ServerState
from sync.wire import (
    PushAuditRequest,
    PushAuditResponse,
    PushRequest,
    PushResponse,
    ScanEventWire,
)


def server_keyring(session: Session) -> Keyring:
    ring = Keyring()
    for key in session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))):
        ring.add(public_from_raw(key.public_key))
    return ring


class OnlineCheckProvider:
    """Checks against the server's database, as a kiosk serving ``event_ids`` would.

    A kiosk's store holds only its own events' tickets, events and scans; so does
    this provider's view: another event's ticket is unknown here too, and its
    holder and history never reach the answer."""

    def __init__(self, session: Session, event_ids: Collection[int]) -> None:
        self.session = session
        self.event_ids = frozenset(event_ids)
        self._keyring: Keyring | None = None

    def check(self, code: str, checkpoint: Checkpoint, now: datetime) -> CheckResult:
        return check_code(code, self, checkpoint, now)

    # --- TicketFacts ---------------------------------------------------------------

    def keyring(self) -> Keyring:
        if self._keyring is None:
            self._keyring = server_keyring(self.session)
        return self._keyring

    def served_events(self) -> Collection[int]:
        return self.event_ids

    def ticket(self, ticket_id: str) -> TicketRecord | None:
        row = self.session.get(Ticket, ticket_id)
        if row is None or row.event_id not in self.event_ids:
            return None
        return ticket_data(row).to_record()

    def revocation(self, ticket_id: str) -> Revocation | None:
        """None: a revoked ticket's record says so (its status), as the manifest's
        ticket change does on a kiosk after the revocation change; both give the
        same verdict and reason (``decide``)."""
        return None

    def event(self, event_id: int) -> EventRecord | None:
        if event_id not in self.event_ids:
            return None
        row = self.session.get(Event, event_id)
        return event_data(row).to_record() if row is not None else None

    def scans(self, ticket_id: str) -> Iterable[ScanEvent]:
        rows = self.session.scalars(select(Scan).where(Scan.ticket_id == ticket_id))
        return [scan_event(row) for row in rows if row.event_id in self.event_ids]

    def type_note(self, event_id: int, ticket_type: str) -> str:
        note = self.session.scalar(
            select(TicketType.gate_note).where(
                TicketType.event_id == event_id, TicketType.code == ticket_type
            )
        )
        return note or ""


def validate(state: ServerState, principal: Principal, body: ValidateIn) -> ValidateOut:
    """Judge a code online through the kiosk's own check path.

    A kiosk's call is recorded as its scan (and syncs to the others); an admin's
    is a dry run that records nothing."""
    now = datetime.now(UTC)
    with state.db.write() as session:
        # Read, decide and record as one: the change log's lock (which recording a
        # scan takes anyway) is taken first, so two kiosks validating one code at the
        # same instant are judged one after the other, never both on the old state.
        changes.lock(session)
        served = (
            set(session.scalars(select(Event.id))) if principal.is_admin else principal.event_ids
        )
        checkpoint = preset(body.mode)
        checked = OnlineCheckProvider(session, served).check(body.code, checkpoint, now)
        out = _answer(checked, principal)
        if principal.device_id is not None:
            gate_name = body.gate or principal.gate or principal.name
            out = _record(session, checked, out, checkpoint, principal.device_id, gate_name, now)
        return out


BOX_OFFICE_DEVICE = "box-office"
"""The device id the box office's admissions are recorded under (no kiosk has it)."""


def admit_at_desk(
    session: Session, codes: list[str], event_id: int, gate: str
) -> list[ValidateOut]:
    """Admit tickets sold at the door through the one check path, in the caller's
    transaction (the sale's): recorded as scans at ``gate``, so the gate dashboard
    counts them and every kiosk knows the guest is inside."""
    now = datetime.now(UTC)
    changes.lock(session)
    checkpoint = preset("entry")
    provider = OnlineCheckProvider(session, {event_id})
    answers = []
    for code in codes:
        checked = provider.check(code, checkpoint, now)
        out = ValidateOut(
            kind=checked.kind,
            reason=checked.reason,
            ticket_id=checked.ticket_id,
            type_note=checked.type_note,
        )
        answers.append(_record(session, checked, out, checkpoint, BOX_OFFICE_DEVICE, gate, now))
    return answers


def _record(
    session: Session,
    checked: CheckResult,
    out: ValidateOut,
    checkpoint: Checkpoint,
    device_id: str,
    gate_name: str,
    now: datetime,
) -> ValidateOut:
    """Store a check as a scan (it syncs to the kiosks like theirs)."""
    # Another event's ticket is recorded without its ids, as ingest would refuse
    # the kiosk's own copy: it must not mark a guest of that event as seen.
    claims = checked.claims if out.ticket_id is not None else None
    scan = ScanEventWire(
        scan_id=uuid.uuid4().hex,
        ticket_id=claims.ticket_hex if claims else None,
        event_id=claims.event_id if claims else None,
        device_id=device_id,
        gate=gate_name[:200] or "online",
        zone=checkpoint.zone,
        direction=str(checkpoint.direction),  # type: ignore[arg-type]
        scanned_at=now,
        verdict=str(out.kind),
        reason=out.reason[:200],
    )
    store_scans(session, [scan], origin_device=device_id)
    return out.model_copy(update={"scan_id": scan.scan_id, "recorded": True})


def _answer(checked: CheckResult, principal: Principal) -> ValidateOut:
    claims = checked.claims
    if claims is None or not principal.can_read_event(claims.event_id):
        # Not a ticket, or another event's: say only that, as the kiosk offline would;
        # no holder, seat or history of a guest this caller has no business with.
        return ValidateOut(kind=checked.kind, reason=checked.reason)
    record, first = checked.record, checked.first_used
    return ValidateOut(
        kind=checked.kind,
        reason=checked.reason,
        ticket_id=claims.ticket_hex,
        ticket_type=record.ticket_type if record else claims.ticket_type,
        holder_name=record.holder_name if record else None,
        seat=str(claims.seat) if claims.seat else None,
        accessible=claims.accessible,
        first_used_at=first.scanned_at if first else None,
        first_used_gate=first.gate if first else None,
        type_note=checked.type_note,
    )


def push_scans(state: ServerState, device: Principal, body: PushRequest) -> PushResponse:
    """Store a kiosk's scans; each gets an ack (stored, duplicate or rejected)."""
    with state.db.write() as session:
        return ingest(session, device, body.scans)


def push_audit(state: ServerState, device_id: str, body: PushAuditRequest) -> PushAuditResponse:
    """Store a kiosk's supervisor actions (idempotent by audit id)."""
    ids = [e.audit_id for e in body.entries]
    with state.db.write() as session:
        known = set(
            session.scalars(select(AuditEntry.audit_id).where(AuditEntry.audit_id.in_(ids)))
        )
        fresh = {e.audit_id: e for e in body.entries if e.audit_id not in known}
        session.add_all(
            AuditEntry(
                audit_id=e.audit_id,
                device_id=device_id,
                at=e.at,
                actor=e.actor,
                action=e.action,
                detail=e.detail,
                received_at=datetime.now(UTC),
            )
            for e in fresh.values()
        )
    return PushAuditResponse(stored=len(fresh), duplicates=len(body.entries) - len(fresh))
