"""The offline demo: a key, a few tickets, a gate, and the verdicts it gives.

Everything a kiosk does with the network cable pulled, end to end, in one
call.  ``make demo`` runs it until the full kiosk demo exists.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scanner.checkpoint import Mode, preset
from scanner.gate import Gate
from scanner.keys import generate_key, load_private_key
from scanner.manifest import EventRecord, Revocation, TicketRecord, TicketStatus
from scanner.store import Store
from scanner.ticket import Seat, TicketClaims, new_ticket_id, sign
from ui.demo.scene import forged_copy

DEMO_EVENT = EventRecord(
    event_id=42,
    name="AdmitOne Live at the Harbour",
    timezone="Asia/Jakarta",
    allow_reentry=True,
)


def _describe(label: str, gate: Gate, text: str, now: datetime) -> str:
    verdict = gate.scan(text, now, camera=True)
    extra = []
    if verdict.reason:
        extra.append(verdict.reason)
    if verdict.repeat:
        extra.append("repeat of the last verdict")
    if verdict.not_in_manifest:
        extra.append("not in manifest")
    if verdict.first_used_text():
        extra.append(verdict.first_used_text())
    detail = f" ({'; '.join(extra)})" if extra else ""
    return f"{label:<38} [{gate.checkpoint.mode:<7}] {verdict.kind.upper()}{detail}"


def run_offline_demo(workdir: Path | None = None) -> Iterator[str]:
    base = workdir or Path(tempfile.mkdtemp(prefix="admitone-demo-"))
    kid, key_path, _ = generate_key(base / "keys")
    key = load_private_key(key_path)
    yield f"issuing key {kid} in {base / 'keys'}"
    now = datetime.now(UTC).replace(microsecond=0)
    start, end = now - timedelta(hours=2), now + timedelta(hours=6)

    ga = TicketClaims(new_ticket_id(), DEMO_EVENT.event_id, "GA", valid_from=start, valid_until=end)
    vip = TicketClaims(
        new_ticket_id(),
        DEMO_EVENT.event_id,
        "VIP",
        frozenset({"main", "vip"}),
        seat=Seat("A", "1", 7),
        accessible=True,
        valid_from=start,
        valid_until=end,
    )
    refunded = TicketClaims(
        new_ticket_id(), DEMO_EVENT.event_id, "GA", valid_from=start, valid_until=end
    )
    late_sale = TicketClaims(
        new_ticket_id(), DEMO_EVENT.event_id, "GA", valid_from=start, valid_until=end
    )
    other_event = TicketClaims(new_ticket_id(), 7, "GA", valid_from=start, valid_until=end)

    store = Store.open(base / "kiosk.db")
    store.upsert_events([DEMO_EVENT])
    store.add_public_key(key.public_key())
    store.upsert_tickets(
        TicketRecord(c.ticket_hex, c.event_id, c.ticket_type, holder, c.seat, c.zones, c.accessible)
        for c, holder in [(ga, "Sari Wulandari"), (vip, "Budi Santoso"), (refunded, "Ann Lee")]
    )
    store.revoke([Revocation(refunded.ticket_hex, TicketStatus.REFUNDED, now)])
    yield f"kiosk store {store.path}: {store.ticket_count()} tickets, 1 event, 1 key"

    codes = {
        name: sign(c, key)
        for name, c in [
            ("ga", ga),
            ("vip", vip),
            ("refunded", refunded),
            ("late", late_sale),
            ("other", other_event),
        ]
    }
    forged = forged_copy(codes["ga"])
    gate = Gate(store, preset(Mode.ENTRY, allow_reentry=True), gate_name="Gate 3")
    t = now
    yield _describe("GA ticket", gate, codes["ga"], t)
    yield _describe(
        "GA ticket still in front of camera", gate, codes["ga"], t + timedelta(seconds=1)
    )
    yield _describe("GA ticket shown again later", gate, codes["ga"], t + timedelta(seconds=30))
    yield _describe(
        "forged copy (one signature bit changed)", gate, forged, t + timedelta(seconds=31)
    )
    yield _describe("refunded ticket", gate, codes["refunded"], t + timedelta(seconds=40))
    yield _describe(
        "ticket sold after the last sync", gate, codes["late"], t + timedelta(seconds=50)
    )
    yield _describe("ticket for another event", gate, codes["other"], t + timedelta(seconds=60))
    yield _describe("VIP ticket", gate, codes["vip"], t + timedelta(seconds=70))
    gate.set_checkpoint(preset(Mode.VIP), actor="demo-supervisor", now=t + timedelta(seconds=80))
    yield _describe("GA ticket at the VIP lounge", gate, codes["ga"], t + timedelta(seconds=90))
    yield _describe("VIP ticket at the VIP lounge", gate, codes["vip"], t + timedelta(seconds=95))
    gate.set_checkpoint(preset(Mode.EXIT), actor="demo-supervisor", now=t + timedelta(seconds=100))
    yield _describe("GA ticket leaving", gate, codes["ga"], t + timedelta(seconds=110))
    gate.set_checkpoint(
        preset(Mode.REENTRY), actor="demo-supervisor", now=t + timedelta(seconds=120)
    )
    yield _describe("GA ticket coming back", gate, codes["ga"], t + timedelta(seconds=130))
    counts = store.counts_by_verdict()
    yield "journal: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    store.close()
