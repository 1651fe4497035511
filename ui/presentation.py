"""What the verdict panel shows for a verdict: words, colour, symbol, badges, sound.

Never colour alone: every outcome has its own symbol and big words, so
colour-blind staff read it as fast as everyone else.  Red is for "stop" (every
refusal, a passback included); amber only for what staff can resolve on the
spot (too early, admitted but not yet synced).  Words go through Qt's
translation system (``QCoreApplication.translate`` with the "Verdict" context);
times are shown in the event's own time zone, with its abbreviation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from PySide6.QtCore import QCoreApplication

from scanner.verdict import Tone, Verdict, VerdictKind


class Symbol(StrEnum):
    CHECK = "check"  # a tick in a circle: come in
    EXIT = "exit"  # an arrow out of a door: goodbye
    CROSS = "cross"  # a cross in an octagon: stop
    WARNING = "warning"  # an exclamation mark in a triangle: look closer
    READY = "ready"  # a frame: show your code


class Badge(StrEnum):
    """What staff must act on at a glance, drawn large beside the words."""

    VIP = "vip"
    ACCESSIBLE = "accessible"


COLOURS = {Tone.ADMIT: "#1b7f3b", Tone.REJECT: "#b3131b", Tone.WARNING: "#c77700"}
READY_COLOUR = "#1f2a36"
EXIT_COLOUR = "#1c5fa8"


def tr(text: str) -> str:
    return QCoreApplication.translate("Verdict", text)


def _titles() -> dict[VerdictKind, str]:
    return {
        VerdictKind.ADMITTED: tr("ADMITTED"),
        VerdictKind.EXITED: tr("EXIT RECORDED"),
        VerdictKind.ALREADY_USED: tr("ALREADY USED"),
        VerdictKind.INVALID: tr("INVALID TICKET"),
        VerdictKind.UNKNOWN_KEY: tr("UNKNOWN ISSUER"),
        VerdictKind.WRONG_EVENT: tr("WRONG EVENT"),
        VerdictKind.NOT_YET_VALID: tr("NOT VALID YET"),
        VerdictKind.EXPIRED: tr("EXPIRED"),
        VerdictKind.REVOKED: tr("REVOKED"),
        VerdictKind.NOT_ALLOWED_HERE: tr("NOT ALLOWED HERE"),
        VerdictKind.NEEDS_EXIT_FIRST: tr("ALREADY INSIDE"),
        VerdictKind.NOT_IN_MANIFEST: tr("NOT IN LIST"),
        VerdictKind.NOT_RECORDED: tr("STORAGE FULL"),
    }


def verdict_names() -> dict[str, str]:
    """Each verdict kind in words, for counts a person reads (never snake_case keys)."""
    return {
        VerdictKind.ADMITTED: tr("admitted"),
        VerdictKind.EXITED: tr("exits"),
        VerdictKind.ALREADY_USED: tr("already used"),
        VerdictKind.INVALID: tr("invalid"),
        VerdictKind.UNKNOWN_KEY: tr("unknown issuer"),
        VerdictKind.WRONG_EVENT: tr("wrong event"),
        VerdictKind.NOT_YET_VALID: tr("too early"),
        VerdictKind.EXPIRED: tr("expired"),
        VerdictKind.REVOKED: tr("revoked"),
        VerdictKind.NOT_ALLOWED_HERE: tr("not allowed here"),
        VerdictKind.NEEDS_EXIT_FIRST: tr("already inside"),
        VerdictKind.NOT_IN_MANIFEST: tr("not in list"),
        VerdictKind.NOT_RECORDED: tr("not recorded"),
    }


def counts_text(counts: Mapping[str, int]) -> str:
    """``admitted 2 · already used 1`` in the interface language, biggest first."""
    names = verdict_names()
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return " · ".join(f"{names.get(kind, tr('other'))} {n:,}" for kind, n in ordered)


def _reasons() -> dict[str, str]:
    return {
        "refunded": tr("refunded"),
        "transferred": tr("transferred to someone else"),
        "blocked": tr("blocked by the organiser"),
        "bad_signature": tr("forged or damaged code"),
        "bad_encoding": tr("not an AdmitOne code"),
        "truncated": tr("incomplete code: scan again"),
        "trailing_bytes": tr("forged or damaged code"),
        "unknown_version": tr("not an AdmitOne code"),
        "malformed": tr("forged or damaged code"),
        "empty": tr("empty code: scan again"),
        "too_long": tr("not an AdmitOne code"),
        "never_admitted": tr("never admitted: use the main entrance"),
        "zone:vip": tr("no VIP access"),
        "was_not_inside": tr("was not recorded inside"),
        "storage_full": tr("cannot record: let no one in, call the supervisor"),
        "storage_error": tr("cannot record: let no one in, call the supervisor"),
    }


@dataclass(frozen=True, slots=True)
class VerdictView:
    title: str
    detail: str
    colour: str
    symbol: Symbol
    tone: Tone | None
    badges: tuple[Badge, ...] = ()


def badge_text(badge: Badge) -> str:
    return {Badge.VIP: tr("VIP"), Badge.ACCESSIBLE: tr("♿ ACCESSIBLE")}[badge]


def ready_view() -> VerdictView:
    return VerdictView(
        tr("READY"), tr("Show your ticket to the camera"), READY_COLOUR, Symbol.READY, None
    )


def enrolment_view(title: str, detail: str, *, problem: bool = False) -> VerdictView:
    """An enrolment QR code at the camera: no guest is judged, so never green or red;
    the ready colour, with a warning when it cannot be used."""
    return VerdictView(
        title,
        detail,
        COLOURS[Tone.WARNING] if problem else READY_COLOUR,
        Symbol.WARNING if problem else Symbol.READY,
        Tone.WARNING if problem else None,
    )


def incomplete_scan_view() -> VerdictView:
    """A hand scanner stopped mid-code (no Enter, no Tab): nothing was judged."""
    return VerdictView(
        tr("INCOMPLETE SCAN"),
        tr("Only part of a code arrived: scan again"),
        COLOURS[Tone.WARNING],
        Symbol.WARNING,
        Tone.WARNING,
    )


def _shorten(text: str, limit: int = 60) -> str:
    """A supervisor's free text, as much as the verdict line has room for (the journal
    keeps it whole)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _when(verdict: Verdict, moment: datetime) -> str:
    """Date and time in the event's zone, with its abbreviation: ``2026-11-24 17:00 WIB``."""
    return verdict.local(moment).strftime("%Y-%m-%d %H:%M %Z")


def _clock(verdict: Verdict, moment: datetime) -> str:
    return verdict.local(moment).strftime("%H:%M")


def view_of(verdict: Verdict) -> VerdictView:
    kind = verdict.kind
    title = _titles()[kind]
    details: list[str] = []
    reason = _reasons().get(verdict.reason)
    if reason:
        details.append(reason)
    claims = verdict.claims
    if kind is VerdictKind.UNKNOWN_KEY:
        details.append(tr("not signed by this event's organiser: send the guest to the box office"))
    if kind is VerdictKind.WRONG_EVENT and claims is not None:
        if verdict.event_name:
            details.append(tr("this ticket is for {event}").format(event=verdict.event_name))
        else:
            details.append(tr("this ticket is for event no. {n}").format(n=claims.event_id))
    if kind in (VerdictKind.EXPIRED, VerdictKind.NOT_YET_VALID) and claims is not None:
        start = _when(verdict, claims.valid_from) if claims.valid_from else "…"
        end = _when(verdict, claims.valid_until) if claims.valid_until else "…"
        details.append(tr("valid {start} to {end}").format(start=start, end=end))
    if verdict.override_by:
        details.append(
            tr("override by {who}: {why}").format(
                who=verdict.override_by, why=_shorten(verdict.override_reason or "")
            )
        )
    ticket = verdict.ticket
    badges: list[Badge] = []
    if claims is not None:
        ticket_type = ticket.ticket_type if ticket else claims.ticket_type
        zones = ticket.zones if ticket else claims.zones
        details.append(ticket_type)
        if verdict.type_note:
            details.append(verdict.type_note)
        if "vip" in zones or ticket_type.upper() == "VIP":
            badges.append(Badge.VIP)
        seat = ticket.seat if ticket and ticket.seat else claims.seat
        if seat is not None:
            details.append(
                tr("seat {section} row {row} no. {number}").format(
                    section=seat.section, row=seat.row, number=seat.number
                )
            )
        if ticket.accessible if ticket else claims.accessible:
            details.append(tr("accessible"))
            badges.append(Badge.ACCESSIBLE)
    if ticket is not None and ticket.holder_name:
        details.append(ticket.holder_name)
    if verdict.not_in_manifest and verdict.positive:
        details.append(tr("not in the synced list yet: genuine signature"))
    if verdict.first_used is not None:
        used = verdict.first_used
        if kind is VerdictKind.NEEDS_EXIT_FIRST:
            details.append(
                tr("entered {time} at {gate}").format(
                    time=_clock(verdict, used.scanned_at), gate=used.gate
                )
            )
        elif kind is VerdictKind.ALREADY_USED:
            details.append(
                tr("first used {time} at {gate}").format(
                    time=_clock(verdict, used.scanned_at), gate=used.gate
                )
            )
    tone = verdict.tone
    if kind is VerdictKind.EXITED:
        return VerdictView(
            title, " · ".join(details), EXIT_COLOUR, Symbol.EXIT, tone, tuple(badges)
        )
    symbol = {Tone.ADMIT: Symbol.CHECK, Tone.REJECT: Symbol.CROSS, Tone.WARNING: Symbol.WARNING}[
        tone
    ]
    if tone is Tone.WARNING and verdict.positive:
        symbol = Symbol.CHECK  # admitted with a note: still a tick, in amber
    return VerdictView(title, " · ".join(details), COLOURS[tone], symbol, tone, tuple(badges))
