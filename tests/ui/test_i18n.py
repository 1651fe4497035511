"""Every piece of user-facing text goes through Qt's translations; Indonesian is complete."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from resources.make_translations import INDONESIAN
from scanner.verdict import VerdictKind
from tests.conftest import Issue
from tests.ui.conftest import KioskFactory
from ui.i18n import install_language
from ui.presentation import ready_view

UI = Path(__file__).resolve().parents[2] / "ui"
CONTEXTS = {
    "presentation.py": "Verdict",
    "status_strip.py": "Status",
    "window.py": "Kiosk",
    "supervisor.py": "Supervisor",
}


def translated_strings(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "tr"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            yield str(node.args[0].value)


@pytest.mark.parametrize("module", sorted(CONTEXTS))
def test_every_translatable_string_has_an_indonesian_entry(module: str) -> None:
    strings = set(translated_strings(UI / module))
    assert strings, f"{module} translates nothing?"
    missing = strings - INDONESIAN[CONTEXTS[module]].keys()
    assert missing == set()


def test_verdict_titles_cover_every_kind() -> None:
    from ui.presentation import _titles

    assert set(_titles()) == set(VerdictKind)


@pytest.fixture
def indonesian(qtbot: QtBot) -> Iterator[None]:
    app = QApplication.instance()
    assert app is not None
    translator = install_language(app, "id")
    assert translator is not None
    yield
    app.removeTranslator(translator)


def test_the_kiosk_speaks_indonesian_when_chosen(
    indonesian: None, make_kiosk: KioskFactory, issue: Issue
) -> None:
    from datetime import UTC, datetime, timedelta

    assert ready_view().title == "SIAP"
    kiosk = make_kiosk()
    now = datetime.now(UTC)
    code, _ = issue(valid_from=now - timedelta(hours=1), valid_until=now + timedelta(hours=3))
    kiosk.type_code(code)
    kiosk.wait_title("SILAKAN MASUK")
    kiosk.qtbot.waitUntil(lambda: kiosk.window.status.text("mode") == "Mode: MASUK")


def _english_only_words() -> set[str]:
    """Words of the English interface that no Indonesian text uses (so "VIP", "PIN" or
    "Mode", which both languages share, never count against a screen)."""
    english: set[str] = set()
    indonesian_words: set[str] = set()
    for messages in INDONESIAN.values():
        for source, translation in messages.items():
            english |= {w.lower() for w in re.findall(r"[A-Za-z]{3,}", source)}
            indonesian_words |= {w.lower() for w in re.findall(r"[A-Za-z]{3,}", translation)}
    return english - indonesian_words


def _untranslated(texts: list[str]) -> list[str]:
    english = _english_only_words()
    found = []
    for text in texts:
        words = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}
        if words & english or re.search(r"\b[a-z]+_[a-z_]+\b", text):
            found.append(text)
    return found


def _visible_texts(widget: QWidget) -> list[str]:
    texts = [widget.windowTitle()]
    for child in widget.findChildren(QWidget):
        if isinstance(child, QLabel | QAbstractButton | QGroupBox):
            texts.append(child.title() if isinstance(child, QGroupBox) else child.text())
        if isinstance(child, QLineEdit):
            texts.append(child.placeholderText())
        if isinstance(child, QComboBox):
            texts += [child.itemText(i) for i in range(child.count())]
    return [t for t in texts if t]


def test_every_screen_the_kiosk_can_show_is_indonesian(
    indonesian: None, make_kiosk: KioskFactory, issue: Issue
) -> None:
    from datetime import UTC, datetime, timedelta

    from scanner.pipeline import CameraState, CameraStateEvent
    from scanner.supervisor import PinCheck, PinLockedError
    from tests.ui.test_screens_fit import worst_status
    from tests.ui.views import every_verdict, every_view
    from ui.presentation import badge_text, counts_text

    seen: list[str] = []
    for _name, view in every_view():
        seen += [view.title, view.detail, *(badge_text(b) for b in view.badges)]
    seen.append(counts_text({str(kind): 3 for kind in VerdictKind}))

    kiosk = make_kiosk()
    window = kiosk.window
    kiosk.qtbot.waitUntil(lambda: window.status.status is not None)
    window.bridge.statusChanged.disconnect(window.status.show_status)
    base = worst_status()
    for status in [
        base,
        replace(base, refused=""),
        replace(base, refused="", online=True, skew_warning=False),
        replace(base, enrolled=False),
        *(replace(base, camera=state) for state in CameraState),
    ]:
        window.status.show_status(status)
        seen += _visible_texts(window.status)
    window.on_camera(CameraStateEvent(CameraState.FAILED, "/dev/video0 could not be opened"))
    seen.append(window.preview.message)
    seen += _visible_texts(window)

    window.open_supervisor()
    dialog = window.pin_dialog
    for result in (
        PinCheck(False, 3),
        PinLockedError(datetime.now(UTC) + timedelta(minutes=5)),
        ValueError("no supervisor PIN is set on this kiosk"),
    ):
        dialog._checked("pin", result)
        seen += _visible_texts(dialog)
    dialog.reject()

    rejected = every_verdict()[2][1]
    window.bridge.last_rejection = rejected
    panel = window.show_panel()
    kiosk.qtbot.waitUntil(lambda: bool(panel.counts.text()))
    seen += _visible_texts(panel)
    for action in ("apply", "sync", "enrol", "camera"):
        panel._done(action, "ok")
        seen.append(panel.message.text())
    panel._done("override", replace(rejected, kind=VerdictKind.ADMITTED, override_by="sup"))
    seen += [panel.outcome.text(), panel.message.text()]
    panel._done("counts", {})
    seen.append(panel.counts.text())
    panel._override()  # no reason typed
    seen.append(panel.message.text())
    assert _untranslated(seen) == []


def test_the_untranslated_check_catches_english() -> None:
    assert _untranslated(["Sinkron terakhir: 5 mnt", "SIAP"]) == []
    assert _untranslated(["Selesai: apply"]) == ["Selesai: apply"]
    assert _untranslated(["masuk: 2 · already_used: 1"]) == ["masuk: 2 · already_used: 1"]
    assert _untranslated(["Camera problem"]) == ["Camera problem"]
