"""What the verdict panel shows for a verdict: words, colour, symbol, sound.

Never colour alone: every outcome has its own symbol and big words, so
colour-blind staff read it as fast as everyone else.  Words go through Qt's
translation system (``QCoreApplication.translate`` with the "Verdict" context).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QCoreApplication

from scanner.verdict import Tone, Verdict, VerdictKind


class Symbol(StrEnum):
    CHECK = "check"  # a tick in a circle: come in
    EXIT = "exit"  # an arrow out of a door: goodbye
    CROSS = "cross"  # a cross in an octagon: stop
    WARNING = "warning"  # an exclamation mark in a triangle: look closer
    READY = "ready"  # a frame: show your code


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
        VerdictKind.NEEDS_EXIT_FIRST: tr("EXIT FIRST"),
        VerdictKind.NOT_IN_MANIFEST: tr("NOT IN LIST"),
    }


def _reasons() -> dict[str, str]:
    return {
        "refunded": tr("refunded"),
        "transferred": tr("transferred to someone else"),
        "blocked": tr("blocked by the organiser"),
        "bad_signature": tr("forged or damaged code"),
        "bad_encoding": tr("not an AdmitOne code"),
        "never_admitted": tr("never admitted: use the main entrance"),
        "zone:vip": tr("no VIP access"),
        "was_not_inside": tr("was not recorded inside"),
    }


@dataclass(frozen=True, slots=True)
class VerdictView:
    title: str
    detail: str
    colour: str
    symbol: Symbol
    tone: Tone | None


def ready_view() -> VerdictView:
    return VerdictView(
        tr("READY"), tr("Show your ticket to the camera"), READY_COLOUR, Symbol.READY, None
    )


def view_of(verdict: Verdict) -> VerdictView:
    kind = verdict.kind
    title = _titles()[kind]
    details: list[str] = []
    reason = _reasons().get(verdict.reason)
    if reason:
        details.append(reason)
    if verdict.override_by:
        details.append(
            tr("override by {who}: {why}").format(
                who=verdict.override_by, why=verdict.override_reason or ""
            )
        )
    ticket = verdict.ticket
    claims = verdict.claims
    if claims is not None:
        details.append(ticket.ticket_type if ticket else claims.ticket_type)
        seat = ticket.seat if ticket and ticket.seat else claims.seat
        if seat is not None:
            details.append(
                tr("seat {section} row {row} no. {number}").format(
                    section=seat.section, row=seat.row, number=seat.number
                )
            )
        if ticket.accessible if ticket else claims.accessible:
            details.append(tr("accessible"))
    if ticket is not None and ticket.holder_name:
        details.append(ticket.holder_name)
    if verdict.not_in_manifest and verdict.positive:
        details.append(tr("not in the synced list yet: genuine signature"))
    if kind in (VerdictKind.ALREADY_USED, VerdictKind.NEEDS_EXIT_FIRST) and verdict.first_used:
        at = verdict.local(verdict.first_used.scanned_at).strftime("%H:%M")
        details.append(
            tr("first used {time} at {gate}").format(time=at, gate=verdict.first_used.gate)
        )
    tone = verdict.tone
    if kind is VerdictKind.EXITED:
        return VerdictView(title, " · ".join(details), EXIT_COLOUR, Symbol.EXIT, tone)
    symbol = {Tone.ADMIT: Symbol.CHECK, Tone.REJECT: Symbol.CROSS, Tone.WARNING: Symbol.WARNING}[
        tone
    ]
    if tone is Tone.WARNING and verdict.positive:
        symbol = Symbol.CHECK  # admitted with a note: still a tick, in amber
    return VerdictView(title, " · ".join(details), COLOURS[tone], symbol, tone)
