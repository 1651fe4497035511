"""The kiosk's online/offline indicator follows a real server being stopped and started."""

from __future__ import annotations

import random
import re
import subprocess
from pathlib import Path

import cv2
import httpx
import numpy as np
from pytestqt.qtbot import QtBot

from scanner import Gate, Mode, preset
from scanner.camera import ImageFolderSource
from scanner.pipeline import Pipeline
from scanner.supervisor import SupervisorPin
from sync.scheduler import SyncScheduler
from tests.live_server import ADMITONE
from tests.sync.conftest import World
from ui.bridge import KioskBridge
from ui.demo.scene import background
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


def _console_enrolment_svg(world: World, tmp_path: Path, gate: str) -> str:
    """Through the console, as an organiser does: an owner account from ``server
    add-account``, signed in, asks for an enrolment code; the page's QR code (SVG)."""
    email = f"owner-{gate.lower().replace(' ', '-')}@example.org"
    made = subprocess.run(
        [
            ADMITONE,
            "server",
            "add-account",
            email,
            "--role",
            "owner",
            "--database",
            world.server.database_url,
        ],
        capture_output=True,
        text=True,
        env=world.server.env,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    password = re.search(r"one-time password \(.*\): (\S+)", made.stdout)
    assert password is not None, made.stdout
    browser = httpx.Client(base_url=world.server.url, verify=world.server.verify, timeout=30)
    signed_in = browser.post(
        "/console/login", data={"email": email, "password": password.group(1), "next": ""}
    )
    assert signed_in.status_code == 303, signed_in.text
    token = re.search(r'name="csrf" value="([^"]+)"', browser.get("/console/kiosks").text)
    assert token is not None
    page = browser.post(
        "/console/kiosks/enrol-code",
        data={
            "csrf": token.group(1),
            "event_id": str(world.demo.event_id),
            "gate": gate,
            "server_url": world.server.url,
        },
    )
    assert page.status_code == 200, page.text
    svg = re.search(r"<svg.*?</svg>", page.text, re.S)
    assert svg is not None
    browser.close()
    return svg.group(0)


def _frame_of_svg(svg: str, folder: Path) -> None:
    """The QR code as the console draws it, rendered to pixels (Qt's SVG renderer) and
    held up to the kiosk's camera in a cluttered frame."""
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg.encode()))
    image = QImage(480, 480, QImage.Format.Format_RGB888)
    image.fill(QColor("white"))
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(480, image.bytesPerLine())
    code = cv2.cvtColor(pixels[:, : 480 * 3].reshape(480, 480, 3), cv2.COLOR_RGB2BGR)
    frame = background(random.Random(9))
    frame[120:600, 400:880] = code
    folder.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(folder / "enrol.png"), frame)


def test_a_new_kiosk_enrols_by_showing_its_camera_the_consoles_qr_code(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    svg = _console_enrolment_svg(world, tmp_path, "Camera Gate")
    _frame_of_svg(svg, tmp_path / "frames")
    kiosk = world.kiosk("camera-gate", enrol=False)
    gate = Gate(kiosk.store, preset(Mode.ENTRY), gate_name="unnamed")
    source = ImageFolderSource(tmp_path / "frames", realtime=True, fps=15, loop=True)
    bridge = KioskBridge(gate, Pipeline(gate, source), status_interval=0.05)
    window = KioskWindow(bridge, SupervisorPin(kiosk.store))
    qtbot.addWidget(window)
    window.show()
    bridge.start()
    try:
        qtbot.waitUntil(lambda: window.status.text("network") == "✔ ONLINE", timeout=30_000)
        qtbot.waitUntil(lambda: window.status.text("gate") == "Gate: Camera Gate")
        assert kiosk.store.ticket_count() == len(world.demo.tickets)
        # Shown again and again, the code enrols once and is never judged as a ticket.
        assert kiosk.store.counts_by_verdict() == {}
    finally:
        bridge.stop()


def test_an_enrolled_kiosk_moves_server_only_through_the_supervisor_panel(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    svg = _console_enrolment_svg(world, tmp_path, "Other Gate")
    _frame_of_svg(svg, tmp_path / "frames")
    kiosk = world.kiosk("North Gate")
    SupervisorPin(kiosk.store).set("2468")
    gate = Gate(kiosk.store, preset(Mode.ENTRY), gate_name="North Gate")
    source = ImageFolderSource(tmp_path / "frames", realtime=True, fps=15, loop=True)
    bridge = KioskBridge(gate, Pipeline(gate, source), client=kiosk.client, status_interval=0.05)
    window = KioskWindow(bridge, SupervisorPin(kiosk.store))
    qtbot.addWidget(window)
    window.show()
    bridge.start()
    try:
        qtbot.waitUntil(lambda: window.verdict.view.title == "ENROLMENT CODE", timeout=30_000)
        assert "supervisor" in window.verdict.view.detail
        assert gate.gate_name == "North Gate"  # nothing changed
        panel = window.show_panel()
        assert panel.server_url.text() == world.server.url
        assert panel.enrol_code.text() != ""
        assert panel.message.text() == "Enrolment code read: press Enrol to use it"
    finally:
        bridge.stop()
