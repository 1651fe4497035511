"""``make screenshots``: what gate staff see, from the real kiosk in a real X window.

For each screen size and language a child process runs, inside its own Xvfb display
with a window manager (and once more per size in English without one, into
``bare/``: a kiosk started straight from ``xinit`` has none): it starts a real sync
server with the demo event, enrols a kiosk with a one-time code, opens the styled
kiosk full screen and takes each state the way a guest would cause it, with the frame
that carried the code in the preview.  The server is stopped last for the OFFLINE
strip.  Each picture is a grab of the whole X screen.

    python -m tests.screenshots docs/screenshots
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

SIZES = [(1024, 600), (1920, 1080)]
LANGUAGES = ["en", "id"]
ROOT = Path(__file__).resolve().parents[1]


def _wait(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the kiosk did not reach the expected state")
        QApplication.processEvents()
        time.sleep(0.01)  # a tool's loop over Qt's events with a deadline, not a test


def render(out: Path, language: str) -> list[Path]:
    """In a child whose DISPLAY is the Xvfb screen: every state, one PNG each."""
    from PySide6.QtWidgets import QApplication

    from scanner import TicketClaims, new_ticket_id, sign
    from scanner.decode import LayeredDecoder
    from scanner.keys import load_private_key
    from scanner.pipeline import InputSource
    from scanner.store import Store
    from scanner.supervisor import SupervisorPin
    from sync.client import SyncClient
    from sync.config import KioskConfig
    from tests.live_server import free_port
    from ui.app import STYLE, build_kiosk
    from ui.bridge import to_qimage
    from ui.demo.kiosk import DEMO_PIN, start_server
    from ui.demo.scene import empty_frame, forged_copy, make_frame
    from ui.demo.seed import enrol_code, seed_demo
    from ui.i18n import install_language

    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="admitone-shots-"))
    server = start_server(work, free_port())
    now = datetime.now(UTC)
    with server.admin() as admin:
        demo = seed_demo(admin, general=10, now=now)
        general, vip = demo.by_type("GA"), demo.by_type("VIP")
        refunded = general[-1]
        admin.post(f"/tickets/{refunded['ticket_id']}/refund").raise_for_status()
        note = "Kartu pelajar wajib" if language == "id" else "Student card required"
        admin.post(
            f"/events/{demo.event_id}/ticket-types",
            json={"code": "STUDENT", "name": "Student", "gate_note": note},
        ).raise_for_status()
        student = admin.post(
            "/orders",
            json={
                "event_id": demo.event_id,
                "buyer_name": "Sari Student",
                "items": [{"ticket_type": "STUDENT", "holder_name": "Sari Student"}],
            },
        ).json()["tickets"][0]
        code = enrol_code(admin, demo.event_id, "North Gate")
    store_path = work / "kiosk.db"
    with Store.open(store_path) as store:
        SyncClient(store).enrol(server.url, code)
        SupervisorPin(store).set(DEMO_PIN)
    # The issuing key, not the HTTPS key or the ticket-link secret beside it.
    key = load_private_key(
        next(p for p in (work / "keys").glob("*.key") if p.stem not in ("tls", "ticket-links"))
    )

    def signed(**changes: object) -> str:
        values: dict[str, object] = {
            "ticket_id": new_ticket_id(),
            "event_id": demo.event_id,
            "ticket_type": "GA",
            "valid_from": now - timedelta(days=3),
            "valid_until": now - timedelta(days=2),
        }
        values.update(changes)
        return sign(TicketClaims(**values), key)  # type: ignore[arg-type]

    app = QApplication(sys.argv[:1])
    translator = install_language(app, language)
    app.setStyleSheet(STYLE.read_text())
    kiosk = build_kiosk(KioskConfig(language=language), store_path=store_path, source=None)
    window = kiosk.window
    window.ready_timer.setInterval(600_000)
    kiosk.bridge.start()
    window.show_full_screen()
    screen = window.screen()
    _wait(lambda: window.geometry() == screen.geometry() and window.windowHandle().isExposed())
    _wait(lambda: window.status.status is not None and window.status.status.online)
    decoder = LayeredDecoder()
    written: list[Path] = []

    def shot(name: str) -> None:
        seen = window.status.status
        _wait(lambda: window.status.status is not seen)  # a strip as fresh as the verdict
        for _ in range(5):
            QApplication.processEvents()
        path = out / f"{name}.jpg"  # JPEG: the preview's camera noise bloats a PNG tenfold
        screen.grabWindow(0).save(str(path), "JPG", 85)
        written.append(path)

    def present(text: str | None, category: str, n: int) -> None:
        frame = make_frame(text, category, n) if text else empty_frame(n)
        outlines = tuple(found.corners for found in decoder.decode(frame))
        window.preview.show_frame(to_qimage(frame), outlines)
        if text:
            shown = window.verdict.view
            kiosk.bridge.submit_text(text, InputSource.WEDGE)
            _wait(lambda: window.verdict.view is not shown)

    present(None, "", 1)
    shot("ready")
    present(general[0]["code"], "clean", 2)
    shot("admitted")
    present(vip[0]["code"], "phone_screen", 3)
    shot("admitted_vip")
    present(student["code"], "clean", 10)
    shot("admitted_id_required")
    present(general[0]["code"], "perspective", 4)
    shot("already_inside")
    present(forged_copy(general[1]["code"]), "clean", 5)
    shot("invalid")
    present(signed(), "glare", 6)
    shot("expired")
    present(signed(event_id=demo.event_id + 1000, valid_until=now + timedelta(days=1)), "clean", 7)
    shot("wrong_event")
    present(refunded["code"], "glare", 8)
    shot("revoked")
    window.open_supervisor()
    for digit in DEMO_PIN[:2]:
        window.pin_dialog.keys[digit].click()
    shot("pin_pad")
    window.pin_dialog.reject()
    panel = window.show_panel()
    _wait(lambda: bool(panel.counts.text()))
    panel.reason.setText(
        "Sudah bayar lagi di loket, kuitansi 7731"
        if language == "id"
        else "Paid again at the box office, receipt 7731"
    )
    shot("supervisor_override")
    panel.close()
    present(None, "", 9)
    window.show_ready()
    server.process.terminate()
    server.process.wait(10)
    _wait(lambda: window.status.status is not None and not window.status.status.online)
    _wait(lambda: window.status.labels["network"].property("state") == "offline")
    shot("offline")
    kiosk.bridge.stop()
    window.close()
    kiosk.store.close()
    del translator
    return written


def main(out: Path) -> list[Path]:
    from tests.xvfb import VirtualDisplay

    written: list[Path] = []
    passes = [(language, True) for language in LANGUAGES] + [("en", False)]
    for width, height in SIZES:
        for language, window_manager in passes:
            top = out / language if window_manager else out / "bare" / language
            folder = top / f"{width}x{height}"
            with VirtualDisplay(width, height, window_manager=window_manager) as display:
                rendered = subprocess.run(
                    [sys.executable, "-m", "tests.screenshots", "--render", str(folder), language],
                    cwd=ROOT,
                    env=display.env(),
                    stderr=subprocess.PIPE,
                    text=True,
                )
                if rendered.returncode != 0:  # Qt's chatter is dropped; a failure is not
                    raise RuntimeError(f"{folder}: {rendered.stderr[-4000:]}")
            written += sorted(folder.glob("*.jpg"))
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", nargs="?", default="docs/screenshots")
    parser.add_argument("language", nargs="?", default="en")
    parser.add_argument("--render", action="store_true", help="(internal) render in this display")
    args = parser.parse_args()
    if args.render:
        render(Path(args.out), args.language)
    else:
        for written_path in main(Path(args.out)):
            print(written_path)
