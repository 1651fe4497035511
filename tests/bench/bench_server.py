"""The sync server under load, on SQLite and on PostgreSQL, each on a real uvicorn process.

- ingest: one kiosk pushes batches of 500 scans; scans/s.
- manifest: a new kiosk pulls a 100k-ticket manifest in pages of 5,000; seconds.
- 50 kiosks: each pushes a few scans and pulls what changed every 2 s, concurrently;
  p50/p99 of one push+pull cycle.  Then the same kiosks all at one instant, five
  times: the worst case, when the network returns after an outage (reported, no target).
- attendance: every ticket is scanned once more, then the organiser's attendance report
  over all of the event's admits; median ms (reported, no target).
Baseline in the same run: the round trip of ``GET /healthz`` (HTTP and uvicorn alone).
Targets (issue 4, SQLite): >= 5,000 scans/s, <= 10 s for the 100k pull, p99 <= 250 ms.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from tests.bench.report import median, percentile, progress, table
from tests.live_server import ServerProcess
from tests.pg import PostgresCluster, PostgresUnavailableError
from ui.demo.seed import enrol_code, seed_demo

TICKETS = int(os.environ.get("BENCH_SERVER_TICKETS", "100000"))
KIOSKS = 50
CYCLE_SECONDS = 2.0
RUN_SECONDS = float(os.environ.get("BENCH_SERVER_SECONDS", "30"))
BATCHES = 20
BURSTS = 5  # rounds in which all kiosks sync at once


def _scan(device_id: str, ticket_id: str, event_id: int) -> dict[str, Any]:
    return {
        "scan_id": uuid.uuid4().hex,
        "ticket_id": ticket_id,
        "event_id": event_id,
        "device_id": device_id,
        "gate": f"Gate {device_id}",
        "zone": "main",
        "direction": "in",
        "scanned_at": datetime.now(UTC).isoformat(),
        "verdict": "admitted",
    }


def enrol(server: ServerProcess, event_id: int, device_id: str) -> str:
    with server.admin() as admin:
        code = enrol_code(admin, event_id, f"Gate {device_id}")
    response = httpx.post(
        f"{server.api}/devices/enrol", json={"code": code, "device_id": device_id}
    )
    response.raise_for_status()
    token: str = response.json()["token"]
    return token


def healthz_baseline(server: ServerProcess, count: int = 300) -> list[float]:
    samples = []
    with httpx.Client() as client:
        for _ in range(count):
            started = time.perf_counter()
            client.get(f"{server.url}/healthz")
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def seed(server: ServerProcess) -> tuple[int, list[str]]:
    with server.admin() as admin:
        demo = seed_demo(admin, general=0)
        ticket_ids = []
        per_order = 10_000
        for start in range(0, TICKETS, per_order):
            quantity = min(per_order, TICKETS - start)
            response = admin.post(
                "/orders",
                json={
                    "event_id": demo.event_id,
                    "buyer_name": "Bench",
                    "items": [{"ticket_type": "GA", "quantity": quantity}],
                },
            )
            response.raise_for_status()
            ticket_ids += [t["ticket_id"] for t in response.json()["tickets"]]
            progress(f"issued {len(ticket_ids):,} of {TICKETS:,} tickets")
    return demo.event_id, ticket_ids


def bench_ingest(server: ServerProcess, event_id: int, ticket_ids: list[str]) -> float:
    token = enrol(server, event_id, "ingest-kiosk")
    rng = random.Random(1)
    batches = [
        [_scan("ingest-kiosk", rng.choice(ticket_ids), event_id) for _ in range(500)]
        for _ in range(BATCHES)
    ]
    with httpx.Client(
        base_url=server.api, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as client:
        started = time.perf_counter()
        for batch in batches:
            response = client.post("/sync/scans", json={"scans": batch})
            response.raise_for_status()
        elapsed = time.perf_counter() - started
    return BATCHES * 500 / elapsed


def bench_attendance(
    server: ServerProcess, event_id: int, ticket_ids: list[str]
) -> tuple[float, int]:
    """Every ticket through the door once more (untimed), then the organiser's
    attendance report over all the event's scans: median ms of five requests."""
    token = enrol(server, event_id, "door-kiosk")
    with httpx.Client(
        base_url=server.api, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as client:
        for start in range(0, len(ticket_ids), 1000):
            batch = [_scan("door-kiosk", t, event_id) for t in ticket_ids[start : start + 1000]]
            client.post("/sync/scans", json={"scans": batch}).raise_for_status()
    samples = []
    with server.admin() as admin:
        for _ in range(5):
            started = time.perf_counter()
            report = admin.get(f"/events/{event_id}/attendance")
            report.raise_for_status()
            samples.append((time.perf_counter() - started) * 1000)
            scans = sum(q["admitted"] for q in report.json()["by_quarter_hour"])
    return median(samples), scans


def bench_pull(server: ServerProcess, event_id: int) -> tuple[float, int]:
    token = enrol(server, event_id, "new-kiosk")
    tickets = 0
    with httpx.Client(
        base_url=server.api, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as client:
        started = time.perf_counter()
        cursor = 0
        while True:
            page = client.get("/sync/manifest", params={"cursor": cursor, "limit": 5000}).json()
            tickets += sum(1 for c in page["changes"] if c["kind"] == "ticket")
            cursor = page["cursor"]
            if not page["has_more"]:
                break
        return time.perf_counter() - started, tickets


async def _kiosk(
    client: httpx.AsyncClient,
    device_id: str,
    event_id: int,
    tickets: list[str],
    cursor: int,
    first_at: float,
    stop_at: float,
    samples: list[float],
    errors: list[str],
) -> None:
    """One kiosk on its own fixed 2-s schedule from ``first_at`` (loop time).

    The schedule is absolute, so a slow cycle does not shift the kiosk's later
    ones into step with its neighbours'."""
    loop = asyncio.get_running_loop()
    rng = random.Random(device_id)
    due = first_at
    while due < stop_at:
        await asyncio.sleep(max(0.0, due - loop.time()))
        started = time.perf_counter()
        try:
            scans = [_scan(device_id, rng.choice(tickets), event_id) for _ in range(5)]
            push = await client.post("/sync/scans", json={"scans": scans})
            push.raise_for_status()
            while True:
                page = await client.get("/sync/manifest", params={"cursor": cursor})
                page.raise_for_status()
                body = page.json()
                cursor = body["cursor"]
                if not body["has_more"]:
                    break
            samples.append((time.perf_counter() - started) * 1000)
        except httpx.HTTPError as exc:
            errors.append(repr(exc))
        due += CYCLE_SECONDS


def bench_kiosks(
    server: ServerProcess,
    event_id: int,
    ticket_ids: list[str],
    *,
    together: bool = False,
    seconds: float = RUN_SECONDS,
    prefix: str = "kiosk",
) -> tuple[list[float], list[str]]:
    """p50/p99 material for KIOSKS kiosks syncing every CYCLE_SECONDS.

    ``together``: every kiosk syncs at the same instant, as when the venue's network
    comes back after an outage; otherwise each keeps a random phase of its own."""
    tokens = [enrol(server, event_id, f"{prefix}{n:02d}") for n in range(KIOSKS)]
    head = 0  # every kiosk starts synced to now: the cursor of the newest change
    with httpx.Client(
        base_url=server.api, headers={"Authorization": f"Bearer {tokens[0]}"}, timeout=120
    ) as client:
        while True:
            page = client.get("/sync/manifest", params={"cursor": head, "limit": 10000}).json()
            head = page["cursor"]
            if not page["has_more"]:
                break
    samples: list[float] = []
    errors: list[str] = []
    # Each kiosk's first sync falls at a random moment of the first cycle, as kiosks
    # switched on independently would.  Every client exists before the clock starts:
    # building one takes milliseconds of CPU (its TLS context), and building fifty
    # inside the run once bunched a dozen kiosks onto the same instant, every cycle.
    phases = random.Random(KIOSKS)

    async def run() -> None:
        clients = [
            httpx.AsyncClient(
                base_url=server.api, headers={"Authorization": f"Bearer {token}"}, timeout=30
            )
            for token in tokens
        ]
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.2
        stop_at = start + seconds
        try:
            await asyncio.gather(
                *[
                    _kiosk(
                        clients[n],
                        f"{prefix}{n:02d}",
                        event_id,
                        ticket_ids,
                        head,
                        start + (0.0 if together else phases.uniform(0, CYCLE_SECONDS)),
                        stop_at,
                        samples,
                        errors,
                    )
                    for n in range(KIOSKS)
                ]
            )
        finally:
            for client in clients:
                await client.aclose()

    asyncio.run(run())
    return samples, errors


def run_one(label: str, database_url: str, workdir: Path) -> list[object]:
    server = ServerProcess(database_url, workdir, tls=False)  # plain http: figures comparable
    server.init()
    server.start()
    try:
        progress(f"{label}: baseline GET /healthz")
        base = healthz_baseline(server)
        progress(f"{label}: issuing {TICKETS:,} tickets")
        event_id, ticket_ids = seed(server)
        progress(f"{label}: ingest, {BATCHES} batches of 500")
        ingest_rate = bench_ingest(server, event_id, ticket_ids)
        progress(f"{label}: ingest {ingest_rate:,.0f} scans/s")
        progress(f"{label}: a new kiosk pulls the manifest")
        pull_seconds, pulled = bench_pull(server, event_id)
        progress(f"{label}: pulled {pulled:,} tickets in {pull_seconds:.1f} s")
        progress(
            f"{label}: {KIOSKS} kiosks syncing every {CYCLE_SECONDS:.0f} s for {RUN_SECONDS:.0f} s"
        )
        samples, errors = bench_kiosks(server, event_id, ticket_ids)
        progress(
            f"{label}: cycle p50 {median(samples):.0f} ms, p99 {percentile(samples, 0.99):.0f} ms"
        )
        progress(f"{label}: {KIOSKS} kiosks syncing at the same instant, {BURSTS} times")
        burst, burst_errors = bench_kiosks(
            server,
            event_id,
            ticket_ids,
            together=True,
            seconds=BURSTS * CYCLE_SECONDS - 0.1,
            prefix="burst",
        )
        errors += burst_errors
        progress(f"{label}: attendance report after every ticket is scanned")
        attendance_ms, attendance_scans = bench_attendance(server, event_id, ticket_ids)
    finally:
        server.stop()
    return [
        label,
        median(base),
        ingest_rate,
        pulled,
        pull_seconds,
        len(samples),
        median(samples),
        percentile(samples, 0.99),
        percentile(burst, 0.99),
        len(errors),
        attendance_ms,
        attendance_scans,
        f"{percentile(samples, 0.99) / statistics.median(base):.0f}x",
    ]


def run_postgresql(workdir: Path) -> list[list[object]]:
    try:
        cluster = PostgresCluster()
        cluster.start()
    except PostgresUnavailableError as exc:
        progress(f"PostgreSQL skipped: {exc}")
        return []
    try:
        cluster.execute("CREATE DATABASE bench")
        (workdir / "pg").mkdir()
        return [run_one("PostgreSQL", cluster.url("bench"), workdir / "pg")]
    finally:
        cluster.stop()


def main() -> None:
    rows = []
    workdir = Path(tempfile.mkdtemp(prefix="admitone-bench-server-"))
    try:
        (workdir / "sqlite").mkdir()
        rows.append(
            run_one("SQLite", f"sqlite:///{workdir / 'sqlite' / 'server.db'}", workdir / "sqlite")
        )
        if "postgresql" in os.environ.get("BENCH_SERVER_DATABASES", "sqlite,postgresql"):
            rows += run_postgresql(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        table(
            f"Sync server on a real uvicorn process, {TICKETS:,} tickets",
            [
                "database",
                "healthz p50 ms",
                "ingest scans/s",
                "tickets pulled",
                "pull s",
                "kiosk cycles",
                "cycle p50 ms",
                "cycle p99 ms",
                "all-at-once p99 ms",
                "errors",
                "attendance ms",
                "of admits",
                "p99 vs healthz",
            ],
            rows,
        )
    )
    print(
        "Targets (SQLite): >= 5,000 scans/s ingest, <= 10 s for the 100k pull, "
        "p99 <= 250 ms for 50 kiosks syncing every 2 s."
    )
    print(
        "all-at-once: the 50 kiosks push and pull at the same instant "
        f"({BURSTS} rounds); the worst case after an outage, reported beside the target."
    )


if __name__ == "__main__":
    main()
