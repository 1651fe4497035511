"""``make screenshots``: every verdict state and the supervisor panel, from real widgets.

Offscreen, over a throwaway store with signed tickets: the images in
``docs/screenshots/`` are what the kiosk really draws.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtWidgets import QApplication

from scanner import (
    EventRecord,
    Gate,
    Mode,
    Revocation,
    Seat,
    Store,
    TicketClaims,
    TicketRecord,
    TicketStatus,
    new_ticket_id,
    preset,
    sign,
)
from scanner.pipeline import InputSource, Pipeline
from scanner.scene import forged_copy
from scanner.supervisor import SupervisorPin
from ui.bridge import KioskBridge
from ui.window import KioskWindow

EVENT = EventRecord(42, "Harbour Nights", "Asia/Jakarta", allow_reentry=False)


def _wait(app: QApplication, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the kiosk did not show the expected state")
        app.processEvents()
        time.sleep(0.01)


def _changed(window: KioskWindow, shown: object) -> Callable[[], bool]:
    return lambda: window.verdict.view is not shown


def main(out: Path) -> list[Path]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    out.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    now = datetime.now(UTC)
    window_times = {"valid_from": now - timedelta(hours=1), "valid_until": now + timedelta(hours=5)}

    def claims(**changes: object) -> TicketClaims:
        values: dict[str, object] = {
            "ticket_id": new_ticket_id(),
            "event_id": 42,
            "ticket_type": "GA",
            **window_times,
        }
        values.update(changes)
        return TicketClaims(**values)  # type: ignore[arg-type]

    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "kiosk.db") as store:
        store.upsert_events([EVENT])
        store.add_public_key(key.public_key())
        SupervisorPin(store).set("2468")
        vip = claims(
            ticket_type="VIP",
            zones=frozenset({"main", "vip"}),
            seat=Seat("A", "1", 7),
            accessible=True,
        )
        general, used, refunded = claims(), claims(), claims()
        store.upsert_tickets(
            TicketRecord(c.ticket_hex, 42, c.ticket_type, name, c.seat, c.zones, c.accessible)
            for c, name in [
                (vip, "Budi Santoso"),
                (general, "Sari Wulandari"),
                (used, "Ann Lee"),
                (refunded, "Tom Ray"),
            ]
        )
        store.revoke([Revocation(refunded.ticket_hex, TicketStatus.REFUNDED, now)])
        gate = Gate(store, preset(Mode.ENTRY), gate_name="Gate 3")
        gate.scan(sign(used, key), now - timedelta(minutes=40))
        bridge = KioskBridge(gate, Pipeline(gate), status_interval=0.05)
        window = KioskWindow(bridge, SupervisorPin(store), ready_after_ms=600_000)
        window.resize(1280, 720)
        window.show()
        bridge.start()
        shots = [
            ("ready", None),
            ("admitted", sign(vip, key)),
            ("already_used", sign(used, key)),
            ("revoked", sign(refunded, key)),
            ("invalid", forged_copy(sign(general, key))),
            (
                "expired",
                sign(
                    claims(valid_from=now - timedelta(days=2), valid_until=now - timedelta(days=1)),
                    key,
                ),
            ),
            ("wrong_event", sign(claims(event_id=7), key)),
        ]
        try:
            for name, code in shots:
                if code is not None:
                    shown = window.verdict.view
                    bridge.submit_text(code, InputSource.WEDGE)
                    _wait(app, _changed(window, shown))
                _wait(app, lambda: window.status.status is not None)
                path = out / f"{name}.png"
                window.grab().save(str(path))
                written.append(path)
            panel = window.show_panel()
            panel.resize(640, 360)
            _wait(app, lambda: bool(panel.counts.text()))
            path = out / "supervisor.png"
            panel.grab().save(str(path))
            written.append(path)
        finally:
            bridge.stop()
    return written


if __name__ == "__main__":
    for written_path in main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")):
        print(written_path)
