"""What the kiosk benchmarks share: a real server with a demo event, an enrolled kiosk
store and a 720p gate video of genuine and forged tickets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scanner.store import Store
from scanner.supervisor import SupervisorPin
from sync.client import SyncClient
from tests.bench.report import progress
from tests.live_server import ServerProcess
from ui.demo.scene import empty_frame, forged_copy, make_frame, write_video
from ui.demo.seed import enrol_code, seed_demo


def run_probe(
    store_path: Path, video: Path, seconds: float, warmup: float = 0.0
) -> subprocess.CompletedProcess[str]:
    """The real kiosk, in a process of its own, on ``video`` for ``seconds``
    (``tests/bench/kiosk_probe.py`` prints its figures as one JSON line)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.kiosk_probe",
            str(store_path),
            str(video),
            str(seconds),
            str(warmup),
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 300,
    )


def enrolled_kiosk(workdir: Path, server: ServerProcess, *, tickets: int = 12) -> tuple[Path, Path]:
    """(kiosk store, gate video): every fifth ticket in the video is forged."""
    with server.admin() as admin:
        demo = seed_demo(admin, general=2000)
        code = enrol_code(admin, demo.event_id, "Bench Gate")
    store_path = workdir / "kiosk.db"
    with Store.open(store_path) as store:
        SyncClient(store).enrol(server.url, code)
        SupervisorPin(store).set("2468")
    progress("rendering a 720p video")
    frames = []
    for n, ticket in enumerate(demo.by_type("GA")[:tickets]):
        text = ticket["code"] if n % 5 else forged_copy(ticket["code"])
        frames += [make_frame(text, "clean", n)] * 30 + [empty_frame(n)] * 20
    video = workdir / "gate.avi"
    write_video(str(video), frames, fps=30)
    return store_path, video
