"""The check path: one function from a code to a verdict, over whatever holds the facts.

A *check provider* answers "may this code pass this checkpoint now?".  The kiosk's
:class:`OfflineCheckProvider` reads its synced store; the server's online provider
(``sync.server.services.admissions``) reads the server's database.  Both are thin:
each only says where the facts come from (:class:`TicketFacts`), and both reach
their answer through :func:`check_code`, so through the same ``verify``,
``fold`` and ``decide`` with the same inputs.  A rule added here is a rule at
every gate, online or off.  (pretix's libpretixsync has the same shape: one
``TicketCheckProvider`` with offline and online implementations.)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from scanner.checkpoint import Checkpoint
from scanner.keys import Keyring
from scanner.manifest import EventRecord, Revocation, TicketRecord
from scanner.rules import judge
from scanner.state import ScanEvent
from scanner.store import Store
from scanner.ticket import Rejection, TicketClaims, verify
from scanner.verdict import VerdictKind


@dataclass(frozen=True, slots=True)
class CheckResult:
    kind: VerdictKind
    reason: str
    claims: TicketClaims | None = None
    """The verified claims; ``None`` when the code is not a genuine ticket."""
    record: TicketRecord | None = None
    """What the manifest says about the ticket, when it knows it."""
    event: EventRecord | None = None
    first_used: ScanEvent | None = None
    type_note: str = ""
    """The ticket type's note for staff ("ID required"), for genuine tickets only."""

    @property
    def ticket_id(self) -> str | None:
        return self.claims.ticket_hex if self.claims else None


class TicketFacts(Protocol):
    """Where a check reads what it needs: keys, the events served, and one ticket's
    record, revocation, event and scans."""

    def keyring(self) -> Keyring: ...

    def served_events(self) -> Collection[int]: ...

    def ticket(self, ticket_id: str) -> TicketRecord | None: ...

    def revocation(self, ticket_id: str) -> Revocation | None: ...

    def event(self, event_id: int) -> EventRecord | None: ...

    def scans(self, ticket_id: str) -> Iterable[ScanEvent]: ...

    def type_note(self, event_id: int, ticket_type: str) -> str: ...


class CheckProvider(Protocol):
    def check(self, code: str, checkpoint: Checkpoint, now: datetime) -> CheckResult: ...


def check_code(code: str, facts: TicketFacts, checkpoint: Checkpoint, now: datetime) -> CheckResult:
    """The one check path (see the module's docstring)."""
    result = verify(code, facts.keyring())
    claims = result.claims
    if claims is None:
        kind = (
            VerdictKind.UNKNOWN_KEY
            if result.rejection is Rejection.UNKNOWN_KEY
            else VerdictKind.INVALID
        )
        return CheckResult(kind, str(result.rejection or ""))
    ticket_id = claims.ticket_hex
    record = facts.ticket(ticket_id)
    event = facts.event(claims.event_id)
    judgement = judge(
        claims,
        record,
        facts.revocation(ticket_id),
        facts.scans(ticket_id),
        checkpoint,
        facts.served_events(),
        now,
        days=event.days if event is not None else None,
        event_allows_reentry=bool(event and event.allow_reentry),
    )
    ticket_type = record.ticket_type if record else claims.ticket_type
    return CheckResult(
        judgement.kind,
        judgement.reason,
        claims,
        record,
        event,
        judgement.first_used,
        facts.type_note(claims.event_id, ticket_type)
        if claims.event_id in facts.served_events()
        else "",
    )


class OfflineCheckProvider:
    """Checks against the kiosk's own store: no network, the manifest as last synced.

    Keys and events are read once and kept until :meth:`reload` (after a sync), so a
    scan costs one ticket lookup and its scans, not a keyring rebuild."""

    def __init__(
        self,
        store: Store,
        *,
        event_ids: Collection[int] | None = None,
        keyring: Keyring | None = None,
    ) -> None:
        self.store = store
        self.event_ids = frozenset(event_ids if event_ids is not None else store.event_ids())
        self._keyring = keyring if keyring is not None else store.keyring()
        self._events: dict[int, EventRecord | None] = {}
        self._notes: dict[tuple[int, str], str] = {}

    def reload(self) -> None:
        """Pick up the keys and events a sync has written to the store."""
        self._keyring = self.store.keyring()
        self._events.clear()
        self._notes.clear()

    def check(self, code: str, checkpoint: Checkpoint, now: datetime) -> CheckResult:
        return check_code(code, self, checkpoint, now)

    # --- TicketFacts ---------------------------------------------------------------

    def keyring(self) -> Keyring:
        return self._keyring

    def served_events(self) -> Collection[int]:
        return self.event_ids

    def ticket(self, ticket_id: str) -> TicketRecord | None:
        return self.store.get_ticket(ticket_id)

    def revocation(self, ticket_id: str) -> Revocation | None:
        return self.store.get_revocation(ticket_id)

    def event(self, event_id: int) -> EventRecord | None:
        if event_id not in self._events:
            self._events[event_id] = self.store.get_event(event_id)
        return self._events[event_id]

    def scans(self, ticket_id: str) -> Iterable[ScanEvent]:
        return self.store.scans_for_ticket(ticket_id)

    def type_note(self, event_id: int, ticket_type: str) -> str:
        key = (event_id, ticket_type)
        if key not in self._notes:
            self._notes[key] = self.store.type_note(event_id, ticket_type)
        return self._notes[key]
