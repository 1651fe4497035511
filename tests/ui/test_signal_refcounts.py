"""The kiosk's signals lose no references: the PySide6 bug that aborted it must not return.

PySide6 6.12.0 on Python 3.11 dropped one reference to ``True`` or ``False`` with every
emission of a signal carrying a bool; the kiosk died with "bool_dealloc" a few minutes
into an event.  This emits 100,000 of every kind of signal the kiosk uses, directly
and queued across threads as the workers do, and checks that the payloads' reference
counts did not move.  On Python 3.12+ ``True`` and ``False`` are immortal (their
count is a constant), so there the check on them is trivially true and the test says
so; the counts of ordinary payload objects and the arrival of every emission are
still checked.
"""

from __future__ import annotations

import sys
import threading
import warnings
from collections.abc import Callable

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from tests.ui.conftest import KioskFactory

EMISSIONS = 100_000


class BoolSignals(QObject):
    """Signals of the shapes Qt and PySide use for bools: ``clicked(bool)``,
    ``toggled(bool)`` and a Python ``Signal(bool)``."""

    flag = Signal(bool)


def immortal(value: object) -> bool:
    return sys.version_info >= (3, 12) and sys.getrefcount(value) > 2**30


def counts() -> tuple[int, int]:
    return sys.getrefcount(True), sys.getrefcount(False)


def test_bool_and_object_payloads_keep_their_references(qtbot: QtBot) -> None:
    if immortal(True):
        warnings.warn(
            "True and False are immortal on this Python: their counts cannot drift; "
            "the payload counts and deliveries are still checked",
            stacklevel=1,
        )
    source = BoolSignals()
    received: list[int] = [0]

    def count(*_: object) -> None:
        received[0] += 1

    source.flag.connect(count)
    button = QPushButton()
    button.setCheckable(True)
    button.clicked.connect(count)
    button.toggled.connect(count)
    before = counts()
    for n in range(EMISSIONS):
        source.flag.emit(n % 2 == 0)
    for _ in range(EMISSIONS // 10):
        button.click()  # clicked(bool) and toggled(bool), as Qt emits them
    assert received[0] == EMISSIONS + 2 * (EMISSIONS // 10)
    assert counts() == before


def test_every_kiosk_signal_direct_and_queued_keeps_its_payloads(
    make_kiosk: KioskFactory, qtbot: QtBot
) -> None:
    kiosk = make_kiosk()
    bridge, window = kiosk.bridge, kiosk.window
    bridge.stop()  # its status thread would add emissions of its own
    # Keep the real slots out of it (they would paint 100,000 verdicts); count instead.
    from_workers = (
        bridge.verdictReady,
        bridge.frameReady,
        bridge.cameraChanged,
        bridge.statusChanged,
        bridge.actionDone,
    )
    on_the_gui_thread = (window.keys.scanned, window.keys.incomplete, window.pin_dialog.unlocked)
    for signal in (*from_workers, *on_the_gui_thread):
        signal.disconnect()
    payload = object()
    image = QImage(8, 8, QImage.Format.Format_BGR888)
    arrived: list[int] = [0]

    def count(*_: object) -> None:
        arrived[0] += 1

    emitters: list[Callable[[], None]] = [
        lambda: bridge.verdictReady.emit(payload),
        lambda: bridge.frameReady.emit(image, payload),
        lambda: bridge.cameraChanged.emit(payload),
        lambda: bridge.statusChanged.emit(payload),
        lambda: bridge.actionDone.emit("pin", True),
        lambda: bridge.actionDone.emit("pin", False),
        lambda: bridge.actionDone.emit("counts", payload),
        lambda: window.keys.scanned.emit("CODE"),
        lambda: window.keys.incomplete.emit(),
        lambda: window.pin_dialog.unlocked.emit(),
    ]
    for signal in from_workers:
        signal.connect(count, Qt.ConnectionType.QueuedConnection)
    for signal in on_the_gui_thread:
        signal.connect(count)

    before = (*counts(), sys.getrefcount(payload))
    per_signal = EMISSIONS // len(emitters)

    def from_a_worker() -> None:  # as the pipeline, status and action threads do
        for _ in range(per_signal):
            for emit in emitters[:7]:
                emit()

    worker = threading.Thread(target=from_a_worker)
    worker.start()
    for _ in range(per_signal):
        for emit in emitters[7:]:
            emit()
    worker.join()
    expected = per_signal * len(emitters)
    qtbot.waitUntil(lambda: arrived[0] >= expected, timeout=120_000)
    assert arrived[0] == expected
    assert (*counts(), sys.getrefcount(payload)) == before


@pytest.mark.skipif(sys.version_info < (3, 12), reason="immortal objects came with 3.12")
def test_on_this_python_true_and_false_are_immortal() -> None:
    assert immortal(True)
    assert immortal(False)
