"""The kiosk in a real X window, as a gate PC runs it: ``python -m tests.ui.real_window``.

Run by tests/ui/test_real_window.py inside a throwaway Xvfb display.  It builds the
kiosk with the product's own :func:`ui.app.build_kiosk`, styled and in the asked
language, shows it (full screen or not) through Qt's xcb platform, waits until the X
server has mapped it at its final size, then writes a JSON report (title shown,
window and screen geometry, every fit problem) and a grab of the whole screen, and
leaves through the ordinary Qt exit path: its exit status is the test's too.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QRect, QTimer
from PySide6.QtWidgets import QApplication

from scanner.pipeline import InputSource
from sync.config import KioskConfig
from tests.ui.fit import fit_problems
from ui.app import STYLE, build_kiosk
from ui.i18n import install_language


def rect_of(rect: QRect) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True)
    parser.add_argument("--language", default="en")
    parser.add_argument("--fullscreen", action="store_true")
    parser.add_argument("--code", default="")
    parser.add_argument("--report", required=True)
    parser.add_argument("--shot", required=True)
    args = parser.parse_args(argv)

    app = QApplication(sys.argv[:1])
    translator = install_language(app, args.language)
    app.setStyleSheet(STYLE.read_text())
    kiosk = build_kiosk(KioskConfig(), store_path=Path(args.store), source=None)
    kiosk.bridge.start()
    window = kiosk.window
    if args.fullscreen:
        window.show_full_screen()
    else:
        window.resize(1000, 560)
        window.show()
    report: dict[str, object] = {}
    deadline = time.monotonic() + 30

    def settled() -> bool:
        screen = window.screen().geometry()
        mapped = window.isVisible() and window.windowHandle().isExposed()
        full = not args.fullscreen or window.geometry() == screen
        return mapped and full and window.status.status is not None

    def step() -> None:
        if time.monotonic() > deadline:
            report["error"] = "the window never settled"
            app.exit(3)
            return
        if not settled():
            QTimer.singleShot(50, step)
            return
        if args.code and "verdict" not in report:
            report["verdict"] = "pending"
            kiosk.bridge.submit_text(args.code, InputSource.WEDGE)
        if args.code and window.verdict.view.title == report.get("ready_title"):
            QTimer.singleShot(50, step)
            return
        screen = window.screen()
        report.update(
            title=window.verdict.view.title,
            window=rect_of(window.geometry()),
            screen=rect_of(screen.geometry()),
            device_pixel_ratio=window.devicePixelRatio(),
            fullscreen=window.isFullScreen(),
            problems=fit_problems(window, QRect(screen.geometry())),
            supervisor_visible=window.supervisor_button.isVisible(),
        )
        screen.grabWindow(0).save(args.shot)
        app.quit()

    report["ready_title"] = window.verdict.view.title
    QTimer.singleShot(0, step)
    code = app.exec()
    kiosk.bridge.stop()
    kiosk.store.close()
    window.close()
    del translator
    Path(args.report).write_text(json.dumps(report, indent=2))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
