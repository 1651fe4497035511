"""An override admits the guest the supervisor looked at, whatever the camera reads
meanwhile, and its result stays in front of the supervisor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from scanner import Revocation, Store, TicketStatus
from tests.conftest import Issue, forge
from tests.ui.conftest import PIN, KioskFactory

NOW = datetime.now(UTC)
WINDOW: dict[str, object] = {
    "valid_from": NOW - timedelta(hours=1),
    "valid_until": NOW + timedelta(hours=6),
}


def test_a_scan_between_opening_and_pressing_never_changes_who_is_admitted(
    make_kiosk: KioskFactory, issue: Issue, store: Store
) -> None:
    kiosk = make_kiosk()
    refunded, refunded_claims = issue(in_manifest=True, **WINDOW)
    store.revoke([Revocation(refunded_claims.ticket_hex, TicketStatus.REFUNDED, NOW)])
    kiosk.type_code(refunded)
    kiosk.wait_title("REVOKED")
    kiosk.window.open_supervisor()
    kiosk.qtbot.keyClicks(kiosk.window.pin_dialog.entry, PIN)
    kiosk.qtbot.keyClick(kiosk.window.pin_dialog.entry, Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(lambda: kiosk.window.panel is not None, timeout=10_000)
    panel = kiosk.window.panel
    assert panel is not None
    held = panel.held.text()
    assert "REVOKED" in held
    assert "refunded" in held
    assert refunded_claims.ticket_hex in held
    assert "Sari Wulandari" in held

    # The camera (here: the hand scanner) reads a forged ticket before Override is pressed.
    forged, forged_claims = issue(in_manifest=True, **WINDOW)
    panel.reason.setFocus()
    kiosk.qtbot.keyClicks(panel.reason, forge(forged))
    kiosk.qtbot.keyClick(panel.reason, Qt.Key.Key_Return)
    kiosk.wait_title("INVALID TICKET")
    assert panel.held.text() == held

    panel.reason.setText("paid again at the box office, receipt 7731")
    kiosk.qtbot.mouseClick(panel.override, Qt.MouseButton.LeftButton)
    kiosk.qtbot.waitUntil(lambda: bool(panel.outcome.text()), timeout=10_000)
    overrides = [
        s
        for ticket in (refunded_claims.ticket_hex, forged_claims.ticket_hex)
        for s in store.scans_for_ticket(ticket)
        if s.override_by
    ]
    assert [(s.ticket_id, s.verdict) for s in overrides] == [
        (refunded_claims.ticket_hex, "admitted")
    ]
    outcome = panel.outcome.text()
    assert outcome.startswith("Let in: ADMITTED")
    assert "Sari Wulandari" in outcome

    # Later scans go on at the gate; the result stays until the supervisor closes the panel.
    kiosk.qtbot.keyClicks(panel.reason, forge(forged))
    kiosk.qtbot.keyClick(panel.reason, Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(lambda: store.counts_by_verdict().get("invalid") == 2, timeout=10_000)
    assert panel.outcome.text() == outcome
    assert not panel.override.isEnabled()  # one override per opening
