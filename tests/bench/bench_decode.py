"""Decoders on a generated corpus of 1280x720 frames: success rate and median ms per category.

The default strategy (layered) side by side with each raw backend (zxing-cpp,
ZBar, OpenCV), on the same frames, in one run.  Targets (issue 3): layered >= 98 %
overall, no category below the best single backend, median <= 10 ms/frame.
"""

from __future__ import annotations

import os
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner import Seat, TicketClaims, new_ticket_id, sign
from scanner.decode import BACKENDS, make_decoder
from tests.bench.report import median, progress, table
from ui.demo.scene import CATEGORIES, make_frame

PER_CATEGORY = int(os.environ.get("BENCH_DECODE_FRAMES", "30"))


def main() -> None:
    key = Ed25519PrivateKey.generate()
    decoders = {name: make_decoder(name) for name in BACKENDS}
    results: dict[str, dict[str, tuple[int, list[float]]]] = {}
    for category in CATEGORIES:
        progress(f"{category}: rendering {PER_CATEGORY} frames and decoding with {len(decoders)}")
        texts = [
            sign(TicketClaims(new_ticket_id(), 7, "GA", seat=Seat("B", "12", n)), key)
            for n in range(PER_CATEGORY)
        ]
        frames = [make_frame(text, category, 1000 + n) for n, text in enumerate(texts)]
        results[category] = {}
        for name, decoder in decoders.items():
            ok, times = 0, []
            for frame, text in zip(frames, texts, strict=True):
                started = time.perf_counter()
                found = decoder.decode(frame)
                times.append((time.perf_counter() - started) * 1000)
                ok += any(code.text == text for code in found)
            results[category][name] = (ok, times)

    rows = []
    for category, by_name in results.items():
        best_raw = max(by_name[n][0] for n in BACKENDS if n != "layered")
        row: list[object] = [category]
        for name in BACKENDS:
            ok, times = by_name[name]
            row += [f"{100 * ok / PER_CATEGORY:.0f}%", median(times)]
        row.append("yes" if by_name["layered"][0] >= best_raw else "NO")
        rows.append(row)
    total = len(CATEGORIES) * PER_CATEGORY
    overall: list[object] = ["OVERALL"]
    for name in BACKENDS:
        ok = sum(results[c][name][0] for c in CATEGORIES)
        all_times = [t for c in CATEGORIES for t in results[c][name][1]]
        overall += [f"{100 * ok / total:.1f}%", median(all_times)]
    overall.append("")
    rows.append(overall)
    headers = ["category"]
    for name in BACKENDS:
        headers += [f"{name} ok", f"{name} ms"]
    headers.append("layered >= best raw")
    print(table(f"QR decoding, {PER_CATEGORY} frames per category, 1280x720", headers, rows))
    layered_ms = median([t for c in CATEGORIES for t in results[c]["layered"][1]])
    for name in BACKENDS[1:]:
        other = median([t for c in CATEGORIES for t in results[c][name][1]])
        print(f"layered median is {layered_ms / other:.2f}x {name}'s on the same frames")
    print(
        "Targets: layered >= 98 % overall, no category below the best raw backend, "
        "median <= 10 ms/frame."
    )


if __name__ == "__main__":
    main()
