"""Run the real kiosk offscreen on a video and report start-up time, RSS and GUI latency.

``python -m tests.bench.kiosk_probe STORE VIDEO SECONDS`` prints one JSON line.  A
separate process, so its memory and start-up are the kiosk's own.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

STARTED = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    from pathlib import Path

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from sync.config import KioskConfig
    from ui.app import build_kiosk

    store, video, seconds = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    app = QApplication(sys.argv[:1])
    kiosk = build_kiosk(KioskConfig(sync_interval_seconds=1.0), store_path=store, source=video)
    kiosk.window.resize(1280, 720)
    kiosk.window.show()
    kiosk.bridge.start()
    marks: dict[str, float] = {}
    lateness: list[float] = []
    rss: list[float] = []
    last = [time.perf_counter()]

    def first_frame() -> None:
        marks.setdefault("ready_s", time.perf_counter() - STARTED)

    kiosk.bridge.frameReady.connect(lambda *_: first_frame())

    def tick() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, (now - last[0]) * 1000 - 10))
        last[0] = now

    def sample_rss() -> None:
        rss.append(rss_mb())

    ticker = QTimer()
    ticker.timeout.connect(tick)
    ticker.start(10)
    sampler = QTimer()
    sampler.timeout.connect(sample_rss)
    sampler.start(500)
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()
    stats = kiosk.pipeline.stats
    syncs = kiosk.client.status().last_sync is not None if kiosk.client else False
    kiosk.bridge.stop()
    kiosk.store.close()
    lateness.sort()
    print(
        json.dumps(
            {
                "ready_s": marks.get("ready_s"),
                "rss_mb_max": max(rss) if rss else None,
                "rss_mb_median": sorted(rss)[len(rss) // 2] if rss else None,
                "loop_late_p50_ms": lateness[len(lateness) // 2],
                "loop_late_p99_ms": lateness[int(len(lateness) * 0.99)],
                "frames_decoded": stats.frames_decoded,
                "verdicts": stats.verdicts,
                "synced": syncs,
            }
        ),
        flush=True,
    )
    os._exit(0)  # see ui.cli._exit_now


if __name__ == "__main__":
    main()
