"""The gate: verify a code, decide, journal, answer.

``Gate.scan(text, now)`` is the one call every input path of a kiosk (camera, hand
scanner, manual entry) goes through; the judging itself is the check path shared
with the server's online validation (``scanner.check``).  The
journal write is committed (fsynced) before ``scan`` returns, for every verdict,
so a green screen is always on disk.  Rejections are journalled too: the counts
supervisors read and the audit trail need them.

Only the camera debounces (``scan(..., camera=True)``): the same code seen again
within ``debounce`` of its last sighting is the same guest still holding it up.
It gets the previous verdict back, marked ``repeat``, and nothing new is
journalled.  A presentation lasts at most ``presentation_cap`` from its first
sighting, so a code shown again and again just inside the window is decided again
(and is ``already_used``, journalled, a conflict the server can see) rather than
admitted forever on one row.  A manifest reload ends every presentation: what
the kiosk now knows (a revocation) is applied to the next sighting.  A hand
scanner or a typed code is never debounced: a second scan is a second
presentation.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from scanner.check import OfflineCheckProvider
from scanner.checkpoint import Checkpoint
from scanner.keys import Keyring
from scanner.limits import MAX_GATE_NAME, MAX_OVERRIDE_REASON
from scanner.state import Direction, ScanEvent
from scanner.store import META_GATE, META_MODE, JournalWriteError, Store
from scanner.verdict import Verdict, VerdictKind

log = logging.getLogger(__name__)

DEFAULT_DEBOUNCE = timedelta(seconds=3)
DEFAULT_PRESENTATION_CAP = timedelta(seconds=10)
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
        presentation_cap: timedelta = DEFAULT_PRESENTATION_CAP,
    ) -> None:
        self.store = store
        self._checkpoint = checkpoint
        self.gate_name = gate_name
        self.provider = OfflineCheckProvider(store, event_ids=event_ids, keyring=keyring)
        self.debounce = debounce
        self.presentation_cap = presentation_cap
        self.device_id = store.device_id
        self._recent: dict[str, _Presentation] = {}
        self._lock = threading.Lock()
        self._remember_mode()

    @property
    def event_ids(self) -> frozenset[int]:
        return self.provider.event_ids

    @property
    def keyring(self) -> Keyring:
        return self.provider.keyring()

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
            self._remember_mode()

    def _remember_mode(self) -> None:
        """The mode, in the store, for the heartbeat to report (the organiser's view)."""
        mode = str(self._checkpoint.mode)
        if self.store.get_meta(META_MODE) != mode:
            self.store.set_meta(META_MODE, mode)

    def rename(self, name: str, *, actor: str, now: datetime) -> None:
        """Name the gate on later scans.  Journalled, and kept in the store, so the
        kiosk comes back after a restart under the name the supervisor gave it."""
        name = name.strip()
        if not name:
            raise ValueError("a gate needs a name")
        if len(name) > MAX_GATE_NAME:
            raise ValueError(f"a gate name is at most {MAX_GATE_NAME} characters")
        with self._lock:
            if name == self.gate_name:
                return
            self.store.record_audit(actor, "gate_name", {"from": self.gate_name, "to": name}, now)
            self.store.set_meta(META_GATE, name)
            self.gate_name = name

    def set_events(self, event_ids: Collection[int], *, actor: str, now: datetime) -> None:
        with self._lock:
            self.store.record_audit(actor, "events", {"event_ids": sorted(event_ids)}, now)
            self.provider.event_ids = frozenset(event_ids)
            self._recent.clear()

    def reload_manifest(self) -> None:
        """Pick up keys, events and revocations a sync has written to the store.

        Every presentation ends here: a code still in view is decided again with
        what the kiosk now knows, so a ticket revoked by this sync is never waved
        through as a repeat of its earlier admit.
        """
        with self._lock:
            self.provider.reload()
            self._recent.clear()

    # --- scanning ---------------------------------------------------------------

    def scan(self, text: str, now: datetime, *, camera: bool = False) -> Verdict:
        """Judge ``text`` and journal the verdict before returning it.

        ``camera``: the code was read from a frame, so a sighting of a code already
        in view is the same presentation (see the module's docstring)."""
        if now.tzinfo is None:
            raise ValueError("Gate.scan needs an aware datetime")
        code = text.strip(_WEDGE_NOISE) if isinstance(text, str) else ""
        with self._lock:
            if camera:
                repeated = self._repeat(code, now)
                if repeated is not None:
                    return repeated
            try:
                verdict = self._scan(code, now)
            except JournalWriteError as exc:
                # No admit without a journal row: say so, loudly, and let no one in.
                log.error("%s", exc)
                return Verdict(
                    VerdictKind.NOT_RECORDED,
                    now,
                    reason="storage_full" if exc.disk_full else "storage_error",
                    gate=self.gate_name,
                    timezone=self._home_timezone(),
                )
            if camera:
                self._recent[code] = _Presentation(now, now, verdict)
            return verdict

    def _repeat(self, code: str, now: datetime) -> Verdict | None:
        if len(self._recent) > 256:
            cutoff = now - self.debounce
            self._recent = {k: p for k, p in self._recent.items() if p.last_seen >= cutoff}
        seen = self._recent.get(code)
        if seen is None:
            return None
        if (
            timedelta(0) <= now - seen.last_seen <= self.debounce
            and now - seen.first_seen <= self.presentation_cap
        ):
            seen.last_seen = now
            return replace(seen.verdict, repeat=True)
        del self._recent[code]
        return None

    def _scan(self, code: str, now: datetime) -> Verdict:
        checked = self.provider.check(code, self._checkpoint, now)
        claims, event = checked.claims, checked.event
        scan = self._journal(
            checked.ticket_id,
            claims.event_id if claims else None,
            checked.kind,
            checked.reason,
            now,
        )
        return Verdict(
            checked.kind,
            now,
            reason=checked.reason,
            scan_id=scan.scan_id,
            claims=claims,
            ticket=checked.record,
            first_used=checked.first_used,
            not_in_manifest=claims is not None and checked.record is None,
            timezone=event.timezone if event else self._home_timezone(),
            gate=self.gate_name,
            event_name=event.name if event else "",
            type_note=checked.type_note,
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

    @property
    def timezone(self) -> str:
        """The served events' time zone: every time a person reads is in it."""
        with self._lock:
            return self._home_timezone()

    def _home_timezone(self) -> str:
        """The time zone of the events this gate serves: how staff read any time shown
        for a ticket the manifest does not know (another event's, say)."""
        for event_id in sorted(self.event_ids):
            event = self.provider.event(event_id)
            if event is not None:
                return event.timezone
        return "UTC"

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
        if len(reason) > MAX_OVERRIDE_REASON or len(supervisor) > MAX_OVERRIDE_REASON:
            raise OverrideError(f"a reason is at most {MAX_OVERRIDE_REASON} characters")
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


@dataclass(slots=True)
class _Presentation:
    """One code held up to the camera: when it was first and last seen, and its verdict."""

    first_seen: datetime
    last_seen: datetime
    verdict: Verdict
