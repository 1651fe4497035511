"""The waiting room for a drop, against a real server (SQLite and PostgreSQL): random
order before on-sale, first come first served after, never more than N in the shop,
signed queue tickets, a visit that runs out."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from sync.config import ServerConfig
from tests.server.conftest import ServerHandle, start_server
from tests.waiting import wait_until

LIMIT = 3


def drop(server: ServerHandle, *, on_sale_in: float, limit: int = LIMIT) -> int:
    on_sale = datetime.now(UTC) + timedelta(seconds=on_sale_in)
    with server.admin() as admin:
        event = admin.post(
            "/events",
            json={
                "name": "Drop",
                "status": "on_sale",
                "on_sale": on_sale.isoformat(),
                "shop_limit": limit,
                "capacity": 100,
            },
        ).json()
        admin.post(
            f"/events/{event['id']}/ticket-types", json={"code": "GA", "name": "Standing"}
        ).raise_for_status()
    event_id: int = event["id"]
    return event_id


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Any:
    config = ServerConfig(keys_dir=str(tmp_path / "keys"), shop_admit_per_second=100)
    handle = start_server(config, database_url)
    yield handle
    handle.live.stop()


def place(client: httpx.Client, ticket: str) -> dict[str, Any]:
    answer = client.get(f"/shop/queue/{ticket}")
    assert answer.status_code == 200, answer.text
    out: dict[str, Any] = answer.json()
    return out


def hold(client: httpx.Client, event_id: int, ticket: str) -> httpx.Response:
    return client.post(
        "/tickets/hold",
        json={"event_id": event_id, "items": [{"ticket_type": "GA"}], "queue_ticket": ticket},
    )


def test_early_visitors_are_shuffled_late_ones_queue_and_the_shop_never_overfills(
    server: ServerHandle,
) -> None:
    event_id = drop(server, on_sale_in=4)
    with server.client() as anyone:
        early = [anyone.post(f"/shop/events/{event_id}/queue").json() for _ in range(12)]
        assert {v["status"] for v in early} == {"waiting"}  # nobody is let in before on-sale
        assert all(v["estimated_wait_seconds"] > 0 for v in early)
        assert hold(anyone, event_id, early[0]["queue_ticket"]).status_code == 409  # not yet
        wait_until(
            lambda: (
                place(anyone, early[0]["queue_ticket"])["status"] != "waiting"
                or datetime.now(UTC) > datetime.fromisoformat(early[0]["on_sale"])
            ),
            what="on-sale",
        )
        late = [anyone.post(f"/shop/events/{event_id}/queue").json() for _ in range(3)]

        # Forty-five asks at once, each of which may let visitors in: still three inside
        # (nobody has left, so one too many admitted would still be admitted now).
        tickets = [v["queue_ticket"] for v in early + late]
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(lambda t: place(anyone, t), tickets * 3))

        def settled() -> dict[str, dict[str, Any]]:
            """Every place, once the page's picture (at most a second old) shows the
            shop full; one too many would stay admitted and fail below."""
            places = {t: place(anyone, t) for t in tickets}
            full = sum(a["status"] == "admitted" for a in places.values()) >= LIMIT
            return places if full else {}

        now = wait_until(settled, what="the shop full in the waiting page's picture")
    admitted = [t for t, a in now.items() if a["status"] == "admitted"]
    assert len(admitted) == LIMIT
    assert set(admitted) <= {v["queue_ticket"] for v in early}  # early ones go first
    order = sorted(tickets, key=lambda t: (now[t]["status"] != "admitted", now[t]["position"]))
    early_order = [tickets.index(t) for t in order if tickets.index(t) < 12]
    assert early_order != list(range(12))  # shuffled: not the order they came in
    late_positions = [now[v["queue_ticket"]]["position"] for v in late]
    assert late_positions == sorted(late_positions)  # after on-sale: first come, first served
    assert min(late_positions) == 12 - LIMIT  # behind every early visitor still waiting
    assert all(now[t]["estimated_wait_seconds"] > 0 for t in tickets if t not in admitted)

    with server.client() as anyone:
        waiting = next(t for t in tickets if t not in admitted)
        assert hold(anyone, event_id, waiting).status_code == 403  # not their turn
        assert hold(anyone, event_id, "").status_code == 403  # no queue ticket
        forged = admitted[0].rsplit(".", 1)[0] + ".AAAAAAAAAAAAAAAAAAAAAA"
        assert hold(anyone, event_id, forged).status_code == 403
        assert anyone.get(f"/shop/queue/{forged}").status_code == 404
        assert hold(anyone, event_id, admitted[0]).status_code == 201
        # The buyer is done: their place in the shop goes to the next in line.
        nxt = min((t for t in tickets if t not in admitted), key=lambda t: now[t]["position"])
        assert anyone.delete(f"/shop/queue/{admitted[0]}").status_code == 204
        # (a waiting page's picture of the room is at most a second old)
        wait_until(lambda: place(anyone, nxt)["status"] == "admitted", what="the next one in")
        wait_until(
            lambda: sum(place(anyone, t)["status"] == "admitted" for t in tickets) == LIMIT,
            what="the shop full again, not fuller",
        )


def test_a_visit_runs_out_and_the_next_visitor_comes_in(database_url: str, tmp_path: Path) -> None:
    config = ServerConfig(
        keys_dir=str(tmp_path / "keys"), shop_visit_minutes=0.05, sweep_seconds=0.2
    )
    server = start_server(config, database_url)
    try:
        event_id = drop(server, on_sale_in=-1, limit=1)
        with server.client() as anyone:
            first = anyone.post(f"/shop/events/{event_id}/queue").json()
            second = anyone.post(f"/shop/events/{event_id}/queue").json()
            assert (first["status"], second["status"], second["position"]) == (
                "admitted",
                "waiting",
                0,
            )
            # When the first one's time is up, the second is let in.
            wait_until(
                lambda: place(anyone, second["queue_ticket"])["status"] == "admitted",
                what="the next visitor admitted",
            )
            late = hold(anyone, event_id, first["queue_ticket"])
            assert late.status_code == 403
            assert "time in the shop is up" in late.json()["detail"]
    finally:
        server.live.stop()


def test_visitors_are_let_in_at_the_admission_rate(database_url: str, tmp_path: Path) -> None:
    """A shop of ten letting in two a second: asked all at once after on-sale, two are
    in; a second later, two more; never more than the shop holds."""
    config = ServerConfig(keys_dir=str(tmp_path / "keys"), shop_admit_per_second=2)
    server = start_server(config, database_url)
    try:
        event_id = drop(server, on_sale_in=2, limit=10)
        with server.client() as anyone:
            tickets = [
                anyone.post(f"/shop/events/{event_id}/queue").json()["queue_ticket"]
                for _ in range(12)
            ]

            def inside() -> int:
                return sum(place(anyone, t)["status"] == "admitted" for t in tickets)

            first = wait_until(inside, what="the first admissions after on-sale")
            assert first <= 2
            started = time.monotonic()
            wait_until(lambda: inside() >= 4, what="two more a second later")
            assert time.monotonic() - started >= 0.5  # not at once: the rate holds
            wait_until(lambda: inside() == 10, what="the shop full")
            assert inside() == 10  # and no more, however often they ask
    finally:
        server.live.stop()


def test_leaving_and_asking_at_once_never_deadlock(server: ServerHandle) -> None:
    """Visitors leaving (each frees a place and lets the next in) while the rest ask
    for their place, all at once, on both databases: every answer is an answer (a
    deadlock between the waiting room's lock and a visitor's row was a 503)."""
    event_id = drop(server, on_sale_in=-1, limit=5)
    with server.client() as anyone:
        tickets = [
            anyone.post(f"/shop/events/{event_id}/queue").json()["queue_ticket"] for _ in range(40)
        ]

    def visit(ticket: str) -> list[int]:
        codes = []
        with server.client() as browser:
            for _ in range(4):
                codes.append(browser.get(f"/shop/queue/{ticket}").status_code)
            codes.append(browser.delete(f"/shop/queue/{ticket}").status_code)
        return codes

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = [c for answer in pool.map(visit, tickets) for c in answer]
    assert set(codes) <= {200, 204}, sorted(set(codes))
    with server.client() as anyone:  # waiting or inside, everyone who left is gone
        wait_until(  # (a waiting page's picture of the room is at most a second old)
            lambda: {place(anyone, t)["status"] for t in tickets} == {"done"},
            what="everyone who left gone, none let in after leaving",
        )


def test_a_hold_is_answered_while_the_waiting_room_is_stuck(
    pg_cluster: Any, tmp_path: Path
) -> None:
    """The waiting room's requests run in threads of their own (``waiting_room_threads``):
    sixty visitors joining while the waiting room's lock is held (here by the test, as a
    long admission would) occupy those few threads and wait in line behind them, and a
    buyer already in the shop still holds at once.  Sharing the server's one pool of
    forty threads, the sixty took them all and the hold waited for the lock too.
    (PostgreSQL: on SQLite one writer at a time makes every write wait anyway.)"""
    import psycopg

    name = f"lane_{os.getpid()}"
    pg_cluster.execute(f"CREATE DATABASE {name} TEMPLATE template_admitone")
    config = ServerConfig(
        keys_dir=str(tmp_path / "keys"), shop_admit_per_second=100, waiting_room_threads=4
    )
    server = start_server(config, pg_cluster.url(name))
    try:
        event_id = drop(server, on_sale_in=-1, limit=5)
        with server.client() as anyone:
            inside = anyone.post(f"/shop/events/{event_id}/queue").json()
        assert inside["status"] == "admitted"
        dsn = pg_cluster.url(name).replace("+psycopg", "")
        with psycopg.connect(dsn) as stuck, psycopg.connect(dsn, autocommit=True) as watch:
            stuck.execute(
                "SELECT value FROM counters WHERE name = %s FOR UPDATE", (f"queue-{event_id}",)
            )

            def lock_waiters() -> int:
                row = watch.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = %s",
                    (name,),
                ).fetchone()
                return int(row[0]) if row else 0

            def join(_: int) -> int:
                with httpx.Client(base_url=server.api, timeout=60) as visitor:
                    return visitor.post(f"/shop/events/{event_id}/queue").status_code

            with ThreadPoolExecutor(max_workers=60) as pool:
                joins = [pool.submit(join, n) for n in range(60)]
                wait_until(lambda: lock_waiters() >= 4, what="the waiting room's threads stuck")
                with httpx.Client(base_url=server.api, timeout=10) as buyer:
                    held = hold(buyer, event_id, inside["queue_ticket"])
                assert held.status_code == 201, held.text
                assert lock_waiters() == 4  # only the waiting room's own threads wait
                stuck.rollback()  # the waiting room moves again: everybody gets in line
                assert sorted(j.result(timeout=60) for j in joins) == [201] * 60
    finally:
        server.live.stop()


def test_one_who_left_while_being_let_in_stays_gone(pg_cluster: Any, tmp_path: Path) -> None:
    """A waiting visitor leaves without the waiting room's lock (one UPDATE of their
    row).  An advance that picked them as next and then let them in would give a
    place in the shop to nobody.  Here the visitor leaves exactly between the advance
    choosing them and letting them in (SQLAlchemy's statement hook on the server's
    engine; PostgreSQL, where the two run at once): they stay gone."""
    import psycopg
    from sqlalchemy import event

    name = f"gone_{os.getpid()}"
    pg_cluster.execute(f"CREATE DATABASE {name} TEMPLATE template_admitone")
    config = ServerConfig(keys_dir=str(tmp_path / "keys"), shop_admit_per_second=100)
    server = start_server(config, pg_cluster.url(name))
    try:
        event_id = drop(server, on_sale_in=-1, limit=1)
        with server.client() as anyone:
            inside = anyone.post(f"/shop/events/{event_id}/queue").json()
            waiting = anyone.post(f"/shop/events/{event_id}/queue").json()
        assert (inside["status"], waiting["status"]) == ("admitted", "waiting")
        engine = server.app.state.admitone.db.engine
        armed = threading.Event()
        armed.set()
        left: list[int] = []

        def leave_now(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if (
                armed.is_set()
                and "ORDER BY queue_entries.sort_key" in statement
                and "LIMIT" in statement
            ):
                armed.clear()
                with server.client() as visitor:
                    left.append(
                        visitor.delete(f"/shop/queue/{waiting['queue_ticket']}").status_code
                    )

        event.listen(engine, "after_cursor_execute", leave_now)
        try:
            with server.client() as anyone:  # the first one is done: the next is chosen
                assert anyone.delete(f"/shop/queue/{inside['queue_ticket']}").status_code == 204
        finally:
            event.remove(engine, "after_cursor_execute", leave_now)
        assert left == [204]  # the second left in that very moment
        with psycopg.connect(pg_cluster.url(name).replace("+psycopg", "")) as db:
            statuses = {row[0] for row in db.execute("SELECT status FROM queue_entries")}
        assert statuses == {"done"}
    finally:
        server.live.stop()


def test_a_queue_ticket_is_good_for_its_own_event_only(server: ServerHandle) -> None:
    """Let into one drop's shop, a visitor cannot hold seats at another drop with that
    ticket (nor with one whose signed event was swapped: the signature covers it)."""
    first = drop(server, on_sale_in=-1, limit=5)
    second = drop(server, on_sale_in=-1, limit=5)
    with server.client() as anyone:
        inside = anyone.post(f"/shop/events/{first}/queue").json()
        assert inside["status"] == "admitted"
        ticket = inside["queue_ticket"]
        assert hold(anyone, second, ticket).status_code == 403
        value, _, mac = ticket.rpartition(".")
        swapped = f"{second}~{value.partition('~')[2]}.{mac}"
        assert hold(anyone, second, swapped).status_code == 403
        assert anyone.get(f"/shop/queue/{swapped}").status_code == 404
        assert hold(anyone, first, ticket).status_code == 201  # its own drop: in
