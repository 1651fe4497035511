"""``make demo`` end to end: server, demo event, enrolled kiosk, the gate video's verdicts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scanner import Tone
from tests.live_server import free_port
from ui.presentation import COLOURS

ADMITONE = str(Path(sys.executable).with_name("admitone"))


@pytest.mark.slow
def test_the_demo_scans_genuine_vip_refunded_forged_and_repeated_tickets(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "ADMITONE_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [
            ADMITONE,
            "kiosk",
            "demo",
            "--workdir",
            str(tmp_path / "demo"),
            "--port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("  ")]
    assert [line.split()[0] for line in lines] == [
        "ADMITTED",
        "ADMITTED",
        "REVOKED",
        "INVALID",
        "ADMITTED",
        "NEEDS_EXIT_FIRST",
    ]
    # The repeat at the end is a passback: red, in words staff cannot misread.
    assert f"ALREADY INSIDE ({COLOURS[Tone.REJECT]})" in lines[-1]
    assert "entered" in lines[-1]
    assert "supervisor PIN 2468" in result.stdout
    assert len(list((tmp_path / "demo" / "tickets").glob("*.png"))) == 17


def test_a_killed_demo_takes_its_server_with_it(tmp_path: Path) -> None:
    """The kiosk dies (here: SIGKILL, as a crash would) and no orphan keeps the port."""
    import os
    import signal
    import socket
    import time

    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "ADMITONE_DATA_DIR": str(tmp_path)}
    demo = subprocess.Popen(
        [ADMITONE, "kiosk", "demo", "--workdir", str(tmp_path / "demo"), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert demo.stdout is not None
    started = demo.stdout.readline()  # printed once the server is up and the kiosk enrolled
    assert started.startswith("server https://127.0.0.1:")
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    os.kill(demo.pid, signal.SIGKILL)
    demo.wait(10)

    def port_closed() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return False
        except OSError:
            return True

    deadline = time.monotonic() + 20
    while not port_closed():
        assert time.monotonic() < deadline, "the demo's server outlived the demo"
        time.sleep(0.1)  # polling the port with a deadline: the server's exit is not ours
