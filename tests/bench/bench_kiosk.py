"""The kiosk process itself: start-up, memory, a free GUI thread, verdicts on screen fast.

A real kiosk process, offscreen, scanning a 720p 30 fps video while its sync
client talks to a real server every second.  Baseline in the same run: a bare
``QApplication`` with an empty window (what Qt alone costs in time and memory).
Targets (issue 10): start-up to first frame <= 1 s, RSS <= 250 MB, GUI event-loop
lateness p99 <= 16 ms (one 60 Hz frame), verdict on screen <= 50 ms p99 after the
frame that carried the code.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.kiosk_setup import enrolled_kiosk, run_probe
from tests.bench.report import progress, table
from tests.live_server import ServerProcess

SECONDS = 20.0
BARE_QT = (
    "import os, time, json; t=time.perf_counter(); os.environ['QT_QPA_PLATFORM']='offscreen';"
    "from PySide6.QtWidgets import QApplication, QMainWindow; a=QApplication([]); w=QMainWindow();"
    "w.resize(1280,720); w.show(); a.processEvents(); r=int([l for l in open('/proc/self/status')"
    " if l.startswith('VmRSS')][0].split()[1])/1024; print(json.dumps({'ready_s': time.perf_counter()-t,"
    " 'rss_mb_max': r})); w.close()"
)


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="admitone-bench-kiosk-"))
    server = ServerProcess(f"sqlite:///{workdir / 'server.db'}", workdir)
    server.init()
    server.start()
    try:
        store_path, video = enrolled_kiosk(workdir, server)
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
        result = run_probe(store_path, video, SECONDS)
        kiosk = json.loads(result.stdout.strip().splitlines()[-1])
        progress(
            f"probe ran {time.perf_counter() - started:.1f} s, exit status {result.returncode}"
        )
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    rows = [
        ["baseline: bare Qt window", bare["ready_s"], bare["rss_mb_max"], "-", "-", "-", "-"],
        [
            "kiosk: video + decode + gate + sync",
            kiosk["ready_s"],
            kiosk["rss_mb_max"],
            kiosk["loop_late_p50_ms"],
            kiosk["loop_late_p99_ms"],
            kiosk["on_screen_p50_ms"],
            kiosk["on_screen_p99_ms"],
        ],
    ]
    print(
        table(
            "Kiosk process, offscreen, 1280x720 video at 30 fps",
            [
                "what",
                "start-up to first frame s",
                "max RSS MB",
                "GUI late p50 ms",
                "GUI late p99 ms",
                "on screen p50 ms",
                "on screen p99 ms",
            ],
            rows,
        )
    )
    print(
        f"frames decoded {kiosk['frames_decoded']}, verdicts {kiosk['verdicts']}, "
        f"synced with the server: {kiosk['synced']}, exit status {result.returncode}, "
        f"Python {kiosk['python']}"
    )
    print(
        "Targets: start-up <= 1 s, RSS <= 250 MB, GUI lateness p99 <= 16 ms, "
        "frame to verdict on screen p99 <= 50 ms."
    )


if __name__ == "__main__":
    main()
