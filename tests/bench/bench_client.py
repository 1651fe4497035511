"""The kiosk sync client against a real server process: enrol + 100k manifest, 10k push.

Baselines in the same run: fetching the same pages with plain httpx and no
store (network and server alone), and writing 100k tickets straight into a store
(the local apply alone).  Targets (issue 5): enrol and apply 100k <= 10 s, push 10k
queued scans <= 5 s.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from scanner import Gate, Mode, Store, TicketRecord, preset
from sync.client import SyncClient
from tests.bench.report import progress, table
from tests.live_server import ServerProcess
from ui.demo.seed import enrol_code, seed_demo

TICKETS = 100_000
SCANS = 10_000


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="admitone-bench-client-"))
    server = ServerProcess(f"sqlite:///{workdir / 'server.db'}", workdir, tls=False)
    server.init()
    server.start()
    rows: list[list[object]] = []
    try:
        with server.admin() as admin:
            demo = seed_demo(admin, general=0)
            codes: list[str] = []
            for start in range(0, TICKETS, 10_000):
                response = admin.post(
                    "/orders",
                    json={
                        "event_id": demo.event_id,
                        "buyer_name": "Bench",
                        "items": [{"ticket_type": "GA", "quantity": min(10_000, TICKETS - start)}],
                    },
                )
                response.raise_for_status()
                codes += [t["code"] for t in response.json()["tickets"]]
                progress(f"issued {len(codes):,} tickets")
            code_a, code_b = (enrol_code(admin, demo.event_id, g) for g in ("Bench A", "Bench B"))

        progress("baseline: the same pages with plain httpx, no store")
        answer = httpx.post(
            f"{server.api}/devices/enrol", json={"code": code_b, "device_id": "baseline-kiosk"}
        ).json()
        started = time.perf_counter()
        with httpx.Client(
            base_url=server.api, timeout=120, headers={"Authorization": f"Bearer {answer['token']}"}
        ) as http:
            cursor = 0
            while True:
                page = http.get("/sync/manifest", params={"cursor": cursor, "limit": 5000}).json()
                cursor = page["cursor"]
                if not page["has_more"]:
                    break
        fetch_only = time.perf_counter() - started

        progress("baseline: 100k tickets written straight into a store")
        with Store.open(workdir / "raw.db") as raw:
            started = time.perf_counter()
            raw.upsert_tickets(
                TicketRecord(f"{n:020x}", demo.event_id, "GA", "Guest") for n in range(TICKETS)
            )
            apply_only = time.perf_counter() - started

        progress("kiosk: enrol and apply the whole manifest")
        store = Store.open(workdir / "kiosk.db")
        client = SyncClient(store)
        started = time.perf_counter()
        client.enrol(
            server.url,
            code_a,
            insecure_http=True,
            progress=lambda changes, pages: progress(f"  {changes:,} changes applied"),
        )
        enrol_seconds = time.perf_counter() - started
        tickets = store.ticket_count()

        progress(f"kiosk: {SCANS:,} scans while offline")
        gate = Gate(store, preset(Mode.ENTRY), gate_name="Bench A", debounce=timedelta(0))
        now = datetime.now(UTC)
        for n in range(SCANS):
            gate.scan(codes[n], now + timedelta(milliseconds=n))
        pending = store.pending_count()
        progress("kiosk: back online, pushing the queue")
        started = time.perf_counter()
        result = client.push()
        push_seconds = time.perf_counter() - started
        store.close()
        rows = [
            ["baseline: fetch 100k manifest, no store", tickets, fetch_only, "-"],
            ["baseline: write 100k tickets into a store", TICKETS, apply_only, "-"],
            [
                "enrol + pull + apply 100k manifest",
                tickets,
                enrol_seconds,
                f"{enrol_seconds / (fetch_only + apply_only):.2f}x baselines",
            ],
            [
                f"push {pending:,} queued scans",
                result.stored,
                push_seconds,
                f"{result.stored / push_seconds:,.0f} scans/s",
            ],
        ]
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        table(
            "Kiosk sync client against a real server process (SQLite)",
            ["what", "items", "seconds", "note"],
            rows,
        )
    )
    print("Targets: enrol and apply 100k <= 10 s; push 10k queued scans <= 5 s.")


if __name__ == "__main__":
    main()
