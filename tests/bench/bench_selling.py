"""A high-demand drop on PostgreSQL: 10,000 simulated buyers through the waiting room
for 2,000 seats, against a real server process (uvicorn, two workers, TLS).

Each buyer joins the queue before on-sale (the first three quarters, in a ramp) or
just after it, polls its place at the interval its estimated wait suggests (as the
page does, between 2 and 15 s), and once admitted looks at the public seat map,
holds one to four free seats, buys them, and leaves the shop; a seat someone else
took first means a fresh look (at most three); no seat left means leaving empty-handed.

Reported: sold, oversold (tickets beyond the seats, a seat twice: must be 0), the
most buyers ever in the shop at once (sampled every 0.2 s from the database: never
above the limit), hold latency p50/p99 (target p99 <= 200 ms), queue polls, and how
random the early arrivals' order was (rank correlation between arrival and admission,
near 0) while later ones were served in arrival order (near 1).
Baseline in the same run: ``GET /healthz`` round trips under the same load.  Each
round trip's server part is read from the answer's ``Server-Timing`` header, and the
generator's own event-loop lag is sampled: on a machine where the generator shares
the cores with the server, they say whose time the tail is.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from sync.server.services.waiting_room import refresh_seconds
from sync.server.timing import server_ms
from tests.bench.report import median, percentile, progress, table
from tests.live_server import ServerProcess
from tests.pg import PostgresCluster, PostgresUnavailableError

BUYERS = int(os.environ.get("BENCH_SELLING_BUYERS", "10000"))
ROWS, PER_ROW = 40, 50  # 2,000 seats
SHOP_LIMIT = int(os.environ.get("BENCH_SELLING_SHOP_LIMIT", "150"))
RAMP_SECONDS = float(os.environ.get("BENCH_SELLING_RAMP", "40"))
CONNECTIONS = int(os.environ.get("BENCH_SELLING_CONNECTIONS", "120"))
"""Connections per generator process (for the waiting room's pages, and as many again
for the shop's requests)."""
GENERATORS = int(os.environ.get("BENCH_SELLING_GENERATORS", "1"))
"""Load-generating processes.  Two on this two-core machine made it worse, not better
(hold p99 431 ms, the server's own part 207): they took the server's CPU."""


@dataclass
class Figures:
    hold_ms: list[float] = field(default_factory=list)
    purchase_ms: list[float] = field(default_factory=list)
    poll_ms: list[float] = field(default_factory=list)
    healthz_ms: list[float] = field(default_factory=list)
    lag_ms: list[float] = field(default_factory=list)
    hold_server_ms: list[float] = field(default_factory=list)
    hold_when: list[tuple[float, float]] = field(default_factory=list)
    """(seconds after on-sale the hold was sent, its round trip ms): when the slow ones were."""
    healthz_server_ms: list[float] = field(default_factory=list)
    bought: int = 0
    seats_bought: int = 0
    empty_handed: int = 0
    told_sold_out: int = 0
    retries: int = 0
    errors: list[str] = field(default_factory=list)
    arrived: dict[int, float] = field(default_factory=dict)
    admitted: dict[int, float] = field(default_factory=dict)
    early: set[int] = field(default_factory=set)
    most_inside: int = 0
    most_lock_waits: int = 0
    lock_waits: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    status_code: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


def browser_session(connections: int) -> aiohttp.ClientSession:
    """aiohttp, not httpx, for the simulated browsers: its C parser costs the
    generator a fraction of httpx's pure-Python one per request, and one Python
    process simulating ten thousand browsers was the slowest thing in the run (its
    event loop woke 17 ms late at the median; with httpx, /healthz took 46 ms round
    trip of which the server's part was 1.6).  Idle connections are dropped after
    2 s, before uvicorn's own 5 s keep-alive ends: at equal times a request sent on a
    connection the server was closing got "server disconnected"."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections, ssl=False, keepalive_timeout=2),
        timeout=aiohttp.ClientTimeout(total=120),
    )


class Browsers:
    """The simulated buyers' requests, at most ``CONNECTIONS`` in flight (the queue for
    a connection is kept here, by a semaphore: httpx's pool, used before, scanned its
    waiters on every release, quadratic in ten thousand).  ``into``: the request's
    time on the wire, from when it got a connection (not its wait for one here)."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base
        self.slots = asyncio.Semaphore(CONNECTIONS)

    async def request(
        self, method: str, path: str, into: list[float] | None = None, *, json: Any = None
    ) -> Answer:
        async with self.slots:
            started = time.perf_counter()
            async with self.session.request(method, self.base + path, json=json) as response:
                body = await response.read()
                answer = Answer(
                    response.status, {k.lower(): v for k, v in response.headers.items()}, body
                )
            if into is not None:
                into.append((time.perf_counter() - started) * 1000)
            return answer


def seed(server: ServerProcess, on_sale: datetime) -> int:
    with server.admin() as admin:
        venue = admin.post("/venues", json={"name": "Stadium"}).json()
        rows = [f"R{n:02d}" for n in range(ROWS)]
        admin.post(
            f"/venues/{venue['id']}/sections",
            json={"name": "MAIN", "seats": {"rows": rows, "seats_per_row": PER_ROW}},
        ).raise_for_status()
        event = admin.post(
            "/events",
            json={
                "name": "The Drop",
                "venue_id": venue["id"],
                "status": "on_sale",
                "on_sale": on_sale.isoformat(),
                "shop_limit": SHOP_LIMIT,
            },
        ).json()
        admin.post(
            f"/events/{event['id']}/ticket-types", json={"code": "SEAT", "name": "Seat"}
        ).raise_for_status()
    event_id: int = event["id"]
    return event_id


async def buyer(
    n: int,
    client: Browsers,
    shopping: Browsers,
    event_id: int,
    on_sale: float,
    figures: Figures,
    rng: random.Random,
) -> None:
    if n < BUYERS * 3 // 4:
        await asyncio.sleep(rng.uniform(0, RAMP_SECONDS))  # before on-sale
    else:
        await asyncio.sleep(max(0.0, on_sale - time.monotonic()) + rng.uniform(0, 10))
    figures.arrived[n] = time.monotonic()
    if figures.arrived[n] < on_sale:
        figures.early.add(n)
    joined = await client.request("POST", f"/shop/events/{event_id}/queue")
    if joined.status_code != 201:
        figures.errors.append(f"join {joined.status_code}")
        return
    place = joined.json()
    ticket = place["queue_ticket"]
    while place["status"] == "waiting":
        if place.get("sold_out"):  # the queue page says so: no wait that ends in nothing
            figures.told_sold_out += 1
            await client.request("DELETE", f"/shop/queue/{ticket}")
            return
        wait = refresh_seconds(place["estimated_wait_seconds"])
        await asyncio.sleep(wait * rng.uniform(0.8, 1.2))
        answer = await client.request("GET", f"/shop/queue/{ticket}", figures.poll_ms)
        if answer.status_code != 200:
            figures.errors.append(f"poll {answer.status_code}")
            return
        place = answer.json()
    figures.admitted[n] = time.monotonic()
    try:
        await shop(n, shopping, event_id, ticket, figures, rng, on_sale)
    finally:
        await client.request("DELETE", f"/shop/queue/{ticket}")


async def shop(
    n: int,
    client: Browsers,
    event_id: int,
    ticket: str,
    figures: Figures,
    rng: random.Random,
    on_sale: float,
) -> None:
    wanted = rng.choice([1, 2, 2, 2, 3, 4])
    for _attempt in range(3):
        seat_map = (await client.request("GET", f"/shop/events/{event_id}/seat-map")).json()
        free = [
            s["id"] for sec in seat_map["sections"] for s in sec["seats"] if s["status"] == "free"
        ]
        if not free:
            figures.empty_handed += 1
            return
        start = rng.randrange(len(free))
        chosen = free[start : start + min(wanted, len(free) - start)]  # seats side by side
        sent = time.monotonic()
        held = await client.request(
            "POST",
            "/tickets/hold",
            figures.hold_ms,
            json={
                "event_id": event_id,
                "items": [{"ticket_type": "SEAT", "seat_id": s} for s in chosen],
                "queue_ticket": ticket,
            },
        )
        took = server_ms(held.headers)
        if took is not None:
            figures.hold_server_ms.append(took)
        figures.hold_when.append((sent - on_sale, figures.hold_ms[-1]))
        if held.status_code == 409:
            figures.retries += 1
            continue
        if held.status_code != 201:
            figures.errors.append(f"hold {held.status_code} {held.text[:80]}")
            return
        bought = await client.request(
            "POST",
            "/tickets/purchase",
            figures.purchase_ms,
            json={"hold_id": held.json()["hold_id"], "buyer_name": f"Buyer {n}"},
        )
        if bought.status_code != 201:
            figures.errors.append(f"purchase {bought.status_code} {bought.text[:80]}")
            return
        figures.bought += 1
        figures.seats_bought += len(bought.json()["tickets"])
        return
    figures.empty_handed += 1


async def watch_the_shop(database: str, stop: asyncio.Event, figures: Figures) -> None:
    """The number in the shop, read from the database itself every 0.2 s."""
    import psycopg

    async with await psycopg.AsyncConnection.connect(database.replace("+psycopg", "")) as conn:
        while not stop.is_set():
            async with conn.cursor() as cursor:
                await cursor.execute(
                    "SELECT count(*) FROM queue_entries WHERE status = 'admitted' "
                    "AND shop_until > now()"
                )
                row = await cursor.fetchone()
            figures.most_inside = max(figures.most_inside, int(row[0]) if row else 0)
            async with conn.cursor() as cursor:
                await cursor.execute(
                    "SELECT left(query, 70) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = 'bench'"
                )
                waiting = [r[0] for r in await cursor.fetchall()]
            figures.most_lock_waits = max(figures.most_lock_waits, len(waiting))
            for query in waiting:
                figures.lock_waits[query] = figures.lock_waits.get(query, 0) + 1
            await asyncio.sleep(0.2)


async def healthz(client: Browsers, stop: asyncio.Event, figures: Figures) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        answer = await client.request("GET", "/healthz")
        figures.healthz_ms.append((time.perf_counter() - started) * 1000)
        took = server_ms(answer.headers)
        if took is not None:
            figures.healthz_server_ms.append(took)
        await asyncio.sleep(0.5)


async def generator_lag(stop: asyncio.Event, figures: Figures) -> None:
    """How late this load generator's own event loop wakes from a 50 ms sleep: the
    part of every round trip above that is the client's, not the server's."""
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(0.05)
        figures.lag_ms.append((time.perf_counter() - started) * 1000 - 50)


@dataclass(frozen=True)
class Part:
    """One load-generating process's share of the buyers (every ``parts``-th from
    ``part``), with what it needs to reach the server and the database."""

    part: int
    parts: int
    api: str
    url: str
    database: str
    event_id: int
    on_sale: float
    """``time.monotonic()`` of on-sale: one clock for every process on Linux."""


def drive_part(share: Part) -> Figures:
    """A generator process's run (the first one also samples the shop and /healthz)."""
    return asyncio.run(drive(share))


def merged(parts: list[Figures]) -> Figures:
    out = Figures()
    for figures in parts:
        for name, value in vars(figures).items():
            if isinstance(value, list):
                getattr(out, name).extend(value)
            elif isinstance(value, (dict, set)):
                getattr(out, name).update(value)
            elif name.startswith("most_"):
                setattr(out, name, max(getattr(out, name), value))
            else:
                setattr(out, name, getattr(out, name) + value)
    return out


async def drive(share: Part) -> Figures:
    figures = Figures()
    stop = asyncio.Event()
    async with (
        browser_session(CONNECTIONS) as client,
        browser_session(CONNECTIONS) as buying,
        browser_session(1) as plain,
    ):
        watchers = [asyncio.create_task(generator_lag(stop, figures))]
        if share.part == 0:
            watchers += [
                asyncio.create_task(watch_the_shop(share.database, stop, figures)),
                asyncio.create_task(healthz(Browsers(plain, share.url), stop, figures)),
            ]
        rng = random.Random(2026)
        seeds = [rng.random() for _ in range(BUYERS)]  # the same buyers however split
        # Each buyer has a browser of their own: one in the shop never waits here behind
        # the waiting room's pages (one pool for those, one for the shop's requests).
        browsers, shoppers = Browsers(client, share.api), Browsers(buying, share.api)

        async def one(n: int, seed: float) -> None:
            """A buyer whose request failed is an error in the table, not the end of
            the run."""
            try:
                await buyer(
                    n,
                    browsers,
                    shoppers,
                    share.event_id,
                    share.on_sale,
                    figures,
                    random.Random(seed),
                )
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                figures.errors.append(f"{type(exc).__name__}: {exc}"[:160])

        mine = range(share.part, BUYERS, share.parts)
        tasks = [asyncio.create_task(one(n, seeds[n])) for n in mine]
        for done, finished in enumerate(asyncio.as_completed(tasks), start=1):
            await finished
            if done % 1000 == 0:
                progress(
                    f"generator {share.part + 1}: {done:,} of {len(mine):,} buyers done "
                    f"({figures.seats_bought:,} seats sold by its buyers)"
                )
        stop.set()
        await asyncio.gather(*watchers)
    return figures


def rank_correlation(pairs: list[tuple[float, float]]) -> float:
    """Spearman's rho of (arrival, admission) pairs."""
    if len(pairs) < 3:
        return float("nan")

    def ranks(values: list[float]) -> list[float]:
        """Ranks with ties averaged: visitors let in by one UPDATE share a moment, and
        breaking that tie by list order (arrival order) would fake a correlation."""
        order = sorted(range(len(values)), key=values.__getitem__)
        out = [0.0] * len(values)
        start = 0
        while start < len(order):
            end = start
            while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
                end += 1
            for position in range(start, end + 1):
                out[order[position]] = (start + end) / 2
            start = end + 1
        return out

    a = ranks([p[0] for p in pairs])
    b = ranks([p[1] for p in pairs])
    try:
        return float(statistics.correlation(a, b))
    except statistics.StatisticsError:  # everyone let in at one instant: no order to rank
        return float("nan")


def queue_order(cluster: PostgresCluster, event_id: int) -> tuple[float, float, int, int]:
    """Rank correlation of arrival and admission, as the server recorded them: for those
    who came before on-sale (should be near 0) and after (near 1)."""
    import psycopg

    with psycopg.connect(cluster.url("bench").replace("+psycopg", "")) as conn:
        rows = conn.execute(
            "SELECT sort_key, arrived_at, admitted_at FROM queue_entries "
            "WHERE event_id = %s AND admitted_at IS NOT NULL",
            (event_id,),
        ).fetchall()
    early = [(a.timestamp(), b.timestamp()) for key, a, b in rows if key.startswith("0:")]
    late = [(a.timestamp(), b.timestamp()) for key, a, b in rows if key.startswith("1:")]
    return rank_correlation(early), rank_correlation(late), len(early), len(late)


def oversold(cluster: PostgresCluster, event_id: int) -> tuple[int, int, int]:
    """(tickets sold, seats sold twice, tickets beyond the seats) from the database."""
    import psycopg

    with psycopg.connect(cluster.url("bench").replace("+psycopg", "")) as conn:
        sold = conn.execute(
            "SELECT count(*) FROM tickets WHERE event_id = %s AND status = 'valid'", (event_id,)
        ).fetchone()
        twice = conn.execute(
            "SELECT count(*) FROM (SELECT seat_id FROM tickets WHERE event_id = %s "
            "AND status = 'valid' GROUP BY seat_id HAVING count(*) > 1) AS d",
            (event_id,),
        ).fetchone()
    total = int(sold[0]) if sold else 0
    return total, int(twice[0]) if twice else 0, max(0, total - ROWS * PER_ROW)


def main() -> None:
    try:
        cluster = PostgresCluster()
        cluster.start()
    except PostgresUnavailableError as exc:
        progress(f"PostgreSQL unavailable, nothing measured: {exc}")
        return
    workdir = Path(tempfile.mkdtemp(prefix="admitone-bench-selling-"))
    server = ServerProcess(cluster.url("bench"), workdir, extra_args=["--workers", "2"])
    try:
        cluster.execute("CREATE DATABASE bench")
        server.env["ADMITONE_SERVER_SHOP_VISIT_MINUTES"] = "3"
        server.env["ADMITONE_SERVER_SWEEP_SECONDS"] = "2"
        server.init()
        server.start()
        on_sale_at = datetime.now(UTC) + timedelta(seconds=RAMP_SECONDS + 15)
        event_id = seed(server, on_sale_at)
        on_sale = time.monotonic() + (on_sale_at - datetime.now(UTC)).total_seconds()
        progress(f"{BUYERS:,} buyers, {ROWS * PER_ROW:,} seats, {SHOP_LIMIT} in the shop at once")
        started = time.monotonic()
        shares = [
            Part(n, GENERATORS, server.api, server.url, cluster.url("bench"), event_id, on_sale)
            for n in range(GENERATORS)
        ]
        with ProcessPoolExecutor(GENERATORS) as generators:
            figures = merged(list(generators.map(drive_part, shares)))
        elapsed = time.monotonic() - started
        sold, twice, beyond = oversold(cluster, event_id)
        early_rho, late_rho, early_n, late_n = queue_order(cluster, event_id)
    finally:
        server.stop()
        cluster.stop()
        for log in workdir.glob("server-*.log"):  # kept for a look at any error
            shutil.copy(log, Path(tempfile.gettempdir()) / "admitone-bench-selling-server.log")
        shutil.rmtree(workdir, ignore_errors=True)
    rows: list[list[object]] = [
        ["buyers", f"{BUYERS:,}"],
        ["seats", f"{ROWS * PER_ROW:,}"],
        ["tickets sold", f"{sold:,}"],
        ["seats sold twice", twice],
        ["tickets beyond the seats", beyond],
        ["orders", f"{figures.bought:,}"],
        ["left empty-handed after a look at the map", f"{figures.empty_handed:,}"],
        ["told 'sold out' while waiting", f"{figures.told_sold_out:,}"],
        ["holds refused (seat taken), tried again", f"{figures.retries:,}"],
        ["errors", len(figures.errors)],
        ["shop limit", SHOP_LIMIT],
        ["most in the shop at once", figures.most_inside],
        [
            "hold p50 / p99 ms",
            f"{median(figures.hold_ms):.1f} / {percentile(figures.hold_ms, 0.99):.1f}",
        ],
        [
            "  of which in the server (Server-Timing) p50 / p99 ms",
            f"{median(figures.hold_server_ms):.1f} / {percentile(figures.hold_server_ms, 0.99):.1f}",
        ],
        [
            "purchase p50 / p99 ms",
            f"{median(figures.purchase_ms):.1f} / {percentile(figures.purchase_ms, 0.99):.1f}",
        ],
        [
            "queue poll p50 / p99 ms",
            f"{median(figures.poll_ms):.1f} / {percentile(figures.poll_ms, 0.99):.1f} ({len(figures.poll_ms):,} polls)",
        ],
        [
            "baseline /healthz p50 / p99 ms",
            f"{median(figures.healthz_ms):.1f} / {percentile(figures.healthz_ms, 0.99):.1f}",
        ],
        [
            "  of which in the server p50 / p99 ms",
            f"{median(figures.healthz_server_ms):.1f} / {percentile(figures.healthz_server_ms, 0.99):.1f}",
        ],
        [
            "hold p99 / healthz p99",
            f"{percentile(figures.hold_ms, 0.99) / percentile(figures.healthz_ms, 0.99):.1f}x",
        ],
        [
            "load generator's own lag p50 / p99 ms",
            f"{median(figures.lag_ms):.1f} / {percentile(figures.lag_ms, 0.99):.1f}",
        ],
        [
            "before on-sale: rank corr. arrival~admission",
            f"{early_rho:.2f} (n={early_n:,}; 0 = shuffled)",
        ],
        ["after on-sale: rank corr.", f"{late_rho:.2f} (n={late_n:,}; 1 = in order)"],
        ["wall time s", f"{elapsed:.0f}"],
    ]
    rows.append(["most requests waiting on a lock at once", figures.most_lock_waits])
    for query, seen in sorted(figures.lock_waits.items(), key=lambda kv: -kv[1])[:3]:
        progress(f"waited on a lock ({seen} samples): {query}")
    slowest = sorted(figures.hold_when, key=lambda w: -w[1])[
        : max(1, len(figures.hold_when) // 100)
    ]
    progress(
        "slowest 1 % of holds, sent at (s after on-sale) / ms: "
        + ", ".join(f"{at:+.1f}/{ms:.0f}" for at, ms in sorted(slowest))
    )
    if figures.errors:
        progress(f"first errors: {figures.errors[:5]}")
    print(
        table(
            "A drop through the waiting room, PostgreSQL (target: 0 oversold, hold p99 <= 200 ms)",
            ["", "value"],
            rows,
        )
    )
