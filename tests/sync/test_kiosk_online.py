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
        qtbot.waitUntil(lambda: network.text() == "✔ ONLINE", timeout=20_000)
        world.server.stop()
        qtbot.waitUntil(lambda: network.text() == "⚠ OFFLINE", timeout=20_000)
        world.server.start()
        qtbot.waitUntil(lambda: network.text() == "✔ ONLINE", timeout=20_000)
        qtbot.waitUntil(lambda: window.status.text("sync") != "Last sync: never", timeout=20_000)
        assert window.status.text("sync").startswith("Last sync: ")
    finally:
        bridge.stop()


def test_a_supervisor_enrols_the_kiosk_from_the_panel_and_syncing_starts(
    qtbot: QtBot, world: World
) -> None:
    from PySide6.QtCore import Qt

    from ui.demo.seed import enrol_code
    from ui.sync_wiring import SyncWiring

    kiosk = world.kiosk("Late Gate", enrol=False)
    SupervisorPin(kiosk.store).set("2468")
    gate = Gate(kiosk.store, preset(Mode.ENTRY), gate_name="unnamed")
    bridge = KioskBridge(
        gate,
        Pipeline(gate),
        status_interval=0.05,
        wiring=SyncWiring(sync_interval_seconds=7.0, clock_skew_warning_seconds=30.0),
    )
    window = KioskWindow(bridge, SupervisorPin(kiosk.store))
    qtbot.addWidget(window)
    window.show()
    bridge.start()
    try:
        assert window.status.labels["network"].text() in ("", "⚠ NOT ENROLLED")
        panel = window.show_panel()
        with world.admin() as admin:
            code = enrol_code(admin, world.demo.event_id, "Late Gate")
        panel.server_url.setText(world.server.url)
        panel.enrol_code.setText(code)
        qtbot.mouseClick(panel.enrol, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.status.text("network") == "✔ ONLINE", timeout=20_000)
        qtbot.waitUntil(lambda: window.status.text("gate") == "Gate: Late Gate")
        assert window.status.text("event") == f"Event: {world.demo.event_id}"
        assert kiosk.store.ticket_count() == len(world.demo.tickets)
        assert panel.message.text() == "Enrolled: this kiosk now syncs"
        # Wired as at start-up: the configured interval and skew threshold survive.
        assert bridge.scheduler is not None
        assert bridge.client is not None
        assert bridge.scheduler.interval == 7.0
        assert bridge.client.skew_warning_seconds == 30.0
    finally:
        bridge.stop()
