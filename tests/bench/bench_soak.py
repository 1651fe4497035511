"""Soak: the real kiosk on a looped gate video for a whole shift.

``make soak`` (or ``python -m tests.bench soak``; ``SOAK_MINUTES`` sets the length,
30 by default).  The kiosk process scans a looping 720p video of genuine and forged
tickets and syncs with a real server every second.  Printed: scans made, RSS after a
minute's warm-up and at the end, its growth, the reference counts of True and False
at start and end (the PySide6 6.12 / Python 3.11 leak that aborted the kiosk after
about three minutes drove these down), and how the process ended.  Targets: no
crash, RSS growth under 5 %.  Not part of ``make bench``'s default run: it takes
half an hour.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from tests.bench.kiosk_setup import enrolled_kiosk, run_probe
from tests.bench.report import progress, table
from tests.live_server import ServerProcess

DEFAULT_MINUTES = 30.0
WARMUP_SECONDS = 60.0
RUN_BY_DEFAULT = False


def main() -> None:
    minutes = float(os.environ.get("SOAK_MINUTES", DEFAULT_MINUTES))
    seconds = minutes * 60
    workdir = Path(tempfile.mkdtemp(prefix="admitone-soak-"))
    server = ServerProcess(f"sqlite:///{workdir / 'server.db'}", workdir)
    server.init()
    server.start()
    try:
        store_path, video = enrolled_kiosk(workdir, server, tickets=20)
        progress(f"the kiosk on a looped video for {minutes:g} min, syncing every second")
        started = time.perf_counter()
        result = run_probe(store_path, video, seconds, min(WARMUP_SECONDS, seconds / 4))
        took = time.perf_counter() - started
    finally:
        server.stop()
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        print(f"THE KIOSK DIED after {took:.0f} s with status {result.returncode}")
        print(result.stderr[-3000:])
        shutil.rmtree(workdir, ignore_errors=True)
        return
    shutil.rmtree(workdir, ignore_errors=True)
    kiosk = json.loads(lines[-1])
    growth = (kiosk["rss_mb_end"] - kiosk["rss_mb_start"]) / kiosk["rss_mb_start"] * 100
    t0, f0 = kiosk["true_false_refs_start"]
    t1, f1 = kiosk["true_false_refs_end"]
    drift = "immortal on this Python" if kiosk["immortal_bools"] else f"{t1 - t0:+d} / {f1 - f0:+d}"
    print(
        table(
            f"Kiosk soak, {minutes:g} min, looped 1280x720 video at 30 fps, Python {kiosk['python']}",
            [
                "minutes",
                "scans",
                "frames",
                "RSS start MB",
                "RSS end MB",
                "growth %",
                "True/False refs drift",
                "exit",
            ],
            [
                [
                    round(took / 60, 1),
                    kiosk["verdicts"],
                    kiosk["frames_decoded"],
                    kiosk["rss_mb_start"],
                    kiosk["rss_mb_end"],
                    round(growth, 2),
                    drift,
                    result.returncode,
                ]
            ],
        )
    )
    print(
        f"RSS peak {kiosk['rss_mb_max']:.0f} MB; GUI lateness p99 {kiosk['loop_late_p99_ms']:.1f} ms; "
        f"verdict on screen p99 {kiosk['on_screen_p99_ms']:.1f} ms; synced: {kiosk['synced']}, "
        f"{kiosk['pending_uploads']} scans pending at the end"
    )
    print("Targets: no crash (exit 0), RSS growth under 5 %.")


if __name__ == "__main__":
    main()
