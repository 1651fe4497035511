"""Every piece of user-facing text goes through Qt's translations; Indonesian is complete."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
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
