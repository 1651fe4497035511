"""Supervisors: PIN with lockout, mode switch, override; every action journalled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from scanner import Mode, Store
from scanner.store import META_GATE
from tests.conftest import Issue
from tests.ui.conftest import PIN, KioskFactory, KioskUnderTest
from ui.supervisor import PinDialog, SupervisorPanel

NOW = datetime.now(UTC)


def shows(dialog: PinDialog, text: str) -> Callable[[], bool]:
    return lambda: dialog.message.text() == text


def unlock(kiosk: KioskUnderTest, pin: str = PIN) -> PinDialog:
    kiosk.window.open_supervisor()
    dialog = kiosk.window.pin_dialog
    kiosk.qtbot.keyClicks(dialog.entry, pin)
    kiosk.qtbot.keyClick(dialog.entry, Qt.Key.Key_Return)
    return dialog


def panel_of(kiosk: KioskUnderTest) -> SupervisorPanel:
    kiosk.qtbot.waitUntil(lambda: kiosk.window.panel is not None, timeout=10_000)
    assert kiosk.window.panel is not None
    return kiosk.window.panel


def test_switching_mode_behind_the_pin_changes_the_gate_and_is_journalled(
    make_kiosk: KioskFactory, store: Store
) -> None:
    kiosk = make_kiosk()
    unlock(kiosk)
    panel = panel_of(kiosk)
    panel.mode.setCurrentIndex(list(Mode).index(Mode.VIP))
    panel.gate_name.setText("Lounge Door")
    kiosk.qtbot.mouseClick(panel.apply, Qt.MouseButton.LeftButton)
    strip = kiosk.window.status
    kiosk.qtbot.waitUntil(lambda: strip.text("mode") == "Mode: VIP", timeout=10_000)
    kiosk.qtbot.waitUntil(lambda: strip.text("gate") == "Gate: Lounge Door")
    actions = [entry["action"] for entry in store.audit_log()]
    assert "pin_ok" in actions
    assert actions[-1] == "checkpoint"
    assert store.audit_log()[-1]["detail"]["to"] == "vip"
    # The new name is journalled and outlives a restart of the kiosk.
    assert "gate_name" in actions
    assert store.get_meta(META_GATE) == "Lounge Door"


def test_a_rejection_can_be_overridden_with_a_reason(
    make_kiosk: KioskFactory, issue: Issue, store: Store
) -> None:
    kiosk = make_kiosk()
    code, claims = issue(valid_from=NOW - timedelta(hours=1), valid_until=NOW + timedelta(hours=5))
    kiosk.gate.scan(code, NOW - timedelta(minutes=30))
    kiosk.type_code(code)
    kiosk.wait_title("ALREADY USED")
    unlock(kiosk)
    panel = panel_of(kiosk)
    kiosk.qtbot.mouseClick(panel.override, Qt.MouseButton.LeftButton)
    assert panel.message.text() == "Type the reason first"
    panel.reason.setText("wristband torn, checked ID")
    kiosk.qtbot.mouseClick(panel.override, Qt.MouseButton.LeftButton)
    kiosk.wait_title("ADMITTED")
    assert "override by supervisor: wristband torn, checked ID" in kiosk.window.verdict.view.detail
    overrides = [s for s in store.scans_for_ticket(claims.ticket_hex) if s.override_by]
    assert [(s.verdict, s.override_reason) for s in overrides] == [
        ("admitted", "wristband torn, checked ID")
    ]
    assert store.audit_log()[-1]["action"] == "override"


def test_five_wrong_pins_lock_the_panel_even_against_the_right_pin(
    make_kiosk: KioskFactory, store: Store
) -> None:
    kiosk = make_kiosk()
    kiosk.window.open_supervisor()
    dialog = kiosk.window.pin_dialog
    for attempt in range(1, 5):
        kiosk.qtbot.keyClicks(dialog.entry, "0000")
        kiosk.qtbot.keyClick(dialog.entry, Qt.Key.Key_Return)
        kiosk.qtbot.waitUntil(shows(dialog, f"Wrong PIN; {5 - attempt} tries left"), timeout=10_000)
    kiosk.qtbot.keyClicks(dialog.entry, "0000")
    kiosk.qtbot.keyClick(dialog.entry, Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(
        lambda: dialog.message.text().startswith("Locked after too many"), timeout=10_000
    )
    kiosk.qtbot.keyClicks(dialog.entry, PIN)
    kiosk.qtbot.keyClick(dialog.entry, Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=10_000)
    assert dialog.message.text().startswith("Locked after too many")
    assert kiosk.window.panel is None
    assert [e["action"] for e in store.audit_log()].count("pin_wrong") == 5


def test_switching_exit_to_entry_in_the_panel_keeps_the_events_reentry_policy(
    make_kiosk: KioskFactory, issue: Issue, store: Store
) -> None:
    """Guests back from a pass-out were refused as ALREADY USED after EXIT -> ENTRY."""
    from scanner import EventRecord

    store.upsert_events([EventRecord(43, "Day Festival", "Asia/Jakarta", allow_reentry=True)])
    code, _ = issue(
        event_id=43, valid_from=NOW - timedelta(hours=1), valid_until=NOW + timedelta(hours=5)
    )
    kiosk = make_kiosk()
    kiosk.gate.set_events({42, 43}, actor="test", now=NOW)
    kiosk.type_code(code)
    kiosk.wait_title("ADMITTED")

    def switch(mode: Mode) -> None:
        unlock(kiosk)
        panel = panel_of(kiosk)
        panel.mode.setCurrentIndex(list(Mode).index(mode))
        kiosk.qtbot.mouseClick(panel.apply, Qt.MouseButton.LeftButton)
        kiosk.qtbot.waitUntil(lambda: kiosk.gate.checkpoint.mode is mode, timeout=10_000)
        kiosk.qtbot.mouseClick(panel.close_button, Qt.MouseButton.LeftButton)
        kiosk.qtbot.waitUntil(lambda: kiosk.window.panel is None)

    switch(Mode.EXIT)
    kiosk.type_code(code)
    kiosk.wait_title("EXIT RECORDED")
    switch(Mode.ENTRY)
    kiosk.type_code(code)
    kiosk.wait_title("ADMITTED")
