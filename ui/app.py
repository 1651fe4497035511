"""Assemble and start the kiosk: store, gate, pipeline, sync, window."""

from __future__ import annotations

import logging
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from scanner.camera import open_source
from scanner.checkpoint import Mode, preset
from scanner.decode import make_decoder
from scanner.gate import Gate
from scanner.pipeline import Pipeline
from scanner.store import META_GATE, Store
from scanner.supervisor import SupervisorPin
from sync.client import SyncClient
from sync.config import KioskConfig
from ui.bridge import KioskBridge
from ui.i18n import install_language
from ui.memory import steady_heap
from ui.sync_wiring import SyncWiring
from ui.window import KioskWindow

log = logging.getLogger(__name__)
STYLE = Path(__file__).resolve().parent.parent / "resources" / "style.qss"


@dataclass
class Kiosk:
    store: Store
    gate: Gate
    pipeline: Pipeline
    bridge: KioskBridge
    window: KioskWindow
    client: SyncClient | None


def build_kiosk(
    config: KioskConfig,
    *,
    store_path: Path,
    source: str | None,
    mode: str = "entry",
    gate_name: str | None = None,
    loop_video: bool = True,
    ready_after_ms: int = 3000,
) -> Kiosk:
    steady_heap()  # before the capture and decode threads allocate their first frame
    store = Store.open(store_path)
    name = gate_name or store.get_meta(META_GATE) or "Gate"
    # The entry preset follows each ticket's own event's re-entry policy.
    gate = Gate(store, preset(Mode(mode)), gate_name=name)
    frames = open_source(source, realtime=True, loop=loop_video) if source else None
    pipeline = Pipeline(gate, frames, decoder=make_decoder(config.decoder))
    wiring = SyncWiring.from_config(config)
    client = scheduler = None
    if store.get_meta("device_token"):
        client = wiring.client(store)
        scheduler = wiring.scheduler(client, gate)
    bridge = KioskBridge(gate, pipeline, client=client, scheduler=scheduler, wiring=wiring)
    window = KioskWindow(
        bridge,
        SupervisorPin(store),
        ready_after_ms=ready_after_ms,
        scan_idle_ms=config.scan_idle_ms,
    )
    return Kiosk(store, gate, pipeline, bridge, window, client)


def run(
    config: KioskConfig,
    *,
    store_path: Path,
    source: str | None,
    fullscreen: bool,
    language: str | None = None,
    mode: str = "entry",
) -> int:
    os.environ.setdefault(
        "QT_QPA_PLATFORM",
        "offscreen"
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
        else "",
    )
    if not os.environ["QT_QPA_PLATFORM"]:
        del os.environ["QT_QPA_PLATFORM"]
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    translator = install_language(app, language or config.language)
    if STYLE.is_file():
        app.setStyleSheet(STYLE.read_text())
    kiosk = build_kiosk(config, store_path=store_path, source=source, mode=mode)
    kiosk.bridge.start()
    if fullscreen:
        kiosk.window.show_full_screen()
    else:
        kiosk.window.show_windowed()
    kiosk.window.setFocus()
    # SIGTERM (systemd stopping the kiosk) and Ctrl+C close it as the Quit button does:
    # the pipeline stops and the store closes.  Python runs signal handlers only when
    # it has control, so a timer hands it control a few times a second.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: app.quit())
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(250)
    try:
        return app.exec()
    finally:
        kiosk.bridge.stop()
        kiosk.store.close()
        del translator
