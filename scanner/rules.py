"""The admission decision as a pure function of its inputs.

No clock, no database: ``decide`` gets the verified claims, what the manifest
says, the ticket's folded state, the checkpoint and ``now``, and returns a kind
and a reason code.  ``Gate`` does the I/O around it.  Keeping it pure is what
lets the server's online validation and every kiosk reach the same answer.

Order matters and is chosen so the most useful answer wins: a ticket for another
event is ``wrong_event`` even if it is also expired; a revoked ticket is
``revoked`` before anything about its history; exits are never refused for
validity (people must always be let out).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from scanner.checkpoint import Checkpoint
from scanner.manifest import Revocation, TicketRecord, TicketStatus
from scanner.state import Direction, EventDays, ScanEvent, TicketState, fold
from scanner.ticket import TicketClaims
from scanner.verdict import VerdictKind


def decide(
    claims: TicketClaims,
    record: TicketRecord | None,
    revocation: Revocation | None,
    state: TicketState,
    checkpoint: Checkpoint,
    event_ids: Collection[int],
    now: datetime,
    *,
    event_allows_reentry: bool = False,
) -> tuple[VerdictKind, str]:
    """``event_allows_reentry`` is the policy of the ticket's own event; the checkpoint
    applies it unless it sets its own."""
    reentry = checkpoint.reentry_allowed(event_allows_reentry)
    if claims.event_id not in event_ids:
        return VerdictKind.WRONG_EVENT, f"event:{claims.event_id}"
    zone_state = state.zone(checkpoint.zone)
    if checkpoint.direction is Direction.OUT:
        return VerdictKind.EXITED, "" if zone_state.inside else "was_not_inside"
    if revocation is not None:
        return VerdictKind.REVOKED, str(revocation.reason)
    if record is not None and record.status is not TicketStatus.VALID:
        return VerdictKind.REVOKED, str(record.status)
    if record is None and not checkpoint.admit_not_in_manifest:
        return VerdictKind.NOT_IN_MANIFEST, ""
    zones = record.zones if record is not None else claims.zones
    if checkpoint.zone not in zones:
        return VerdictKind.NOT_ALLOWED_HERE, f"zone:{checkpoint.zone}"
    ticket_type = record.ticket_type if record is not None else claims.ticket_type
    if checkpoint.ticket_types and ticket_type not in checkpoint.ticket_types:
        return VerdictKind.NOT_ALLOWED_HERE, f"type:{ticket_type}"
    if claims.valid_from is not None and now < claims.valid_from - checkpoint.validity_grace:
        return VerdictKind.NOT_YET_VALID, ""
    if claims.valid_until is not None and now > claims.valid_until + checkpoint.validity_grace:
        return VerdictKind.EXPIRED, ""
    if checkpoint.require_prior_entry and zone_state.entries_today == 0:
        return VerdictKind.NOT_ALLOWED_HERE, "never_admitted"
    if zone_state.inside:
        if checkpoint.allow_multiple_entries:
            return VerdictKind.ADMITTED, "multiple_entries"
        if reentry:
            return VerdictKind.NEEDS_EXIT_FIRST, ""
        return VerdictKind.ALREADY_USED, ""
    if zone_state.entries_today:
        if checkpoint.allow_multiple_entries or reentry:
            return VerdictKind.ADMITTED, "reentry"
        return VerdictKind.ALREADY_USED, ""
    return VerdictKind.ADMITTED, ""


@dataclass(frozen=True, slots=True)
class Judgement:
    kind: VerdictKind
    reason: str
    first_used: ScanEvent | None
    """The admission staff are told about (see :func:`first_use`)."""


def judge(
    claims: TicketClaims,
    record: TicketRecord | None,
    revocation: Revocation | None,
    scans: Iterable[ScanEvent],
    checkpoint: Checkpoint,
    event_ids: Collection[int],
    now: datetime,
    *,
    days: EventDays | None,
    event_allows_reentry: bool,
) -> Judgement:
    """The one check path: fold the ticket's scans (with its event's days), decide, and
    name the admission to show.  The kiosk's gate and the server's online validation
    both call this with what they hold, so they cannot drift apart."""
    state = fold(scans, days=days, now=now)
    kind, reason = decide(
        claims,
        record,
        revocation,
        state,
        checkpoint,
        event_ids,
        now,
        event_allows_reentry=event_allows_reentry,
    )
    return Judgement(
        kind, reason, first_use(state, checkpoint.zone, kind, today_only=days is not None)
    )


def first_use(
    state: TicketState, zone: str, kind: VerdictKind, *, today_only: bool
) -> ScanEvent | None:
    """The admission a supervisor asks about: for a ticket inside now (a passback) the
    entry that put it there; else the first ever, or on an event with days the latest,
    which is today's."""
    zone_state = state.zone(zone)
    if kind is VerdictKind.NEEDS_EXIT_FIRST:
        return zone_state.last_in
    if today_only:
        return zone_state.last_in if zone_state.entries_today else None
    return zone_state.first_in or state.first_used
