"""The kiosk in a real X window (Qt's xcb platform on Xvfb), with and without a window
manager, from a small gate screen to a HiDPI 4K one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import pytest

from scanner import Store
from scanner.verdict import Tone
from tests.conftest import Issue
from tests.xvfb import VirtualDisplay, XvfbUnavailableError
from ui.presentation import COLOURS, READY_COLOUR

ROOT = Path(__file__).resolve().parents[2]


def open_display(width: int, height: int, window_manager: bool) -> VirtualDisplay:
    try:
        return VirtualDisplay(width, height, window_manager).start()
    except XvfbUnavailableError as exc:
        if os.environ.get("CI"):
            raise  # CI must show the real window
        pytest.skip(f"{exc} (skipped on this laptop only; 'make test' installs it)")


@pytest.fixture
def kiosk_store(store: Store, tmp_path: Path) -> Path:
    return Path(store.path)


def run_kiosk(
    display: VirtualDisplay,
    store: Path,
    out: Path,
    *,
    language: str = "en",
    fullscreen: bool = True,
    code: str = "",
    scale: str = "",
) -> tuple[dict[str, object], Path]:
    report, shot = out / "report.json", out / "screen.png"
    extra = {"QT_SCALE_FACTOR": scale} if scale else {}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.ui.real_window",
            "--store",
            str(store),
            "--language",
            language,
            "--report",
            str(report),
            "--shot",
            str(shot),
            *(["--fullscreen"] if fullscreen else []),
            *(["--code", code] if code else []),
        ],
        cwd=ROOT,
        env=display.env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    # A clean exit through Qt's own path: no abort at shutdown, no os._exit needed.
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(report.read_text()), shot


def pixel_at(shot: Path, x: float, y: float) -> str:
    image = cv2.imread(str(shot))
    assert image is not None
    b, g, r = image[int(y), int(x)]
    return f"#{r:02x}{g:02x}{b:02x}"


CASES = [
    (1024, 600, False, ""),
    (1280, 800, True, ""),
    (1920, 1080, True, ""),
    (1920, 1080, False, ""),
    (3840, 2160, True, "2"),
]


@pytest.mark.parametrize(
    ("width", "height", "window_manager", "scale"),
    CASES,
    ids=[f"{w}x{h}{'-wm' if wm else ''}{'-hidpi' if s else ''}" for w, h, wm, s in CASES],
)
def test_full_screen_shows_ready_with_everything_on_the_screen(
    kiosk_store: Path, tmp_path: Path, width: int, height: int, window_manager: bool, scale: str
) -> None:
    with open_display(width, height, window_manager) as display:
        report, shot = run_kiosk(display, kiosk_store, tmp_path, scale=scale)
    assert report["title"] == "READY"
    assert report["fullscreen"] is True
    factor = int(scale or 1)
    assert report["screen"] == [0, 0, width // factor, height // factor]
    assert report["window"] == report["screen"]
    assert report["problems"] == []
    assert report["supervisor_visible"] is True
    grabbed = cv2.imread(str(shot))
    assert grabbed is not None
    assert grabbed.shape[:2] == (height, width)  # the real X screen, every pixel
    # The verdict panel paints READY's colour on the right of the screen.
    assert pixel_at(shot, width * 0.62, height * 0.05) == READY_COLOUR


def test_an_indonesian_window_admits_a_ticket(
    kiosk_store: Path, tmp_path: Path, issue: Issue
) -> None:
    now = datetime.now(UTC)
    code, _ = issue(valid_from=now - timedelta(hours=1), valid_until=now + timedelta(hours=3))
    with open_display(1024, 600, True) as display:
        report, shot = run_kiosk(display, kiosk_store, tmp_path, language="id", code=code)
    assert report["title"] == "SILAKAN MASUK"
    assert report["problems"] == []
    assert pixel_at(shot, 1024 * 0.62, 600 * 0.05) == COLOURS[Tone.ADMIT]


def test_a_window_that_is_not_full_screen_lies_on_the_screen(
    kiosk_store: Path, tmp_path: Path
) -> None:
    with open_display(1280, 800, True) as display:
        report, _ = run_kiosk(display, kiosk_store, tmp_path, fullscreen=False)
    assert report["title"] == "READY"
    assert report["problems"] == []


def test_the_kiosk_stops_cleanly_on_sigterm_as_systemd_stops_it(
    kiosk_store: Path, tmp_path: Path, issue: Issue
) -> None:
    """``admitone kiosk`` in a real window, sized to the screen, then SIGTERM: it closes
    as the Quit button does and exits 0 (no abort at shutdown, no os._exit)."""
    import signal
    import time

    frames = tmp_path / "frames"
    frames.mkdir()
    now = datetime.now(UTC)
    code, _ = issue(valid_from=now - timedelta(hours=1), valid_until=now + timedelta(hours=3))
    from ui.demo.scene import make_frame

    cv2.imwrite(str(frames / "ticket.png"), make_frame(code, "clean", 1))
    admitone = str(Path(sys.executable).with_name("admitone"))
    with open_display(1280, 800, True) as display:
        kiosk = subprocess.Popen(
            [admitone, "kiosk", "--store", str(kiosk_store), "--source", str(frames), "--windowed"],
            env=display.env(ADMITONE_DATA_DIR=str(tmp_path)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while "AdmitOne" not in _window_names(display) or not _admitted(kiosk_store):
            assert kiosk.poll() is None, kiosk.stderr.read() if kiosk.stderr else ""
            assert time.monotonic() < deadline, "the kiosk window never showed an admit"
            time.sleep(0.1)  # polling another process's window and journal, with a deadline
        kiosk.send_signal(signal.SIGTERM)
        assert kiosk.wait(30) == 0
    with Store.open(kiosk_store) as store:
        assert store.integrity_ok()
        assert store.counts_by_verdict().get("admitted") == 1  # it scanned before it stopped


def _admitted(store: Path) -> bool:
    import sqlite3

    with sqlite3.connect(store, timeout=5) as conn:
        return bool(conn.execute("SELECT 1 FROM scans WHERE verdict = 'admitted'").fetchone())


def _window_names(display: VirtualDisplay) -> str:
    tree = subprocess.run(
        ["xwininfo", "-display", display.display, "-root", "-tree"],
        capture_output=True,
        text=True,
        check=False,
    )
    return tree.stdout
