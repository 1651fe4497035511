"""``make demo``: a local server, a demo event, an enrolled kiosk and a gate video.

Everything runs as it would for real: the server is an ``admitone server``
process, the catalogue is made through its API, the kiosk enrols with a
one-time code and pulls the manifest, and the kiosk window scans a video that
shows genuine, repeated, VIP, refunded and forged tickets.  With a screen the
window stays open (close it to end the demo); without one the kiosk runs
offscreen for the length of the video and prints each verdict.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import segno

from scanner.store import Store
from scanner.supervisor import SupervisorPin
from sync.client import SyncClient
from sync.config import load_config
from sync.pinning import pinned_context
from ui.demo.scene import empty_frame, forged_copy, make_frame, write_video
from ui.demo.seed import enrol_code, seed_demo

log = logging.getLogger(__name__)
DEMO_PIN = "2468"


@dataclass
class DemoServer:
    process: subprocess.Popen[bytes]
    url: str
    admin_token: str
    certificate: str
    """The HTTPS certificate ``server init`` made; the organiser's tools trust it."""

    def admin(self) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.url}/api/v1",
            timeout=120,
            headers={"Authorization": f"Bearer {self.admin_token}"},
            verify=pinned_context(self.certificate),
        )


def _die_with_parent(parent: int) -> Callable[[], None] | None:
    """For the server child: have the kernel end it when the demo process ends, however
    that happens (a crash, SIGKILL), so no orphan keeps the port.  Linux only; elsewhere
    the ``finally`` in :func:`run_demo` is all there is."""
    if not sys.platform.startswith("linux"):
        return None

    def arm() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)

    return arm


def server_program() -> str:
    """The ``admitone`` that runs the demo's server: this installation's own, unless
    ``ADMITONE_DEMO_SERVER`` names another (a kiosk-only build has no server in it)."""
    return os.environ.get("ADMITONE_DEMO_SERVER") or str(Path(sys.executable).with_name("admitone"))


def start_server(workdir: Path, port: int) -> DemoServer:
    admitone = server_program()
    env = {**os.environ, "ADMITONE_SERVER_KEYS_DIR": str(workdir / "keys")}
    database = f"sqlite:///{workdir / 'server.db'}"
    init = subprocess.run(
        [admitone, "server", "init", "--database", database],
        capture_output=True,
        text=True,
        env=env,
    )
    if init.returncode != 0:
        raise RuntimeError(
            f"the demo's server could not start ({init.stderr.strip() or init.returncode}); "
            "the demo needs the sync server: install admitone[server], or set "
            "ADMITONE_DEMO_SERVER to an admitone program that has it"
        )
    token = init.stdout.split("store it safely): ")[1].split()[0]
    log_file = open(workdir / "server.log", "wb")  # noqa: SIM115 (lives as long as the server)
    process = subprocess.Popen(
        [admitone, "server", "--database", database, "--port", str(port)],
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent(os.getpid()),  # before any thread starts
    )
    url = f"https://127.0.0.1:{port}"
    certificate = (workdir / "keys" / "tls.crt").read_text()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            health = httpx.get(f"{url}/healthz", timeout=1, verify=pinned_context(certificate))
            if health.status_code == 200:
                return DemoServer(process, url, token, certificate)
        except httpx.TransportError:
            time.sleep(0.1)  # waiting for the server to listen, with a deadline
    process.kill()
    raise RuntimeError(f"the demo server did not start; see {workdir / 'server.log'}")


def prepare(workdir: Path, port: int) -> tuple[DemoServer, Path, Path]:
    if workdir.exists():
        shutil.rmtree(workdir)
    (workdir / "tickets").mkdir(parents=True)
    server = start_server(workdir, port)
    with server.admin() as admin:
        demo = seed_demo(admin, general=300, now=datetime.now(UTC))
        general, vip = demo.by_type("GA"), demo.by_type("VIP")
        refunded = general[-1]
        admin.post(f"/tickets/{refunded['ticket_id']}/refund").raise_for_status()
        code = enrol_code(admin, demo.event_id, "Main Gate")
    for ticket in [*general[:10], *vip, refunded]:
        label = "REFUNDED-" if ticket is refunded else ""
        name = f"{label}{ticket['ticket_type']}-{ticket['ticket_id'][:8]}.png"
        segno.make_qr(ticket["code"], error="m").save(str(workdir / "tickets" / name), scale=8)
    store_path = workdir / "kiosk.db"
    with Store.open(store_path) as store:
        SyncClient(store).enrol(server.url, code)
        SupervisorPin(store).set(DEMO_PIN)
    frames = []
    script = [
        (general[0]["code"], "clean", 45),
        (None, "", 20),
        (vip[0]["code"], "phone_screen", 45),
        (None, "", 20),
        (refunded["code"], "glare", 45),
        (None, "", 20),
        (forged_copy(general[1]["code"]), "clean", 45),
        (None, "", 20),
        (general[2]["code"], "inverted", 45),
        (None, "", 150),
        (general[0]["code"], "perspective", 45),
        (None, "", 30),
    ]
    for n, (text, category, count) in enumerate(script):
        image = make_frame(text, category, n) if text else empty_frame(n)
        frames += [image] * count
    video = workdir / "gate.avi"
    write_video(str(video), frames, fps=30)
    return server, store_path, video


def run_demo(workdir: Path, port: int = 8645, camera: str | None = None) -> int:
    server, store_path, video = prepare(workdir, port)
    print(
        f"server {server.url} (admin token in {workdir}/server.log is not printed); "
        f"kiosk store {store_path}; supervisor PIN {DEMO_PIN}; printable tickets in "
        f"{workdir / 'tickets'}",
        flush=True,
    )
    try:
        headless = not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
        if headless:
            return run_headless(store_path, video)
        from ui.app import run

        return run(
            load_config().kiosk,
            store_path=store_path,
            source=camera or str(video),
            fullscreen=False,
        )
    finally:
        server.process.terminate()
        server.process.wait(10)


def run_headless(store_path: Path, video: Path) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from scanner.pipeline import CameraState
    from ui.app import build_kiosk

    app = QApplication.instance() or QApplication(sys.argv[:1])
    kiosk = build_kiosk(
        load_config().kiosk, store_path=store_path, source=str(video), loop_video=False
    )

    def show(event: object) -> None:
        verdict = getattr(event, "verdict", None)
        if verdict is not None and not verdict.repeat:
            view = kiosk.window.verdict.view
            print(f"  {verdict.kind.upper():<18} {view.title} ({view.colour}): {view.detail}")

    def check_done() -> None:
        if kiosk.pipeline.camera_state is CameraState.ENDED:
            QTimer.singleShot(1500, app.quit)
            timer.stop()

    # Queued, so it runs after the panel has shown the verdict.
    kiosk.bridge.verdictReady.connect(show, type=Qt.ConnectionType.QueuedConnection)
    timer = QTimer()
    timer.timeout.connect(check_done)
    timer.start(200)
    kiosk.window.resize(1280, 720)
    kiosk.window.show()
    kiosk.bridge.start()
    print("no screen here: the kiosk runs offscreen on the demo video; verdicts:")
    try:
        app.exec()
    finally:
        kiosk.bridge.stop()
        counts = kiosk.store.counts_by_verdict()
        pending = kiosk.store.pending_count()
        kiosk.store.close()
    print(f"{pending} scans not yet uploaded (the kiosk syncs every few seconds)")
    print("journal: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0
