"""Holds and purchases against a real server on loopback, SQLite and PostgreSQL: 200
buyers at once for 50 seats sell exactly 50, no seat twice; a hold lapses by itself;
what a hold keeps nobody else can sell."""

from __future__ import annotations

import os
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from sync.config import ServerConfig
from tests.server.conftest import ServerHandle, start_server

BUYERS = 200
ROWS = "ABCDE"
PER_ROW = 10


@pytest.fixture
def shop(database_url: str, tmp_path: Path) -> Any:
    config = ServerConfig(keys_dir=str(tmp_path / "keys"), hold_minutes=0.05)  # 3 s holds
    handle = start_server(config, database_url)
    yield handle
    handle.live.stop()


def seated_event(server: ServerHandle) -> tuple[int, dict[int, tuple[str, int]]]:
    """An event at a hall of 50 seats; its seats: id -> (row, number)."""
    with server.admin() as admin:
        venue = admin.post("/venues", json={"name": "Hall"}).json()
        admin.post(
            f"/venues/{venue['id']}/sections",
            json={
                "name": "S",
                "kind": "seated",
                "seats": {"rows": list(ROWS), "seats_per_row": PER_ROW},
            },
        ).raise_for_status()
        event = admin.post(
            "/events",
            json={"name": "Drop", "venue_id": venue["id"], "timezone": "UTC", "status": "on_sale"},
        ).json()
        admin.post(
            f"/events/{event['id']}/ticket-types", json={"code": "SEAT", "name": "Seat"}
        ).raise_for_status()
        seat_map = admin.get(f"/events/{event['id']}/seat-map").json()
    seats = {s["id"]: (s["row"], s["number"]) for sec in seat_map["sections"] for s in sec["seats"]}
    assert len(seats) == len(ROWS) * PER_ROW
    return event["id"], seats


def test_two_hundred_buyers_for_fifty_seats_buy_exactly_fifty(shop: ServerHandle) -> None:
    event_id, places = seated_event(shop)
    seats = list(places)
    outcomes: list[str] = []
    bought: list[dict[str, Any]] = []
    lock = threading.Lock()

    def buyer(n: int) -> None:
        """Like a person at the seat map: pick a free seat, hold it, buy it; when someone
        was quicker, look at the map again; stop when nothing is free or held."""
        rng = random.Random(n)
        with httpx.Client(base_url=shop.api, timeout=60) as client, shop.admin() as organiser:
            while True:
                # (the seat map is the organiser's API so far; the public shop comes later)
                seat_map = organiser.get(f"/events/{event_id}/seat-map")
                statuses = [s for sec in seat_map.json()["sections"] for s in sec["seats"]]
                free = [s["id"] for s in statuses if s["status"] == "free"]
                if not free:
                    if any(s["status"] == "held" for s in statuses):
                        continue  # someone's hold may still lapse
                    with lock:
                        outcomes.append("none left")
                    return
                wanted = {"ticket_type": "SEAT", "seat_id": rng.choice(free)}
                held = client.post("/tickets/hold", json={"event_id": event_id, "items": [wanted]})
                if held.status_code == 409:
                    with lock:
                        outcomes.append("refused")
                    continue
                assert held.status_code == 201, held.text
                order = client.post(
                    "/tickets/purchase",
                    json={"hold_id": held.json()["hold_id"], "buyer_name": f"Buyer {n}"},
                )
                assert order.status_code in (201, 410), order.text  # 410: the hold lapsed
                if order.status_code == 201:
                    with lock:
                        outcomes.append("bought")
                        bought.append(order.json())
                    return

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(buyer, range(BUYERS)))
    assert outcomes.count("bought") == len(seats)
    assert outcomes.count("none left") == BUYERS - len(seats)
    sold = [(t["row"], t["number"]) for order in bought for t in order["tickets"]]
    assert len(sold) == len(seats)
    assert sorted(sold) == sorted(places.values())  # every seat once, none in two orders
    with shop.admin() as admin:
        seat_map = admin.get(f"/events/{event_id}/seat-map").json()
    assert {s["status"] for sec in seat_map["sections"] for s in sec["seats"]} == {"sold"}


def test_a_hold_lapses_by_itself_and_its_seat_is_free_again(shop: ServerHandle) -> None:
    event_id, places = seated_event(shop)
    seats = list(places)
    item = {"event_id": event_id, "items": [{"ticket_type": "SEAT", "seat_id": seats[0]}]}
    with (
        httpx.Client(base_url=shop.api, timeout=30) as first,
        httpx.Client(base_url=shop.api, timeout=30) as second,
    ):
        held = first.post("/tickets/hold", json=item)
        assert held.status_code == 201
        assert second.post("/tickets/hold", json=item).status_code == 409
        with shop.admin() as admin:
            seat_map = admin.get(f"/events/{event_id}/seat-map").json()
        status = {s["id"]: s["status"] for sec in seat_map["sections"] for s in sec["seats"]}
        assert (status[seats[0]], status[seats[1]]) == ("held", "free")
        with shop.admin() as admin:  # the organiser cannot sell it meanwhile either
            sale = admin.post(
                "/orders",
                json={
                    "event_id": event_id,
                    "buyer_name": "Box office",
                    "items": [{"ticket_type": "SEAT", "seat_id": seats[0]}],
                },
            )
            assert sale.status_code == 409
            assert "held by a buyer" in sale.json()["detail"]
        # Nobody acts: the hold's three seconds run out and the seat is free again.
        waiting = threading.Event()
        for _ in range(200):
            again = second.post("/tickets/hold", json=item)
            if again.status_code == 201:
                break
            waiting.wait(0.05)  # polling the condition (the seat comes free), with a deadline
        assert again.status_code == 201
        late = first.post(
            "/tickets/purchase", json={"hold_id": held.json()["hold_id"], "buyer_name": "Late"}
        )
        assert late.status_code == 410
        assert "expired" in late.json()["detail"]
        bought = second.post(
            "/tickets/purchase", json={"hold_id": again.json()["hold_id"], "buyer_name": "On time"}
        )
        assert bought.status_code == 201
        twice = second.post(
            "/tickets/purchase", json={"hold_id": again.json()["hold_id"], "buyer_name": "Twice"}
        )
        assert twice.status_code == 409
        unknown = second.post(
            "/tickets/purchase", json={"hold_id": "x" * 24, "buyer_name": "Nobody"}
        )
        assert unknown.status_code == 404


def test_twenty_purchases_of_one_hold_at_once_buy_it_once(shop: ServerHandle) -> None:
    """A purchase claims its hold with one conditional UPDATE (no event lock): of many
    at once exactly one wins, and the seat is in one order."""
    event_id, places = seated_event(shop)
    seat = next(iter(places))
    with httpx.Client(base_url=shop.api, timeout=30) as buyer:
        held = buyer.post(
            "/tickets/hold",
            json={"event_id": event_id, "items": [{"ticket_type": "SEAT", "seat_id": seat}]},
        ).json()
    start = threading.Barrier(20)

    def buy(n: int) -> int:
        with httpx.Client(base_url=shop.api, timeout=60) as client:
            start.wait(30)
            return client.post(
                "/tickets/purchase", json={"hold_id": held["hold_id"], "buyer_name": f"B{n}"}
            ).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(buy, range(20)))
    assert sorted(codes) == [201] + [409] * 19
    with shop.admin() as admin:
        orders = admin.get("/orders", params={"event_id": event_id}).json()
    assert [o["ticket_count"] for o in orders] == [1]


@pytest.mark.parametrize("place", ["seat", "capacity"])
def test_a_purchase_committing_in_the_middle_of_a_hold_check_is_seen(
    pg_cluster: Any, tmp_path: Path, place: str
) -> None:
    """A purchase takes no event lock, so it can commit while another buyer's hold is
    deciding what is free.  Its seat moves from held to sold in that one commit: a
    check that read tickets and holds in two statements saw it in neither and held it
    again (a seat sold twice, or one ticket past the capacity).  Here the purchase is
    made to commit exactly after the hold's first read of the tickets table, through
    SQLAlchemy's statement hook on the server's own engine (PostgreSQL: on SQLite the
    single writer makes the interleaving impossible)."""
    name = f"race_{place}_{os.getpid()}"
    pg_cluster.execute(f"CREATE DATABASE {name} TEMPLATE template_admitone")
    config = ServerConfig(keys_dir=str(tmp_path / "keys"))
    server = start_server(config, pg_cluster.url(name))
    try:
        if place == "seat":
            event_id, places = seated_event(server)
            item = {"ticket_type": "SEAT", "seat_id": next(iter(places))}
        else:
            with server.admin() as admin:
                event_id = admin.post(
                    "/events",
                    json={"name": "Club", "timezone": "UTC", "status": "on_sale", "capacity": 1},
                ).json()["id"]
                admin.post(
                    f"/events/{event_id}/ticket-types", json={"code": "GA", "name": "Standing"}
                ).raise_for_status()
            item = {"ticket_type": "GA", "quantity": 1}
        hold = {"event_id": event_id, "items": [item]}
        with httpx.Client(base_url=server.api, timeout=30) as first:
            held = first.post("/tickets/hold", json=hold)
            assert held.status_code == 201, held.text
            engine = server.app.state.admitone.db.engine
            armed = threading.Event()
            armed.set()
            bought: list[int] = []

            def purchase_now(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
                if armed.is_set() and "FROM tickets" in statement:
                    armed.clear()
                    with httpx.Client(base_url=server.api, timeout=20) as buyer:
                        bought.append(
                            buyer.post(
                                "/tickets/purchase",
                                json={"hold_id": held.json()["hold_id"], "buyer_name": "First"},
                            ).status_code
                        )

            event.listen(engine, "after_cursor_execute", purchase_now)
            try:
                with httpx.Client(base_url=server.api, timeout=30) as second:
                    again = second.post("/tickets/hold", json=hold)
            finally:
                event.remove(engine, "after_cursor_execute", purchase_now)
        assert bought == [201]  # the purchase did commit in the middle of the check
        assert again.status_code == 409, again.text  # and the check saw its seat taken
        with server.admin() as admin:
            orders = admin.get("/orders", params={"event_id": event_id}).json()
        assert [o["ticket_count"] for o in orders] == [1]
    finally:
        server.live.stop()
