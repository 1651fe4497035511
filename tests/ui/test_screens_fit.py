"""Every verdict, status, PIN pad and panel fits every gate screen, in both languages.

Each widget lies inside the screen and each label's, button's and verdict's text fits
its box (measured with QFontMetrics, the metrics Qt draws with).  The HiDPI 4K case
runs in a real X window (tests/ui/test_real_window.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from scanner.pipeline import CameraState
from tests.ui.conftest import KioskFactory
from tests.ui.fit import fit_problems
from tests.ui.views import every_verdict, every_view
from ui.app import STYLE
from ui.bridge import KioskStatus
from ui.i18n import install_language

SIZES = [(1024, 600), (1280, 800), (1920, 1080)]


@pytest.fixture(params=["en", "id"])
def language(request: pytest.FixtureRequest, qtbot: QtBot) -> Iterator[str]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translator = install_language(app, request.param)
    app.setStyleSheet(STYLE.read_text())
    yield request.param
    app.setStyleSheet("")
    if translator is not None:
        app.removeTranslator(translator)


def worst_status() -> KioskStatus:
    """The longest strip: refused, clock off, camera failed, big numbers."""
    return KioskStatus(
        mode="reentry",
        gate="Gerbang Utara Tribun Timur 12",
        events="42, 43, 44",
        enrolled=True,
        online=False,
        last_sync=datetime.now(UTC),
        pending_uploads=12_345,
        manifest_age_seconds=7200.0,
        admitted=48_213,
        camera=CameraState.FAILED,
        skew_seconds=-3725.0,
        skew_warning=True,
        refused="revoked",
        timezone="Asia/Jakarta",
        quarantined=3,
        trust_problem="the manifest page's signature does not verify: tampered",
        manifest_pulled_at=datetime.now(UTC),
        insecure=True,
    )


def screen_of(window: QApplication | object) -> QRect:
    from PySide6.QtWidgets import QWidget

    assert isinstance(window, QWidget)
    return QRect(window.mapToGlobal(window.rect().topLeft()), window.size())


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_state_fits_the_screen(
    make_kiosk: KioskFactory, language: str, width: int, height: int
) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    window.setFixedSize(width, height)
    kiosk.qtbot.waitUntil(lambda: window.status.status is not None)
    kiosk.qtbot.waitUntil(
        lambda: (
            window.status.labels["mode"].font().pixelSize() == round(24 * height / 1080)
            or height < 700
        )
    )
    window.bridge.statusChanged.disconnect(window.status.show_status)
    window.status.show_status(worst_status())
    problems: dict[str, list[str]] = {}
    for name, view in every_view():
        window.verdict.show_view(view)
        QApplication.processEvents()
        found = fit_problems(window)
        if found:
            problems[name] = found
    assert problems == {}
    # Readable from two metres: 24 px on a 1080-line screen, in proportion below it.
    pixels = window.status.labels["network"].font().pixelSize()
    assert pixels >= round(24 * height / 1080)
    assert window.supervisor_button.isVisible()

    window.open_supervisor()
    dialog = window.pin_dialog
    kiosk.qtbot.waitUntil(dialog.isVisible)
    assert fit_problems(dialog, screen_of(window)) == []
    dialog.reject()

    kiosk.bridge.last_rejection = every_verdict()[0][1]
    panel = window.show_panel()
    kiosk.qtbot.waitUntil(lambda: bool(panel.counts.text()))
    assert fit_problems(panel, screen_of(window)) == []
    panel.close()


def test_the_longest_title_in_each_language_fits_a_small_panel(
    make_kiosk: KioskFactory, language: str
) -> None:
    """ "PENERBIT TIDAK DIKENAL" was cut even at 1920×1080."""
    from ui.presentation import _titles

    kiosk = make_kiosk()
    panel = kiosk.window.verdict
    kiosk.window.setFixedSize(1024, 600)
    kiosk.qtbot.waitUntil(lambda: panel.width() < 700)
    longest = max(_titles().values(), key=len)
    for name, view in every_view():
        if view.title == longest:
            panel.show_view(view)
            from tests.ui.fit import verdict_problem

            assert verdict_problem(panel) is None, name
            return
    raise AssertionError(f"no view shows {longest!r}")
