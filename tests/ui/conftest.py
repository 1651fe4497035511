"""The real kiosk window, offscreen, over a real store and the real pipeline."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from pytestqt.qtbot import QtBot

from scanner import Gate, Mode, Store, preset
from scanner.camera import FrameSource
from scanner.pipeline import Pipeline
from scanner.supervisor import SupervisorPin
from ui.bridge import KioskBridge
from ui.window import KioskWindow

PIN = "2468"


@dataclass
class KioskUnderTest:
    window: KioskWindow
    bridge: KioskBridge
    gate: Gate
    store: Store
    qtbot: QtBot

    def type_code(self, code: str) -> None:
        """As a hand scanner does: characters, then Enter, into the window."""
        from PySide6.QtCore import Qt

        self.window.setFocus()
        self.qtbot.keyClicks(self.window, code)
        self.qtbot.keyClick(self.window, Qt.Key.Key_Return)

    def wait_title(self, title: str, timeout: int = 10_000) -> None:
        self.qtbot.waitUntil(lambda: self.window.verdict.view.title == title, timeout=timeout)


KioskFactory = Callable[..., KioskUnderTest]


@pytest.fixture
def make_kiosk(qtbot: QtBot, store: Store) -> Iterator[KioskFactory]:
    bridges: list[KioskBridge] = []
    made: list[KioskUnderTest] = []
    """Every kiosk made, held until the test ends: pytest-qt keeps only weak references,
    and a test that discards its first kiosk (``make_kiosk().gate.scan(...)``) would
    otherwise let Python delete that window while its bridge's status thread still
    talks to it (seen as Qt calling into half-deleted wrappers, and once as a hang)."""

    def factory(
        mode: Mode = Mode.ENTRY,
        source: FrameSource | None = None,
        ready_after_ms: int = 60_000,
        **checkpoint_options: object,
    ) -> KioskUnderTest:
        if not SupervisorPin(store).is_set:
            SupervisorPin(store).set(PIN)
        gate = Gate(store, preset(mode).with_options(**checkpoint_options), gate_name="Gate 7")
        pipeline = Pipeline(gate, source)
        bridge = KioskBridge(gate, pipeline, status_interval=0.05)
        window = KioskWindow(bridge, SupervisorPin(store), ready_after_ms=ready_after_ms)
        qtbot.addWidget(window)
        window.resize(1280, 720)
        window.show()
        bridge.start()
        bridges.append(bridge)
        kiosk = KioskUnderTest(window, bridge, gate, store, qtbot)
        made.append(kiosk)
        return kiosk

    yield factory
    for bridge in bridges:
        bridge.stop()
    made.clear()
