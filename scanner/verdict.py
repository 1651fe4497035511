"""The answer a kiosk shows: a verdict kind (stable code) and its context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from scanner.manifest import TicketRecord
from scanner.state import ScanEvent
from scanner.ticket import TicketClaims


class VerdictKind(StrEnum):
    ADMITTED = "admitted"
    EXITED = "exited"
    ALREADY_USED = "already_used"
    INVALID = "invalid"
    UNKNOWN_KEY = "unknown_key"
    WRONG_EVENT = "wrong_event"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_ALLOWED_HERE = "not_allowed_here"
    NEEDS_EXIT_FIRST = "needs_exit_first"
    NOT_IN_MANIFEST = "not_in_manifest"
    NOT_RECORDED = "not_recorded"
    """The journal could not be written (disk full): nobody may pass on an unrecorded
    scan.  Never journalled (it cannot be), so it never syncs."""


class Tone(StrEnum):
    """Which sound and colour family: the UI maps these, never the kinds, to media."""

    ADMIT = "admit"
    REJECT = "reject"
    WARNING = "warning"


POSITIVE_KINDS = frozenset({VerdictKind.ADMITTED, VerdictKind.EXITED})


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: VerdictKind
    scanned_at: datetime
    reason: str = ""
    scan_id: str | None = None
    claims: TicketClaims | None = None
    ticket: TicketRecord | None = None
    first_used: ScanEvent | None = None
    not_in_manifest: bool = False
    repeat: bool = False
    override_by: str | None = None
    override_reason: str | None = None
    timezone: str = "UTC"
    gate: str = ""
    event_name: str = ""
    """The ticket's event as the kiosk knows it ("" when its manifest does not)."""
    type_note: str = ""
    """The ticket type's note for staff ("ID required")."""

    @property
    def admits(self) -> bool:
        return self.kind is VerdictKind.ADMITTED

    @property
    def positive(self) -> bool:
        return self.kind in POSITIVE_KINDS

    @property
    def ticket_id(self) -> str | None:
        return self.claims.ticket_hex if self.claims else None

    @property
    def tone(self) -> Tone:
        if self.positive:
            return Tone.WARNING if self.not_in_manifest or self.override_by else Tone.ADMIT
        # Amber is for what staff can resolve (too early); a ticket already inside
        # (needs_exit_first) is a passback attempt and as red as any other refusal.
        if self.kind is VerdictKind.NOT_YET_VALID:
            return Tone.WARNING
        return Tone.REJECT

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the event's time zone: what staff and guests read."""
        return moment.astimezone(ZoneInfo(self.timezone))

    def first_used_text(self) -> str:
        """``first used 19:42 at Gate 3`` in the event's time zone, or ``""``."""
        if self.first_used is None:
            return ""
        at = self.local(self.first_used.scanned_at).strftime("%H:%M")
        return f"first used {at} at {self.first_used.gate}"
