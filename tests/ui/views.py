"""Every verdict the kiosk can show, with details as long as real gates give them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scanner import Seat, TicketClaims, TicketRecord, new_ticket_id
from scanner.state import Direction, ScanEvent
from scanner.verdict import Verdict, VerdictKind
from ui.presentation import VerdictView, incomplete_scan_view, ready_view, view_of

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
LONG_HOLDER = "Maria Fernanda Wulandari-Santoso"
LONG_GATE = "Gerbang Utara Tribun Timur 12"

REASONS = {
    VerdictKind.INVALID: "bad_signature",
    VerdictKind.REVOKED: "transferred",
    VerdictKind.NOT_ALLOWED_HERE: "never_admitted",
    VerdictKind.EXITED: "was_not_inside",
}


def every_verdict() -> list[tuple[str, Verdict]]:
    claims = TicketClaims(
        new_ticket_id(),
        42,
        "VIP",
        frozenset({"main", "vip"}),
        valid_from=NOW - timedelta(days=1),
        valid_until=NOW - timedelta(hours=1),
        seat=Seat("Tribun Timur", "AA", 112),
        accessible=True,
    )
    record = TicketRecord(
        claims.ticket_hex, 42, "VIP", LONG_HOLDER, claims.seat, claims.zones, True
    )
    used = ScanEvent(
        "s1", claims.ticket_hex, 42, "dev", LONG_GATE, "main", Direction.IN, NOW, "admitted"
    )
    verdicts: list[tuple[str, Verdict]] = []
    for kind in VerdictKind:
        no_ticket = kind in (VerdictKind.INVALID, VerdictKind.UNKNOWN_KEY)
        verdicts.append(
            (
                str(kind),
                Verdict(
                    kind,
                    NOW,
                    reason=REASONS.get(kind, ""),
                    scan_id="x",
                    claims=None if no_ticket else claims,
                    ticket=None if no_ticket else record,
                    first_used=used,
                    timezone="Asia/Jakarta",
                    gate="Gate 7",
                    event_name="Harbour Nights Festival 2026: Closing Night"
                    if kind is VerdictKind.WRONG_EVENT
                    else "",
                ),
            )
        )
    verdicts.append(
        (
            "override",
            Verdict(
                VerdictKind.ADMITTED,
                NOW,
                reason="override:revoked",
                claims=claims,
                ticket=record,
                override_by="supervisor",
                override_reason=(
                    "gelang robek, KTP sudah diperiksa supervisor di pintu masuk utara " * 4
                )[:200],
                timezone="Asia/Jakarta",
            ),
        )
    )
    verdicts.append(
        (
            "not_in_manifest_admitted",
            Verdict(VerdictKind.ADMITTED, NOW, claims=claims, not_in_manifest=True),
        )
    )
    return verdicts


def every_view() -> list[tuple[str, VerdictView]]:
    """Built at call time, so in the language installed then."""
    views = [(name, view_of(verdict)) for name, verdict in every_verdict()]
    return [*views, ("ready", ready_view()), ("incomplete", incomplete_scan_view())]
