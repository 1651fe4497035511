"""Decoders on a generated corpus of 1280x720 frames: success rate and time per category.

Two corpora from ``ui.demo.scene``, each ``BENCH_DECODE_FRAMES`` frames per category:
the easy cases and the hard ones (steep tilt with the code partly out of the frame,
occlusion up to error correction M, grey on dark with a gradient, saturating glare,
heavy JPEG, rolling shutter, crumpled paper under warm light).  The default strategy
(layered) side by side with each raw backend (zxing-cpp, ZBar, OpenCV), on the same
frames, in one run.  Targets (the decoding issue, on both corpora together): layered
>= 98 % overall, no category below the best raw backend nor under 90 %, median <= 10 ms
and p95 <= 30 ms per frame.
"""

from __future__ import annotations

import os
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner import Seat, TicketClaims, new_ticket_id, sign
from scanner.decode import BACKENDS, make_decoder
from tests.bench.report import median, percentile, progress, table
from ui.demo.scene import CATEGORIES, make_frame

PER_CATEGORY = int(os.environ.get("BENCH_DECODE_FRAMES", "30"))
CORPORA = {"easy": False, "hard": True}

Results = dict[str, dict[str, tuple[int, list[float]]]]


def measure(hard: bool) -> Results:
    key = Ed25519PrivateKey.generate()
    decoders = {name: make_decoder(name) for name in BACKENDS}
    results: Results = {}
    label = "hard" if hard else "easy"
    for category in CATEGORIES:
        progress(f"{label} {category}: {PER_CATEGORY} frames through {len(decoders)} decoders")
        texts = [
            sign(TicketClaims(new_ticket_id(), 7, "GA", seat=Seat("B", "12", n)), key)
            for n in range(PER_CATEGORY)
        ]
        frames = [make_frame(t, category, 1000 + n, hard=hard) for n, t in enumerate(texts)]
        results[category] = {}
        for name, decoder in decoders.items():
            ok, times = 0, []
            for frame, text in zip(frames, texts, strict=True):
                started = time.perf_counter()
                found = decoder.decode(frame)
                times.append((time.perf_counter() - started) * 1000)
                ok += any(code.text == text for code in found)
            results[category][name] = (ok, times)
    return results


def report(title: str, results: Results, per_category: int) -> None:
    rows = []
    for category, by_name in results.items():
        best_raw = max(by_name[n][0] for n in BACKENDS if n != "layered")
        row: list[object] = [category]
        for name in BACKENDS:
            ok, times = by_name[name]
            row += [f"{100 * ok / per_category:.0f}%", median(times)]
        row.append("yes" if by_name["layered"][0] >= best_raw else "NO")
        rows.append(row)
    total = len(results) * per_category
    overall: list[object] = ["OVERALL"]
    for name in BACKENDS:
        ok = sum(results[c][name][0] for c in results)
        all_times = [t for c in results for t in results[c][name][1]]
        overall += [f"{100 * ok / total:.1f}%", median(all_times)]
    overall.append("")
    rows.append(overall)
    headers = ["category"]
    for name in BACKENDS:
        headers += [f"{name} ok", f"{name} ms"]
    headers.append("layered >= best raw")
    print(table(title, headers, rows))


def main() -> None:
    measured = {label: measure(hard) for label, hard in CORPORA.items()}
    for label, results in measured.items():
        report(
            f"QR decoding, {label} cases, {PER_CATEGORY} frames per category, 1280x720",
            results,
            PER_CATEGORY,
        )
    both: Results = {
        category: {
            name: (
                sum(measured[c][category][name][0] for c in measured),
                [t for c in measured for t in measured[c][category][name][1]],
            )
            for name in BACKENDS
        }
        for category in CATEGORIES
    }
    report("Both corpora together", both, PER_CATEGORY * len(CORPORA))
    layered = [t for c in CATEGORIES for t in both[c]["layered"][1]]
    print(
        f"layered per frame: median {median(layered):.1f} ms, p95 {percentile(layered, 0.95):.1f} ms"
    )
    for name in BACKENDS[1:]:
        other = median([t for c in CATEGORIES for t in both[c][name][1]])
        print(f"layered median is {median(layered) / other:.2f}x {name}'s on the same frames")
    print(
        "Targets: layered >= 98 % overall, no category below the best raw backend nor under "
        "90 %, median <= 10 ms and p95 <= 30 ms per frame."
    )


if __name__ == "__main__":
    main()
