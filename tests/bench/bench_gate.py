"""Gate.scan latency (verify + decide + durable commit) on 10 k and 1 M ticket stores.

Baselines measured in the same run, on the same disk:
- a bare Ed25519 verify (cryptography/OpenSSL), and
- a bare durable commit (one-row INSERT + COMMIT in WAL with synchronous=FULL),
so the table shows how much of the budget is ours.  Targets (issue 2): p99 <= 2 ms,
>= 1,000 durable scans/s, and 1 M within 1.5x of 10 k.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner import EventRecord, Gate, Mode, Store, TicketClaims, TicketRecord, preset, sign
from tests.bench.report import median, percentile, progress, table

SCANS = int(os.environ.get("BENCH_GATE_SCANS", "3000"))
SIZES = [int(s) for s in os.environ.get("BENCH_GATE_SIZES", "10000,1000000").split(",")]
EVENT = EventRecord(event_id=1, name="Bench", timezone="Europe/Amsterdam")
NOW = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)


def _ms(ns: int) -> float:
    return ns / 1e6


def build_store(path: Path, size: int, key: Ed25519PrivateKey) -> list[str]:
    """A store with ``size`` tickets and a journal of earlier scans; returns codes to scan."""
    with Store.open(path) as store:
        store.upsert_events([EVENT])
        store.add_public_key(key.public_key())
        scanned = [
            TicketClaims(
                secrets.token_bytes(10),
                EVENT.event_id,
                "GA",
                valid_from=NOW - timedelta(hours=3),
                valid_until=NOW + timedelta(hours=6),
            )
            for _ in range(SCANS)
        ]

        def records() -> object:
            for claims in scanned:
                yield TicketRecord(claims.ticket_hex, 1, "GA", "Bench Guest")
            for n in range(size - SCANS):
                yield TicketRecord(secrets.token_hex(10), 1, "GA", f"Guest {n}")
                if n and n % 250_000 == 0:
                    progress(f"{n:,} of {size:,} tickets written")

        store.upsert_tickets(records(), batch_size=20_000)  # type: ignore[arg-type]
        return [sign(c, key) for c in scanned]


def bench_scans(path: Path, codes: list[str]) -> list[int]:
    with Store.open(path) as store:
        gate = Gate(store, preset(Mode.ENTRY), gate_name="Bench", debounce=timedelta(0))
        samples = []
        for n, code in enumerate(codes):
            started = time.perf_counter_ns()
            verdict = gate.scan(code, NOW + timedelta(milliseconds=n))
            samples.append(time.perf_counter_ns() - started)
            assert verdict.admits, verdict
        return samples


def bench_verify(key: Ed25519PrivateKey, count: int) -> list[int]:
    public = key.public_key()
    message = secrets.token_bytes(36)
    signature = key.sign(message)
    samples = []
    for _ in range(count):
        started = time.perf_counter_ns()
        public.verify(signature, message)
        samples.append(time.perf_counter_ns() - started)
    return samples


def bench_commit(path: Path, count: int) -> list[int]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, payload TEXT)")
    samples = []
    for _ in range(count):
        started = time.perf_counter_ns()
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t VALUES (?, ?)", (secrets.token_hex(16), "x" * 120))
        conn.execute("COMMIT")
        samples.append(time.perf_counter_ns() - started)
    conn.close()
    return samples


def main() -> None:
    key = Ed25519PrivateKey.generate()
    workdir = Path(tempfile.mkdtemp(prefix="admitone-bench-gate-", dir=os.environ.get("BENCH_DIR")))
    rows = []
    try:
        progress("baseline: bare Ed25519 verify")
        verify_ns = bench_verify(key, SCANS)
        progress("baseline: bare durable commit")
        commit_ns = bench_commit(workdir / "commit.db", SCANS)
        rows.append(
            [
                "baseline: Ed25519 verify",
                "-",
                _ms(int(median(verify_ns))),
                _ms(int(percentile(verify_ns, 0.99))),
                "-",
                "-",
            ]
        )
        rows.append(
            [
                "baseline: durable commit",
                "-",
                _ms(int(median(commit_ns))),
                _ms(int(percentile(commit_ns, 0.99))),
                1e9 * len(commit_ns) / sum(commit_ns),
                "-",
            ]
        )
        p50_by_size: dict[int, float] = {}
        for size in SIZES:
            path = workdir / f"gate-{size}.db"
            progress(f"building a store of {size:,} tickets")
            codes = build_store(path, size, key)
            progress(f"scanning {len(codes):,} tickets against {size:,}")
            samples = bench_scans(path, codes)
            p50 = _ms(int(median(samples)))
            p50_by_size[size] = p50
            ratio = p50 / p50_by_size[SIZES[0]]
            rows.append(
                [
                    f"Gate.scan, {size:,} tickets",
                    len(samples),
                    p50,
                    _ms(int(percentile(samples, 0.99))),
                    1e9 * len(samples) / sum(samples),
                    f"{ratio:.2f}x",
                ]
            )
            path.unlink()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        table(
            "Gate.scan: verify + decide + durable journal commit",
            ["what", "scans", "p50 ms", "p99 ms", "per s", "p50 vs 10k"],
            rows,
        )
    )
    scan_p50 = min(p50_by_size.values())
    base = _ms(int(median(verify_ns))) + _ms(int(median(commit_ns)))
    print(
        f"Gate.scan p50 is {scan_p50 / base:.2f}x the sum of the two baselines' medians "
        f"({base:.3f} ms). Targets: p99 <= 2 ms, >= 1,000 scans/s, 1 M within 1.5x of 10 k."
    )


if __name__ == "__main__":
    main()
