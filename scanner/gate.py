"""The gate: verify a code, decide, journal, answer.

``Gate.scan(text, now)`` is the one call every input path (camera, hand
scanner, manual entry, the server's online validation) goes through.  The
journal write is committed (fsynced) before ``scan`` returns, for every verdict,
so a green screen is always on disk.  Rejections are journalled too: the counts
supervisors read and the audit trail need them.

The same code seen again within ``debounce`` at this kiosk is the same guest
still in front of the camera.  It gets the previous verdict back, marked
``repeat``, and nothing new is journalled.  The window slides: it is measured
from the last time the code was seen, so a ticket held up for ten seconds is
one presentation.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime, timedelta

from scanner.checkpoint import Checkpoint
from scanner.keys import Keyring
from scanner.manifest import EventRecord
from scanner.rules import decide
from scanner.state import Direction, ScanEvent, TicketState, fold
from scanner.store import META_GATE, Store
from scanner.ticket import Rejection, verify
from scanner.verdict import Verdict, VerdictKind

log = logging.getLogger(__name__)

DEFAULT_DEBOUNCE = timedelta(seconds=3)
_WEDGE_NOISE = "\r\n\t\x00"
"""Hand scanners end a code with Enter (sometimes Tab).  Spaces are *not* noise:
the space is a Base45 character and may end a genuine code."""


class OverrideError(ValueError):
    """An override that cannot be granted (nothing to override, no reason given)."""


class Gate:
    def __init__(
        self,
        store: Store,
        checkpoint: Checkpoint,
        *,
        gate_name: str,
        event_ids: Collection[int] | None = None,
        keyring: Keyring | None = None,
        debounce: timedelta = DEFAULT_DEBOUNCE,
    ) -> None:
        self.store = store
        self._checkpoint = checkpoint
        self.gate_name = gate_name
        self.event_ids = frozenset(event_ids if event_ids is not None else store.event_ids())
        self.keyring = keyring if keyring is not None else store.keyring()
        self.debounce = debounce
        self.device_id = store.device_id
        self._recent: dict[str, tuple[datetime, Verdict]] = {}
        self._events: dict[int, EventRecord | None] = {}
        self._lock = threading.Lock()

    @property
    def checkpoint(self) -> Checkpoint:
        return self._checkpoint

    def set_checkpoint(self, checkpoint: Checkpoint, *, actor: str, now: datetime) -> None:
        """Switch mode or options; journalled, and the debounce memory is cleared."""
        with self._lock:
            self.store.record_audit(
                actor,
                "checkpoint",
                {
                    "gate": self.gate_name,
                    "from": str(self._checkpoint.mode),
                    "to": str(checkpoint.mode),
                    "zone": checkpoint.zone,
                },
                now,
            )
            self._checkpoint = checkpoint
            self._recent.clear()

    def rename(self, name: str, *, actor: str, now: datetime) -> None:
        """Name the gate on later scans.  Journalled, and kept in the store, so the
        kiosk comes back after a restart under the name the supervisor gave it."""
        name = name.strip()
        if not name:
            raise ValueError("a gate needs a name")
        with self._lock:
            if name == self.gate_name:
                return
            self.store.record_audit(actor, "gate_name", {"from": self.gate_name, "to": name}, now)
            self.store.set_meta(META_GATE, name)
            self.gate_name = name

    def set_events(self, event_ids: Collection[int], *, actor: str, now: datetime) -> None:
        with self._lock:
            self.store.record_audit(actor, "events", {"event_ids": sorted(event_ids)}, now)
            self.event_ids = frozenset(event_ids)
            self._recent.clear()

    def reload_manifest(self) -> None:
        """Pick up keys and events a sync has written to the store.

        The debounce memory is kept: a guest still holding up a code while a sync
        lands is the same presentation, not a second entry.
        """
        with self._lock:
            self.keyring = self.store.keyring()
            self._events.clear()

    # --- scanning ---------------------------------------------------------------

    def scan(self, text: str, now: datetime) -> Verdict:
        if now.tzinfo is None:
            raise ValueError("Gate.scan needs an aware datetime")
        code = text.strip(_WEDGE_NOISE) if isinstance(text, str) else ""
        with self._lock:
            repeated = self._repeat(code, now)
            if repeated is not None:
                return repeated
            verdict = self._scan(code, now)
            self._recent[code] = (now, verdict)
            return verdict

    def _repeat(self, code: str, now: datetime) -> Verdict | None:
        if len(self._recent) > 256:
            cutoff = now - self.debounce
            self._recent = {k: v for k, v in self._recent.items() if v[0] >= cutoff}
        seen = self._recent.get(code)
        if seen is None:
            return None
        last_seen, verdict = seen
        if timedelta(0) <= now - last_seen <= self.debounce:
            self._recent[code] = (now, verdict)
            return replace(verdict, repeat=True)
        return None

    def _scan(self, code: str, now: datetime) -> Verdict:
        checkpoint = self._checkpoint
        result = verify(code, self.keyring)
        if result.claims is None:
            kind = (
                VerdictKind.UNKNOWN_KEY
                if result.rejection is Rejection.UNKNOWN_KEY
                else VerdictKind.INVALID
            )
            reason = str(result.rejection or "")
            scan = self._journal(None, None, kind, reason, now)
            return Verdict(kind, now, reason=reason, scan_id=scan.scan_id, gate=self.gate_name)
        claims = result.claims
        ticket_id = claims.ticket_hex
        record = self.store.get_ticket(ticket_id)
        revocation = self.store.get_revocation(ticket_id)
        event = self._event(claims.event_id)
        days = event.days if event is not None else None
        state = fold(self.store.scans_for_ticket(ticket_id), days=days, now=now)
        kind, reason = decide(claims, record, revocation, state, checkpoint, self.event_ids, now)
        scan = self._journal(ticket_id, claims.event_id, kind, reason, now)
        return Verdict(
            kind,
            now,
            reason=reason,
            scan_id=scan.scan_id,
            claims=claims,
            ticket=record,
            first_used=_first_use(state, checkpoint.zone, today_only=days is not None),
            not_in_manifest=record is None,
            timezone=event.timezone if event else "UTC",
            gate=self.gate_name,
        )

    def _journal(
        self,
        ticket_id: str | None,
        event_id: int | None,
        kind: VerdictKind,
        reason: str,
        now: datetime,
        *,
        override_by: str | None = None,
        override_reason: str | None = None,
    ) -> ScanEvent:
        checkpoint = self._checkpoint
        scan = ScanEvent(
            scan_id=uuid.uuid4().hex,
            ticket_id=ticket_id,
            event_id=event_id,
            device_id=self.device_id,
            gate=self.gate_name,
            zone=checkpoint.zone,
            direction=checkpoint.direction,
            scanned_at=now,
            verdict=str(kind),
            reason=reason,
            override_by=override_by,
            override_reason=override_reason,
        )
        self.store.record_scan(scan)
        return scan

    def _event(self, event_id: int) -> EventRecord | None:
        if event_id not in self._events:
            self._events[event_id] = self.store.get_event(event_id)
        return self._events[event_id]

    # --- supervisor override -------------------------------------------------------

    def override(
        self, rejected: Verdict, *, supervisor: str, reason: str, now: datetime
    ) -> Verdict:
        """Let a guest through despite ``rejected``; journalled with who and why.

        The override is a scan event of its own (an admit, or an exit at an exit
        gate), so it counts in the ticket's state and syncs like any scan.
        """
        if rejected.positive:
            raise OverrideError("this scan was not rejected; there is nothing to override")
        if not reason.strip() or not supervisor.strip():
            raise OverrideError("an override needs the supervisor's id and a reason")
        kind = (
            VerdictKind.EXITED
            if self._checkpoint.direction is Direction.OUT
            else VerdictKind.ADMITTED
        )
        with self._lock:
            scan = self._journal(
                rejected.ticket_id,
                rejected.claims.event_id if rejected.claims else None,
                kind,
                f"override:{rejected.kind}",
                now,
                override_by=supervisor,
                override_reason=reason,
            )
            self.store.record_audit(
                supervisor,
                "override",
                {
                    "scan_id": scan.scan_id,
                    "rejected_scan_id": rejected.scan_id,
                    "rejected": str(rejected.kind),
                    "reason": reason,
                },
                now,
            )
            self._recent.clear()
        return replace(
            rejected,
            kind=kind,
            reason=f"override:{rejected.kind}",
            scan_id=scan.scan_id,
            scanned_at=now,
            repeat=False,
            override_by=supervisor,
            override_reason=reason,
        )


def _first_use(state: TicketState, zone: str, *, today_only: bool) -> ScanEvent | None:
    """The admission a supervisor asks about: the first ever, or on an event with days
    the latest, which is today's."""
    zone_state = state.zone(zone)
    if today_only:
        return zone_state.last_in if zone_state.entries_today else None
    return zone_state.first_in or state.first_used
