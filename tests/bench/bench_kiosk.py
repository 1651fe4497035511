"""The kiosk process itself: start-up to ready, memory, and how free the GUI thread stays.

A real kiosk process, offscreen, scanning a 720p 30 fps video while its sync
client talks to a real server every second.  Baseline in the same run: a bare
``QApplication`` with an empty window (what Qt alone costs in time and memory).
Targets (issue 6): RSS <= 250 MB, start-up to ready <= 2 s, event-loop
lateness p99 <= 50 ms.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scanner.scene import empty_frame, forged_copy, make_frame, write_video
from scanner.store import Store
from scanner.supervisor import SupervisorPin
from sync.client import SyncClient
from sync.seed import enrol_code, seed_demo
from tests.bench.report import progress, table
from tests.live_server import ServerProcess

SECONDS = 20.0
BARE_QT = (
    "import os, time, json; t=time.perf_counter(); os.environ['QT_QPA_PLATFORM']='offscreen';"
    "from PySide6.QtWidgets import QApplication, QMainWindow; a=QApplication([]); w=QMainWindow();"
    "w.resize(1280,720); w.show(); a.processEvents(); r=int([l for l in open('/proc/self/status')"
    " if l.startswith('VmRSS')][0].split()[1])/1024; print(json.dumps({'ready_s': time.perf_counter()-t,"
    " 'rss_mb_max': r})); os._exit(0)"
)


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="admitone-bench-kiosk-"))
    server = ServerProcess(f"sqlite:///{workdir / 'server.db'}", workdir)
    server.init()
    server.start()
    try:
        with server.admin() as admin:
            demo = seed_demo(admin, general=2000)
            code = enrol_code(admin, demo.event_id, "Bench Gate")
        store_path = workdir / "kiosk.db"
        with Store.open(store_path) as store:
            SyncClient(store).enrol(server.url, code)
            SupervisorPin(store).set("2468")
        progress("rendering a 720p video")
        frames = []
        for n, ticket in enumerate(demo.by_type("GA")[:12]):
            text = ticket["code"] if n % 5 else forged_copy(ticket["code"])
            frames += [make_frame(text, "clean", n)] * 30 + [empty_frame(n)] * 20
        video = workdir / "gate.avi"
        write_video(str(video), frames, fps=30)
        progress("baseline: a bare Qt window")
        bare = json.loads(
            subprocess.run(
                [sys.executable, "-c", BARE_QT], capture_output=True, text=True, timeout=60
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        progress(f"the kiosk on the video for {SECONDS:.0f} s, syncing every second")
        started = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.bench.kiosk_probe",
                str(store_path),
                str(video),
                str(SECONDS),
            ],
            capture_output=True,
            text=True,
            timeout=SECONDS + 60,
        )
        kiosk = json.loads(result.stdout.strip().splitlines()[-1])
        progress(f"probe ran {time.perf_counter() - started:.1f} s")
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    rows = [
        ["baseline: bare Qt window", bare["ready_s"], bare["rss_mb_max"], "-", "-"],
        [
            "kiosk: video + decode + gate + sync",
            kiosk["ready_s"],
            kiosk["rss_mb_max"],
            kiosk["loop_late_p50_ms"],
            kiosk["loop_late_p99_ms"],
        ],
    ]
    print(
        table(
            "Kiosk process, offscreen, 1280x720 video at 30 fps",
            ["what", "start-up to ready s", "max RSS MB", "GUI late p50 ms", "GUI late p99 ms"],
            rows,
        )
    )
    print(
        f"frames decoded {kiosk['frames_decoded']}, verdicts {kiosk['verdicts']}, "
        f"synced with the server: {kiosk['synced']}"
    )
    print("Targets: RSS <= 250 MB, start-up to ready <= 2 s, GUI event-loop lateness p99 <= 50 ms.")


if __name__ == "__main__":
    main()
