"""Run the real kiosk offscreen on a video and report what a gate would feel.

``python -m tests.bench.kiosk_probe STORE VIDEO SECONDS [WARMUP]`` prints one JSON
line: start-up to first frame, RSS (after ``WARMUP`` seconds and at the end, and its
peak), GUI event-loop lateness, frame-to-verdict-on-screen latency, the reference
counts of ``True`` and ``False`` at start and end, and what was scanned and synced.
A separate process, so its memory and start-up are the kiosk's own; it leaves
through Qt's ordinary exit, so a crash at shutdown shows as its exit status.
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


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> int:
    from pathlib import Path

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from scanner.pipeline import VerdictEvent
    from sync.config import KioskConfig
    from ui.app import build_kiosk

    store, video, seconds = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    warmup = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    bools_at_start = (sys.getrefcount(True), sys.getrefcount(False))
    app = QApplication(sys.argv[:1])
    kiosk = build_kiosk(KioskConfig(sync_interval_seconds=1.0), store_path=store, source=video)
    kiosk.window.resize(1280, 720)
    kiosk.window.show()
    kiosk.bridge.start()
    marks: dict[str, float] = {}
    lateness: list[float] = []
    on_screen: list[float] = []
    rss: list[tuple[float, float]] = []
    last = [time.perf_counter()]

    def first_frame() -> None:
        marks.setdefault("ready_s", time.perf_counter() - STARTED)

    def shown(event: VerdictEvent) -> None:
        """After the window's own slot: paint now and time it from the frame's capture."""
        if event.verdict.repeat or event.arrived_at is None:
            return
        kiosk.window.verdict.repaint()
        on_screen.append((time.perf_counter() - event.arrived_at) * 1000)

    kiosk.bridge.frameReady.connect(lambda *_: first_frame())
    kiosk.bridge.verdictReady.connect(shown)

    def tick() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, (now - last[0]) * 1000 - 10))
        last[0] = now

    def sample_rss() -> None:
        rss.append((time.perf_counter() - STARTED, rss_mb()))

    ticker = QTimer()
    ticker.timeout.connect(tick)
    ticker.start(10)
    sampler = QTimer()
    sampler.timeout.connect(sample_rss)
    sampler.start(1000)
    QTimer.singleShot(int(seconds * 1000), app.quit)
    code = app.exec()
    sample_rss()
    stats = kiosk.pipeline.stats
    syncs = kiosk.client.status().last_sync is not None if kiosk.client else False
    pending = kiosk.store.pending_count()
    kiosk.bridge.stop()
    kiosk.window.close()
    kiosk.store.close()
    after_warmup = [mb for at, mb in rss if at >= warmup] or [mb for _, mb in rss]
    bools_at_end = (sys.getrefcount(True), sys.getrefcount(False))
    print(
        json.dumps(
            {
                "ready_s": marks.get("ready_s"),
                "rss_mb_max": max(mb for _, mb in rss),
                "rss_mb_start": after_warmup[0],
                "rss_mb_end": after_warmup[-1],
                "loop_late_p50_ms": percentile(lateness, 0.5),
                "loop_late_p99_ms": percentile(lateness, 0.99),
                "on_screen_p50_ms": percentile(on_screen, 0.5),
                "on_screen_p99_ms": percentile(on_screen, 0.99),
                "true_false_refs_start": bools_at_start,
                "true_false_refs_end": bools_at_end,
                "immortal_bools": sys.version_info >= (3, 12),
                "frames_decoded": stats.frames_decoded,
                "verdicts": stats.verdicts,
                "synced": syncs,
                "pending_uploads": pending,
                "python": sys.version.split()[0],
            }
        ),
        flush=True,
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
