"""The kiosk's online/offline indicator follows a real server being stopped and started."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from scanner import Gate, Mode, preset
from scanner.pipeline import Pipeline
from scanner.supervisor import SupervisorPin
from sync.scheduler import SyncScheduler
from tests.sync.conftest import World
from ui.bridge import KioskBridge
from ui.window import KioskWindow


def test_the_status_strip_follows_the_server_going_away_and_coming_back(
    qtbot: QtBot, world: World
) -> None:
    kiosk = world.kiosk("North Gate")
    gate = Gate(kiosk.store, preset(Mode.ENTRY), gate_name="North Gate")
    scheduler = SyncScheduler(kiosk.client, interval=0.5, offline_probe=0.2)
    bridge = KioskBridge(
        gate, Pipeline(gate), client=kiosk.client, scheduler=scheduler, status_interval=0.05
    )
    window = KioskWindow(bridge, SupervisorPin(kiosk.store))
    qtbot.addWidget(window)
    window.show()
    bridge.start()
    network = window.status.labels["network"]
    try:
        qtbot.waitUntil(lambda: network.text() == "ONLINE", timeout=20_000)
        world.server.stop()
        qtbot.waitUntil(lambda: network.text() == "OFFLINE", timeout=20_000)
        world.server.start()
        qtbot.waitUntil(lambda: network.text() == "ONLINE", timeout=20_000)
        qtbot.waitUntil(lambda: window.status.text("sync").startswith("Last sync: "))
        assert window.status.text("sync") != "Last sync: never"
    finally:
        bridge.stop()
