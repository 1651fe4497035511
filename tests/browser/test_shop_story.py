"""A buyer's story in the public shop, in a real browser on a phone-size window: the
event list, prices by tier, seats chosen on the map with the keyboard, a promo code,
a bank transfer pending until the organiser marks it paid, the tickets' pages; a hold
that runs out while its page is open; a sold-out type's waitlist; a drop's waiting
room.  axe-core finds nothing serious on any page; screenshots at phone and desktop
width (kept in ``ADMITONE_SCREENSHOTS`` when set).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import PHONE
from tests.browser.test_guest_story import check
from tests.live_server import ServerProcess

DEADLINE = 60.0
HOLD_SECONDS = 15


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(f"sqlite:///{tmp_path / 'server.db'}", tmp_path)
    for name, value in {
        "hold_minutes": str(HOLD_SECONDS / 60),
        "bank_account": "IBAN DE02 1203 0000 0000 2020 51, AdmitOne Events",
        "sweep_seconds": "0.5",
        "public_url": server.url,
    }.items():
        server.env[f"ADMITONE_SERVER_{name.upper()}"] = value
    server.init()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _ok(response: httpx.Response) -> Any:
    assert response.status_code < 300, response.text
    return response.json()


def seed(admin: httpx.Client) -> dict[str, Any]:
    """A seated concert (two tiers), a club night of four standing places, and a drop
    with a waiting room."""
    starts = (datetime.now(UTC) + timedelta(days=30)).replace(hour=12, minute=0)  # 19:00 WIB
    venue = _ok(admin.post("/venues", json={"name": "Grand Hall", "address": "Jl. Braga 1"}))
    for name, tier, rows in (("FRONT", "premium", ["A", "B"]), ("BACK", "standard", ["C"])):
        _ok(
            admin.post(
                f"/venues/{venue['id']}/sections",
                json={
                    "name": name,
                    "pricing_tier": tier,
                    "seats": {
                        "rows": rows,
                        "seats_per_row": 8,
                        "accessible": ["A/1"] if name == "FRONT" else [],
                        "companion": ["A/2"] if name == "FRONT" else [],
                    },
                },
            )
        )
    concert = _ok(
        admin.post(
            "/events",
            json={
                "name": "Symphony Night",
                "venue_id": venue["id"],
                "timezone": "Asia/Jakarta",
                "starts_at": starts.isoformat(),
                "status": "on_sale",
                "fee_cents": 150,
            },
        )
    )
    _ok(
        admin.post(
            f"/events/{concert['id']}/ticket-types",
            json={"code": "SEAT", "name": "Seat", "price_cents": 3000},
        )
    )
    _ok(
        admin.put(
            f"/events/{concert['id']}/tier-prices",
            json={"tier": "premium", "ticket_type": "SEAT", "price_cents": 4500},
        )
    )
    _ok(
        admin.post(
            f"/events/{concert['id']}/promo-codes",
            json={"code": "FRIENDS", "kind": "percent", "amount": 10},
        )
    )
    seats = {
        f"{sec['name']}/{s['row']}/{s['number']}": s["id"]
        for sec in _ok(admin.get(f"/events/{concert['id']}/seat-map"))["sections"]
        for s in sec["seats"]
    }
    _ok(
        admin.post(
            "/orders",
            json={
                "event_id": concert["id"],
                "buyer_name": "Earlier buyer",
                "items": [{"ticket_type": "SEAT", "seat_id": seats["FRONT/A/5"]}],
            },
        )
    )
    club = _ok(
        admin.post(
            "/events",
            json={
                "name": "Club Night",
                "timezone": "Asia/Jakarta",
                "starts_at": starts.isoformat(),
                "status": "on_sale",
                "capacity": 4,
            },
        )
    )
    _ok(
        admin.post(
            f"/events/{club['id']}/ticket-types",
            json={
                "code": "GA",
                "name": "Standing",
                "price_cents": 1500,
                "step_after": 2,
                "step_cents": 500,
            },
        )
    )
    _ok(
        admin.post(
            f"/events/{club['id']}/ticket-types",
            json={
                "code": "STUDENT",
                "name": "Student",
                "price_cents": 900,
                "gate_note": "Student card required",
            },
        )
    )
    drop = _ok(
        admin.post(
            "/events",
            json={
                "name": "Stadium Drop",
                "timezone": "Asia/Jakarta",
                "starts_at": starts.isoformat(),
                "on_sale": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
                "status": "on_sale",
                "shop_limit": 1,
                "capacity": 2000,
            },
        )
    )
    _ok(
        admin.post(
            f"/events/{drop['id']}/ticket-types",
            json={"code": "GA", "name": "Standing", "price_cents": 5000},
        )
    )
    return {"concert": concert["id"], "seats": seats, "club": club["id"], "drop": drop["id"]}


def wait(driver: WebDriver, css: str) -> Any:
    return WebDriverWait(driver, DEADLINE).until(
        lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()), None)
    )


def test_a_buyer_chooses_seats_pays_by_transfer_and_a_hold_runs_out_on_an_open_page(
    browser: WebDriver, shop: ServerProcess
) -> None:
    driver = browser
    driver.set_window_size(*PHONE)
    with shop.admin() as admin:
        world = seed(admin)
        # Someone else is choosing FRONT A/6 right now: held on everyone's map.
        _ok(
            httpx.post(
                f"{shop.api}/tickets/hold",
                json={
                    "event_id": world["concert"],
                    "items": [{"ticket_type": "SEAT", "seat_id": world["seats"]["FRONT/A/6"]}],
                },
                verify=False,
            )
        )

    driver.get(f"{shop.url}/shop")
    assert [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".events a")] == [
        "Symphony Night",
        "Club Night",
        "Stadium Drop",
    ]
    check(driver, "events", "shop")
    driver.find_element(By.LINK_TEXT, "Symphony Night").click()
    wait(driver, "#choose")
    prices = driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=prices]").text
    assert "Premium seats: 45.00 EUR" in prices
    assert "30.00 EUR" in prices
    seat = {
        key: driver.find_element(By.CSS_SELECTOR, f"input[name=seat][value='{seat_id}']")
        for key, seat_id in world["seats"].items()
    }
    assert not seat["FRONT/A/5"].is_enabled()  # sold
    assert not seat["FRONT/A/6"].is_enabled()  # held by someone else
    assert "wheelchair" in (seat["FRONT/A/1"].get_attribute("aria-label") or "")
    # With the keyboard: focus a seat, Space ticks it, Tab and Space the next.
    seat["FRONT/A/3"].send_keys(Keys.SPACE)
    seat["FRONT/A/3"].send_keys(Keys.TAB)
    driver.switch_to.active_element.send_keys(Keys.SPACE)
    assert seat["FRONT/A/3"].is_selected()
    assert seat["FRONT/A/4"].is_selected()
    check(driver, "event-seat-map", "shop")
    driver.find_element(By.CSS_SELECTOR, "[data-hold-form] button[type=submit]").click()

    wait(driver, ".countdown")
    assert re.search(
        r"\b0:1[0-5]\b|\b0:0\d\b", driver.find_element(By.CSS_SELECTOR, ".countdown .left").text
    )
    assert driver.find_element(By.ID, "total").text == "93.00 EUR"  # 2 × 45.00 + 2 × 1.50
    driver.find_element(By.ID, "promo").send_keys("friends")
    driver.find_element(By.CSS_SELECTOR, "button[value=apply]").click()
    wait(driver, "#discount")
    assert driver.find_element(By.ID, "discount").text == "−9.00 EUR"
    assert driver.find_element(By.ID, "total").text == "84.00 EUR"
    driver.find_element(By.ID, "attendee-0").send_keys("Ayu")
    driver.find_element(By.ID, "attendee-1").send_keys("Budi")
    driver.find_element(By.ID, "name").send_keys("Ayu Lestari")
    driver.find_element(By.ID, "email").send_keys("ayu@example.org")
    driver.find_element(By.CSS_SELECTOR, "input[name=payment][value=bank_transfer]").click()
    check(driver, "checkout", "shop")
    driver.find_element(By.CSS_SELECTOR, "button[value=buy]").click()

    status = wait(driver, "[role=status]")
    assert "kept until" in status.text
    body = driver.find_element(By.TAG_NAME, "main").text
    reference = driver.find_element(By.CSS_SELECTOR, "main p strong").text
    assert "IBAN DE02" in body
    assert reference in body
    assert "84.00 EUR" in body
    check(driver, "order-pending", "shop")
    with shop.admin() as admin:
        (order,) = [
            o
            for o in _ok(admin.get("/orders", params={"event_id": world["concert"]}))
            if o["promo_code"]
        ]
        assert (order["status"], order["ticket_count"], order["total_cents"]) == (
            "pending",
            0,
            8400,
        )
        _ok(admin.post(f"/orders/{order['id']}/payment"))
    driver.refresh()
    assert "your tickets are issued" in wait(driver, "[role=status]").text
    links = driver.find_elements(By.CSS_SELECTOR, "main li a")
    assert sorted(a.text for a in links) == [
        "SEAT, FRONT row A seat 3 (Ayu)",
        "SEAT, FRONT row A seat 4 (Budi)",
    ]
    check(driver, "order-paid", "shop")
    links[0].click()
    assert "/t/" in driver.current_url
    wait(driver, ".code svg")

    # A hold that runs out while its page is open.
    driver.get(f"{shop.url}/shop/events/{world['club']}")
    quantity = wait(driver, "#qty-GA")
    quantity.clear()
    quantity.send_keys("3")
    assert (
        "the price rises by 5.00 EUR after 2 more sold"
        in driver.find_element(By.TAG_NAME, "main").text
    )
    driver.find_element(By.CSS_SELECTOR, "[data-hold-form] button[type=submit]").click()
    wait(driver, ".countdown")
    assert driver.find_element(By.ID, "subtotal").text == "50.00 EUR"  # 15 + 15 + 20: the step
    WebDriverWait(driver, HOLD_SECONDS + DEADLINE).until(
        lambda d: d.find_element(By.ID, "expired").is_displayed()
    )
    assert "expired" in driver.find_element(By.ID, "expired").text
    assert not driver.find_element(By.CSS_SELECTOR, "button[value=buy]").is_enabled()
    assert driver.find_element(By.CSS_SELECTOR, ".countdown .left").text == "0:00"
    check(driver, "hold-expired-on-the-page", "shop")
    driver.refresh()
    assert "Your hold has expired" in wait(driver, "[role=alert]").text
    driver.get(f"{shop.url}/shop/events/{world['club']}")
    assert (
        "Standing" in driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=prices]").text
    )
    rows = driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=prices] tbody tr")
    assert rows[0].find_elements(By.TAG_NAME, "td")[2].text == "4"  # all four free again

    # Sold out: the waitlist.
    _ok(
        httpx.post(
            f"{shop.api}/tickets/hold",
            json={"event_id": world["club"], "items": [{"ticket_type": "GA", "quantity": 4}]},
            verify=False,
        )
    )
    driver.refresh()
    assert "Join the waitlist" in wait(driver, "form[action$=waitlist]").text
    driver.find_element(By.ID, "wl-email").send_keys("waiting@example.org")
    driver.find_element(By.ID, "wl-name").send_keys("Citra")
    check(driver, "event-sold-out", "shop")
    driver.find_element(By.CSS_SELECTOR, "form[action$=waitlist] button").click()
    assert "number 1" in wait(driver, "[role=status]").text
    check(driver, "waitlist", "shop")

    # A drop with a waiting room: sent to the queue, a place and a wait.
    driver.get(f"{shop.url}/shop/events/{world['drop']}")
    assert driver.current_url.endswith(f"/shop/events/{world['drop']}/queue")
    assert "random order" in driver.find_element(By.TAG_NAME, "main").text
    check(driver, "queue-join", "shop")
    driver.find_element(By.CSS_SELECTOR, "main form button").click()
    assert wait(driver, "#position").text == "0"
    assert "minutes" in driver.find_element(By.ID, "wait").text  # on-sale is an hour away
    check(driver, "queue-waiting", "shop")

    # The organiser gives away every place of the drop before it opens: the waiting
    # page says so (and points to the waitlist) instead of a wait that ends in nothing.
    with shop.admin() as admin:
        _ok(admin.patch(f"/events/{world['drop']}", json={"capacity": 1}))
        _ok(
            admin.post(
                "/orders",
                json={
                    "event_id": world["drop"],
                    "buyer_name": "Guest list",
                    "items": [{"ticket_type": "GA"}],
                },
            )
        )

    def says_sold_out(d: WebDriver) -> bool:
        d.refresh()  # (the page also reloads by itself, at its own pace)
        alerts = d.find_elements(By.CSS_SELECTOR, "[role=alert]")
        return bool(alerts) and "Everything is sold" in alerts[0].text

    WebDriverWait(driver, DEADLINE).until(says_sold_out)
    assert "join the waitlist" in driver.find_element(By.TAG_NAME, "main").text
    # It keeps its place and looks again now and then: held seats may still come free.
    assert (
        driver.find_element(By.CSS_SELECTOR, "[data-queue-refresh]").get_attribute(
            "data-queue-refresh"
        )
        == "30"
    )
    check(driver, "queue-sold-out", "shop")
