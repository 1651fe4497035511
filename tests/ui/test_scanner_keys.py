"""A hand scanner's code reaches the gate wherever the focus is; a person's typing
reaches the field; a half scan never glues onto the next guest's code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from scanner import Store
from tests.conftest import Issue
from tests.ui.conftest import PIN, KioskFactory, KioskUnderTest

NOW = datetime.now(UTC)


def code_now(issue: Issue, **changes: Any) -> str:
    code, _ = issue(
        valid_from=NOW - timedelta(hours=1), valid_until=NOW + timedelta(hours=6), **changes
    )
    return code


def scanner_types(kiosk: KioskUnderTest, field: QLineEdit, code: str, end: Qt.Key) -> None:
    """As a hand scanner does into whatever has the focus: a burst of keys, then Enter
    or Tab (QTest sends them back to back, far faster than a person types)."""
    kiosk.qtbot.keyClicks(field, code)
    kiosk.qtbot.keyClick(field, end)


def person_types(kiosk: KioskUnderTest, field: QLineEdit, text: str) -> None:
    """A person's rhythm: a key every 120 ms."""
    for char in text:
        kiosk.qtbot.keyClicks(field, char)
        kiosk.qtbot.wait(120)


def test_tab_ends_a_scan_like_enter(make_kiosk: KioskFactory, issue: Issue) -> None:
    kiosk = make_kiosk()
    kiosk.window.setFocus()
    kiosk.qtbot.keyClicks(kiosk.window, code_now(issue))
    kiosk.qtbot.keyClick(kiosk.window, Qt.Key.Key_Tab)
    kiosk.wait_title("ADMITTED")


def test_a_half_scan_is_dropped_visibly_and_the_next_code_reads_clean(
    make_kiosk: KioskFactory, issue: Issue, store: Store
) -> None:
    kiosk = make_kiosk()
    kiosk.window.setFocus()
    half = code_now(issue)[:20]
    kiosk.qtbot.keyClicks(kiosk.window, half)  # no Enter, no Tab
    kiosk.wait_title("INCOMPLETE SCAN")
    assert kiosk.window.verdict.view.detail == "Only part of a code arrived: scan again"
    kiosk.type_code(code_now(issue))
    kiosk.wait_title("ADMITTED")
    assert store.counts_by_verdict() == {"admitted": 1}  # the half scan was never judged


def test_a_scan_while_the_pin_box_is_open_is_a_scan_not_a_wrong_pin(
    make_kiosk: KioskFactory, issue: Issue, store: Store
) -> None:
    kiosk = make_kiosk()
    kiosk.window.open_supervisor()
    dialog = kiosk.window.pin_dialog
    kiosk.qtbot.waitUntil(dialog.isVisible)
    for _ in range(6):  # more than the five wrong PINs that used to lock it
        scanner_types(kiosk, dialog.entry, code_now(issue), Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(lambda: store.counts_by_verdict().get("admitted") == 6, timeout=10_000)
    assert dialog.entry.text() == ""
    assert dialog.message.text() == ""
    assert [e["action"] for e in store.audit_log() if e["action"].startswith("pin")] == []
    # And a person's PIN still unlocks, typed at a person's pace.
    person_types(kiosk, dialog.entry, PIN)
    assert dialog.entry.text() == PIN
    kiosk.qtbot.keyClick(dialog.entry, Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(lambda: kiosk.window.panel is not None, timeout=10_000)


def test_a_scan_while_the_panel_is_open_reaches_the_gate_and_presses_nothing(
    make_kiosk: KioskFactory, issue: Issue, store: Store
) -> None:
    kiosk = make_kiosk()
    kiosk.window.open_supervisor()
    dialog = kiosk.window.pin_dialog
    for key in PIN:
        kiosk.qtbot.mouseClick(dialog.keys[key], Qt.MouseButton.LeftButton)  # the PIN pad
    kiosk.qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    kiosk.qtbot.waitUntil(lambda: kiosk.window.panel is not None, timeout=10_000)
    panel = kiosk.window.panel
    assert panel is not None
    for field in (panel.enrol_code, panel.reason, panel.gate_name):
        before = field.text()
        field.setFocus()
        scanner_types(kiosk, field, code_now(issue), Qt.Key.Key_Return)
        assert field.text() == before
    kiosk.qtbot.waitUntil(lambda: store.counts_by_verdict().get("admitted") == 3, timeout=10_000)
    assert panel.message.text() == ""  # Enrol was not pressed by the scanner's Enter
    assert kiosk.window.panel is panel  # and the panel is still open


def test_a_person_typing_a_reason_is_not_taken_for_a_scanner(
    make_kiosk: KioskFactory, issue: Issue, store: Store
) -> None:
    kiosk = make_kiosk()
    kiosk.type_code("not a ticket")
    kiosk.wait_title("INVALID TICKET")
    kiosk.window.open_supervisor()
    dialog = kiosk.window.pin_dialog
    kiosk.qtbot.keyClicks(dialog.entry, PIN)  # a short burst: still a PIN, never a scan
    kiosk.qtbot.keyClick(dialog.entry, Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(lambda: kiosk.window.panel is not None, timeout=10_000)
    panel = kiosk.window.panel
    assert panel is not None
    panel.reason.setFocus()
    person_types(kiosk, panel.reason, "known guest")
    assert panel.reason.text() == "known guest"
    assert store.counts_by_verdict() == {"invalid": 1}


def test_one_pin_dialog_one_panel_and_a_way_back(make_kiosk: KioskFactory) -> None:
    from ui.supervisor import SupervisorPanel

    kiosk = make_kiosk()
    window = kiosk.window
    window.open_supervisor()
    first = window.pin_dialog
    first.reject()
    window.open_supervisor()
    assert window.pin_dialog is first  # the same dialog, cleared
    assert first.entry.text() == ""
    kiosk.qtbot.keyClicks(first.entry, PIN)
    kiosk.qtbot.keyClick(first.entry, Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(lambda: window.panel is not None, timeout=10_000)
    panel = window.panel
    window.open_supervisor()  # a second press raises the open panel, no second one
    assert window.panel is panel
    assert not first.isVisible()
    assert len(window.findChildren(SupervisorPanel)) == 1
    assert panel is not None
    kiosk.qtbot.mouseClick(panel.close_button, Qt.MouseButton.LeftButton)
    kiosk.qtbot.waitUntil(lambda: window.panel is None)
    kiosk.qtbot.waitUntil(lambda: len(window.findChildren(SupervisorPanel)) == 0)


def test_leaving_full_screen_keeps_the_window_on_the_screen_and_quit_closes_it(
    make_kiosk: KioskFactory,
) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    window.showFullScreen()
    window.open_supervisor()
    kiosk.qtbot.keyClicks(window.pin_dialog.entry, PIN)
    kiosk.qtbot.keyClick(window.pin_dialog.entry, Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(lambda: window.panel is not None, timeout=10_000)
    panel = window.panel
    assert panel is not None
    kiosk.qtbot.mouseClick(panel.leave, Qt.MouseButton.LeftButton)
    kiosk.qtbot.waitUntil(lambda: not window.isFullScreen())
    screen = window.screen().availableGeometry()
    assert screen.contains(window.frameGeometry())
    kiosk.qtbot.mouseClick(panel.quit, Qt.MouseButton.LeftButton)
    kiosk.qtbot.waitUntil(lambda: not window.isVisible())
