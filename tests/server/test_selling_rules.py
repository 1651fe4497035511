"""Prices, promo codes, payment providers, the waitlist, box-office sales and the
sales figures, against a real server on loopback (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiosmtpd.controller import Controller

from sync.config import ServerConfig
from tests.live_server import free_port
from tests.server.conftest import ServerHandle, start_server
from tests.server.test_mail import Mailbox
from tests.waiting import wait_until


def _config(tmp_path: Path, **overrides: Any) -> ServerConfig:
    settings: dict[str, Any] = {
        "keys_dir": str(tmp_path / "keys"),
        "bank_account": "IBAN DE02 1203 0000 0000 2020 51, AdmitOne Events",
        "sweep_seconds": 0.2,
    }
    settings.update(overrides)
    return ServerConfig(**settings)


@pytest.fixture
def shop(database_url: str, tmp_path: Path) -> Any:
    handle = start_server(_config(tmp_path), database_url)
    yield handle
    handle.live.stop()


def make_event(
    server: ServerHandle, *, seats: bool = False, **fields: Any
) -> tuple[int, list[int]]:
    """An event on sale (a hall of two tiers when ``seats``); its seat ids."""
    body: dict[str, Any] = {"name": "Concert", "timezone": "Europe/Berlin", "status": "on_sale"}
    body.update(fields)
    seat_ids: list[int] = []
    with server.admin() as admin:
        if seats:
            venue = admin.post("/venues", json={"name": "Hall"}).json()
            for name, tier in (("FRONT", "premium"), ("BACK", "standard")):
                admin.post(
                    f"/venues/{venue['id']}/sections",
                    json={
                        "name": name,
                        "pricing_tier": tier,
                        "seats": {"rows": ["A"], "seats_per_row": 5},
                    },
                ).raise_for_status()
            body["venue_id"] = venue["id"]
        event = admin.post("/events", json=body)
        assert event.status_code == 201, event.text
        event_id = event.json()["id"]
        if seats:
            seat_map = admin.get(f"/events/{event_id}/seat-map").json()
            seat_ids = [s["id"] for sec in seat_map["sections"] for s in sec["seats"]]
    return event_id, seat_ids


def add_type(server: ServerHandle, event_id: int, **fields: Any) -> None:
    with server.admin() as admin:
        made = admin.post(f"/events/{event_id}/ticket-types", json=fields)
        assert made.status_code == 201, made.text


def hold(client: httpx.Client, event_id: int, *items: dict[str, Any]) -> httpx.Response:
    return client.post("/tickets/hold", json={"event_id": event_id, "items": list(items)})


def test_prices_follow_tiers_early_bird_steps_group_and_fee(shop: ServerHandle) -> None:
    event_id, seats = make_event(shop, seats=True, fee_cents=150, group_min=10, group_percent=10)
    add_type(shop, event_id, code="SEAT", name="Seat", price_cents=4000)
    add_type(
        shop,
        event_id,
        code="EARLY",
        name="Early",
        price_cents=3000,
        early_price_cents=2000,
        early_until=(datetime.now(UTC) + timedelta(days=1)).isoformat(),
    )
    add_type(
        shop,
        event_id,
        code="LATE",
        name="Late",
        price_cents=3000,
        early_price_cents=2000,
        early_until=(datetime.now(UTC) - timedelta(days=1)).isoformat(),
    )
    add_type(
        shop, event_id, code="GA", name="Standing", price_cents=1000, step_after=3, step_cents=500
    )
    with shop.admin() as admin:
        admin.put(
            f"/events/{event_id}/tier-prices",
            json={"tier": "premium", "ticket_type": "SEAT", "price_cents": 6500},
        ).raise_for_status()
    with shop.client() as buyer:
        front, back = seats[0], seats[5]
        held = hold(
            buyer,
            event_id,
            {"ticket_type": "SEAT", "seat_id": front},
            {"ticket_type": "SEAT", "seat_id": back},
            {"ticket_type": "EARLY"},
            {"ticket_type": "LATE"},
        ).json()
        assert [line["price_cents"] for line in held["lines"]] == [6500, 4000, 2000, 3000]
        assert held["lines"][0]["label"] == "Seat, FRONT row A seat 1"
        assert held["currency"] == "EUR"
        quote = buyer.post("/tickets/quote", json={"hold_id": held["hold_id"]}).json()
        assert (quote["subtotal_cents"], quote["discount_cents"], quote["fees_cents"]) == (
            15500,
            0,
            4 * 150,
        )
        assert quote["total_cents"] == 16100
        # Dynamic pricing: the price steps up after every 3 sold, fixed when held.
        steps = hold(buyer, event_id, {"ticket_type": "GA", "quantity": 4}).json()
        assert [line["price_cents"] for line in steps["lines"]] == [1000, 1000, 1000, 1500]
        # A group of 10 gets 10 % off each ticket (the step continues: 4 held already).
        group = hold(buyer, event_id, {"ticket_type": "GA", "quantity": 10}).json()
        group_quote = buyer.post("/tickets/quote", json={"hold_id": group["hold_id"]}).json()
    prices = [line["price_cents"] for line in group_quote["lines"]]
    assert prices == [1500, 1500, 2000, 2000, 2000, 2500, 2500, 2500, 3000, 3000]
    assert [line["discount_cents"] for line in group_quote["lines"]] == [p // 10 for p in prices]
    assert group_quote["total_cents"] == sum(prices) - sum(p // 10 for p in prices) + 10 * 150
    money = [v for k, v in group_quote.items() if k.endswith("_cents")]
    assert len(money) == 4
    assert all(type(v) is int for v in money)


def test_promo_codes_check_type_window_and_uses(shop: ServerHandle) -> None:
    event_id, _ = make_event(shop)
    add_type(shop, event_id, code="GA", name="Standing", price_cents=2000)
    add_type(shop, event_id, code="VIP", name="VIP", price_cents=9000)
    soon = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    with shop.admin() as admin:
        for body in (
            {"code": "half", "kind": "percent", "amount": 50, "ticket_type": "VIP"},
            {"code": "FIVER", "kind": "fixed", "amount": 500},
            {"code": "LATER", "kind": "percent", "amount": 10, "valid_from": soon},
        ):
            assert admin.post(f"/events/{event_id}/promo-codes", json=body).status_code == 201
        twice = admin.post(
            f"/events/{event_id}/promo-codes", json={"code": "HALF", "kind": "fixed", "amount": 1}
        )
        assert twice.status_code == 409
    with shop.client() as buyer:
        held = hold(buyer, event_id, {"ticket_type": "GA"}, {"ticket_type": "VIP"}).json()

        def quote(code: str) -> dict[str, Any]:
            body = {"hold_id": held["hold_id"], "promo_code": code}
            answer: dict[str, Any] = buyer.post("/tickets/quote", json=body).json()
            return answer

        half = quote(" half ")  # typed loosely: trimmed and upper-cased
        assert [line["discount_cents"] for line in half["lines"]] == [0, 4500]  # VIP only
        fiver = quote("FIVER")
        assert [line["discount_cents"] for line in fiver["lines"]] == [500, 500]
        assert quote("LATER")["promo_problem"] == "this promo code is not valid yet"
        assert "not known" in quote("NOPE")["promo_problem"]
        refused = buyer.post(
            "/tickets/purchase",
            json={"hold_id": held["hold_id"], "buyer_name": "B", "promo_code": "NOPE"},
        )
        assert refused.status_code == 422
        assert "not known" in refused.json()["detail"]


def test_a_code_with_one_use_left_is_used_once_by_a_hundred_buyers(shop: ServerHandle) -> None:
    event_id, _ = make_event(shop)
    add_type(shop, event_id, code="GA", name="Standing", price_cents=0)
    with shop.admin() as admin:
        admin.post(
            f"/events/{event_id}/promo-codes",
            json={"code": "LASTONE", "kind": "percent", "amount": 100, "max_uses": 1},
        ).raise_for_status()
    with shop.client() as buyer:
        holds = [hold(buyer, event_id, {"ticket_type": "GA"}).json()["hold_id"] for _ in range(100)]
    start = threading.Barrier(20)

    def buy(hold_id: str) -> int:
        with shop.client() as client:
            if hold_id in holds[:20]:
                start.wait(30)  # the first twenty leave at the same instant
            return client.post(
                "/tickets/purchase",
                json={"hold_id": hold_id, "buyer_name": "Racer", "promo_code": "LASTONE"},
            ).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(buy, holds))
    assert codes.count(201) == 1
    assert set(codes) - {201} <= {409, 422}  # used up (409), or seen used up at the check (422)
    with shop.admin() as admin:
        (promo,) = admin.get(f"/events/{event_id}/promo-codes").json()
        orders = admin.get("/orders", params={"event_id": event_id}).json()
    assert promo["used"] == 1
    assert [o["promo_code"] for o in orders] == ["LASTONE"]


def test_bank_transfer_is_pending_issues_nothing_until_paid_and_lapses_unpaid(
    database_url: str, tmp_path: Path
) -> None:
    server = start_server(_config(tmp_path, bank_transfer_days=8 / 86400), database_url)
    try:
        event_id, seats = make_event(server, seats=True)
        add_type(server, event_id, code="SEAT", name="Seat", price_cents=2500)
        with server.admin() as admin:
            admin.post(
                f"/events/{event_id}/promo-codes",
                json={"code": "ONCE", "kind": "fixed", "amount": 100, "max_uses": 1},
            ).raise_for_status()
        with server.client() as buyer:
            paid_later = []
            for seat in seats[:2]:
                held = hold(buyer, event_id, {"ticket_type": "SEAT", "seat_id": seat}).json()
                free = buyer.post(
                    "/tickets/purchase",
                    json={"hold_id": held["hold_id"], "buyer_name": "B", "payment_method": "free"},
                )
                assert free.status_code == 422
                assert "choose how to pay" in free.json()["detail"]
                bought = buyer.post(
                    "/tickets/purchase",
                    json={
                        "hold_id": held["hold_id"],
                        "buyer_name": "Bank Buyer",
                        "buyer_email": "bank@example.org",
                        "payment_method": "bank_transfer",
                        "promo_code": "ONCE" if seat == seats[1] else "",
                    },
                )
                assert bought.status_code == 201, bought.text
                paid_later.append(bought.json())
            first, second = paid_later
            assert (first["status"], first["tickets"], first["total_cents"]) == (
                "pending",
                [],
                2500,
            )
            assert "IBAN DE02" in first["instructions"]
            assert first["reference"] in first["instructions"]
            # Nobody else can take the seat while the money is on its way.
            assert (
                hold(buyer, event_id, {"ticket_type": "SEAT", "seat_id": seats[0]}).status_code
                == 409
            )
        with server.admin() as admin:
            order = admin.get(f"/orders/{first['order_id']}").json()
            assert (order["status"], order["ticket_count"]) == ("pending", 0)  # nothing to admit
            paid = admin.post(f"/orders/{first['order_id']}/payment")
            assert paid.status_code == 200, paid.text
            (ticket,) = paid.json()["tickets"]
            assert (paid.json()["status"], ticket["section"], ticket["number"]) == (
                "paid",
                "FRONT",
                1,
            )
            check = admin.post("/validate/scan", json={"code": ticket["code"]}).json()
            assert check["kind"] == "admitted"
            assert admin.post(f"/orders/{first['order_id']}/payment").status_code == 409
            # The second is never paid: after its eight seconds it lapses by itself.
            wait_until(
                lambda: admin.get(f"/orders/{second['order_id']}").json()["status"] == "expired",
                what="the unpaid order lapses",
            )
            late = admin.post(f"/orders/{second['order_id']}/payment")
            assert late.status_code == 410
            assert "lapsed unpaid" in late.json()["detail"]
            (promo,) = admin.get(f"/events/{event_id}/promo-codes").json()
            assert promo["used"] == 0  # the lapsed order gave its use back
            seat_map = admin.get(f"/events/{event_id}/seat-map").json()
        status = {s["id"]: s["status"] for sec in seat_map["sections"] for s in sec["seats"]}
        assert (status[seats[0]], status[seats[1]]) == ("sold", "free")
    finally:
        server.live.stop()


def test_box_office_sale_is_admitted_at_once_and_on_the_dashboard(shop: ServerHandle) -> None:
    event_id, _ = make_event(shop, capacity=3)
    add_type(shop, event_id, code="GA", name="Standing", price_cents=1800)
    add_type(
        shop, event_id, code="STUDENT", name="Student", price_cents=900, gate_note="ID required"
    )
    with shop.admin() as admin:
        sale = admin.post(
            "/box-office/sales",
            json={
                "event_id": event_id,
                "items": [{"ticket_type": "GA"}, {"ticket_type": "STUDENT"}],
                "buyer_name": "Walk-in",
                "payment": "card",
            },
        )
        assert sale.status_code == 201, sale.text
        sold = sale.json()
        assert sold["total_cents"] == 2700  # list price, no booking fee at the desk
        assert [a["kind"] for a in sold["admissions"]] == ["admitted", "admitted"]
        assert [a["type_note"] for a in sold["admissions"]] == ["", "ID required"]
        again = admin.post("/validate/scan", json={"code": sold["tickets"][0]["code"]}).json()
        assert again["kind"] == "already_used"
        assert again["first_used_gate"] == "Box office"
        doors = admin.get(f"/events/{event_id}/attendance").json()
        assert doors["by_gate"] == {"Box office": 2}
        over = admin.post(
            "/box-office/sales",
            json={
                "event_id": event_id,
                "items": [{"ticket_type": "GA", "quantity": 2}],
                "buyer_name": "X",
            },
        )
        assert over.status_code == 409  # capacity 3: the desk cannot oversell either


def test_waitlist_walks_a_release_to_an_offer_to_a_purchase_and_passes_an_ignored_offer_on(
    database_url: str, tmp_path: Path
) -> None:
    mailbox = Mailbox()
    port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    config = _config(
        tmp_path,
        hold_minutes=0.05,  # 3-second holds
        waitlist_offer_minutes=0.05,
        mail_host="127.0.0.1",
        mail_port=port,
        mail_security="none",
        mail_sender="Tickets <tickets@example.org>",
        public_url="https://tickets.example.org",
    )
    server = start_server(config, database_url)
    try:
        event_id, _ = make_event(server, capacity=2)
        add_type(server, event_id, code="GA", name="Standing", price_cents=0)
        with server.client() as anyone:
            first = hold(anyone, event_id, {"ticket_type": "GA", "quantity": 2})
            assert first.status_code == 201
            assert hold(anyone, event_id, {"ticket_type": "GA"}).status_code == 409  # sold out

            def join(email: str) -> dict[str, Any]:
                joined = anyone.post(
                    "/shop/waitlist",
                    json={"event_id": event_id, "ticket_type": "GA", "email": email, "quantity": 2},
                )
                assert joined.status_code == 201, joined.text
                place: dict[str, Any] = joined.json()
                return place

            ignorer, buyer = join("ignorer@example.org"), join("buyer@example.org")
            assert (ignorer["position"], buyer["position"]) == (1, 2)

            def status(place: dict[str, Any]) -> dict[str, Any]:
                answer: dict[str, Any] = anyone.get(f"/shop/waitlist/{place['token']}").json()
                return answer

            # The first hold lapses: the first in line is offered both places.
            offer = wait_until(
                lambda: status(ignorer)["status"] == "offered" and status(ignorer),
                what="the first offer",
            )
            assert offer["hold_id"]
            assert offer["offer_expires_at"]
            (mail,) = mailbox.wait_for(1)
            assert mail["To"].addresses[0].addr_spec == "ignorer@example.org"
            assert (
                f"https://tickets.example.org/shop/waitlist/{ignorer['token']}"
                in mail.get_content()
            )
            assert hold(anyone, event_id, {"ticket_type": "GA"}).status_code == 409  # kept for them
            # Ignored: it lapses and passes to the next person, who buys.
            second = wait_until(
                lambda: status(buyer)["status"] == "offered" and status(buyer),
                what="the offer passing on",
            )
            assert status(ignorer)["status"] == "lapsed"
            bought = anyone.post(
                "/tickets/purchase",
                json={
                    "hold_id": second["hold_id"],
                    "buyer_name": "Waited",
                    "buyer_email": "buyer@example.org",
                },
            )
            assert bought.status_code == 201, bought.text
            assert len(bought.json()["tickets"]) == 2
            assert status(buyer)["status"] == "bought"
            assert mailbox.wait_for(3)[1]["To"].addresses[0].addr_spec == "buyer@example.org"
        with server.admin() as admin:
            figures = admin.get(f"/events/{event_id}/sales").json()
        assert (figures["tickets"], figures["waitlist"]) == (2, 0)
    finally:
        server.live.stop()
        smtp.stop()


def test_sales_figures_by_day_type_section_channel_and_promo_with_csv(shop: ServerHandle) -> None:
    event_id, seats = make_event(shop, seats=True, fee_cents=100)
    add_type(shop, event_id, code="SEAT", name="Seat", price_cents=3000)
    add_type(shop, event_id, code="GUEST", name="Guest list", price_cents=0, public=False)
    with shop.admin() as admin:
        admin.post(
            f"/events/{event_id}/promo-codes",
            json={"code": "TEN", "kind": "percent", "amount": 10},
        ).raise_for_status()
    with shop.client() as buyer:
        for seat, code in ((seats[0], "TEN"), (seats[1], "")):
            held = hold(buyer, event_id, {"ticket_type": "SEAT", "seat_id": seat}).json()
            bought = buyer.post(
                "/tickets/purchase",
                json={
                    "hold_id": held["hold_id"],
                    "buyer_name": "Online",
                    "payment_method": "box_office",
                    "promo_code": code,
                },
            ).json()
            with shop.admin() as admin:
                admin.post(f"/orders/{bought['order_id']}/payment").raise_for_status()
        assert hold(buyer, event_id, {"ticket_type": "GUEST"}).status_code == 422  # not on sale
    with shop.admin() as admin:
        admin.post(
            "/box-office/sales",
            json={
                "event_id": event_id,
                "items": [{"ticket_type": "SEAT", "seat_id": seats[6]}],
                "buyer_name": "Door",
            },
        ).raise_for_status()
        comp = admin.post(
            "/orders",
            json={
                "event_id": event_id,
                "buyer_name": "Band's friend",
                "channel": "comp",
                "items": [{"ticket_type": "GUEST", "quantity": 2}],
            },
        ).json()
        refunded = admin.post(f"/tickets/{comp['tickets'][0]['ticket_id']}/refund")
        assert refunded.status_code == 200
        figures = admin.get(f"/events/{event_id}/sales").json()
        exported = admin.get(f"/events/{event_id}/sales.csv")
    today = datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
    assert figures["tickets"] == 4  # 2 online, 1 at the door, 1 comp (one comp refunded)
    assert figures["revenue_cents"] == 2700 + 3000 + 3000
    assert figures["fees_cents"] == 200
    assert figures["by_channel"] == {"box_office": [1, 3000], "comp": [1, 0], "online": [2, 5700]}
    assert figures["by_type"] == {"GUEST": [1, 0], "SEAT": [3, 8700]}
    assert figures["by_section"] == {"BACK": [1, 3000], "FRONT": [2, 5700], "general": [1, 0]}
    assert figures["by_promo_code"] == {"": [3, 6000], "TEN": [1, 2700]}
    assert figures["by_day"] == {today: [4, 8700]}  # the event's local day
    assert figures["in_use"] == 4
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert exported.headers["content-type"].startswith("text/csv")
    assert sum(int(r["tickets"]) for r in rows) == 4
    assert sorted(r["revenue"] for r in rows) == ["0.00", "27.00", "30.00", "30.00"]
    assert {r["currency"] for r in rows} == {"EUR"}


def test_a_refund_frees_a_place_for_the_waitlist(shop: ServerHandle) -> None:
    event_id, _ = make_event(shop, capacity=1)
    add_type(shop, event_id, code="GA", name="Standing", price_cents=0)
    with shop.client() as anyone:
        held = hold(anyone, event_id, {"ticket_type": "GA"}).json()
        bought = anyone.post(
            "/tickets/purchase", json={"hold_id": held["hold_id"], "buyer_name": "First"}
        ).json()
        place = anyone.post(
            "/shop/waitlist",
            json={"event_id": event_id, "ticket_type": "GA", "email": "next@example.org"},
        ).json()
        assert place["status"] == "waiting"
        with shop.admin() as admin:
            ticket = bought["tickets"][0]["ticket_id"]
            assert admin.post(f"/tickets/{ticket}/refund").status_code == 200
        offered = wait_until(
            lambda: (
                (answer := anyone.get(f"/shop/waitlist/{place['token']}").json())["status"]
                == "offered"
                and answer
            ),
            what="the refunded place offered",
        )
        again = anyone.post(
            "/tickets/purchase", json={"hold_id": offered["hold_id"], "buyer_name": "Next"}
        )
        assert again.status_code == 201
        assert hold(anyone, event_id, {"ticket_type": "GA"}).status_code == 409  # full again
