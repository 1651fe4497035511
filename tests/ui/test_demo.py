"""``make demo`` end to end: server, demo event, enrolled kiosk, the gate video's verdicts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.live_server import free_port

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
    verdicts = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")]
    assert verdicts == [
        "ADMITTED",
        "ADMITTED",
        "REVOKED",
        "INVALID",
        "ADMITTED",
        "NEEDS_EXIT_FIRST",
    ]
    assert "supervisor PIN 2468" in result.stdout
    assert len(list((tmp_path / "demo" / "tickets").glob("*.png"))) == 17
