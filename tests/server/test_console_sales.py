"""Selling in the console, through HTTP: box office sells at the door and the guests
are inside at once (and on the doors dashboard); a pending order is marked paid; an
owner makes a promo code; the sales page's figures match the API's."""

from __future__ import annotations

import re

import httpx

from sync.server.services.accounts import Role
from tests.server.conftest import Enrolled
from tests.server.console_client import signed_in


def test_box_office_sells_at_the_door_and_the_guests_are_in(enrolled: Enrolled) -> None:
    box = signed_in(enrolled.server, Role.BOX_OFFICE)
    event_id = enrolled.event_id
    page = box.get(f"/console/events/{event_id}/sales")
    assert page.status_code == 200
    assert "Sell at the door" in page.text
    assert 'promo-codes" novalidate' not in page.text  # creating codes is the owner's
    sold = box.post(
        f"/console/events/{event_id}/box-office",
        {
            "ticket_type": "GA",
            "quantity": "2",
            "buyer_name": "Walk-in",
            "payment": "cash",
            "admit": "yes",
        },
    )
    assert sold.status_code == 201, sold.text
    result = re.search(
        r'<div class="notice" role="status" id="door-result">(.*?)</div>', sold.text, re.S
    )
    assert result is not None
    assert result.group(1).count(">admitted<") == 2
    doors = box.get(f"/console/events/{event_id}/doors")
    assert re.search(r'id="door-sales">2<', doors.text)
    with enrolled.server.admin() as admin:
        attendance = admin.get(f"/events/{event_id}/attendance").json()
        figures = admin.get(f"/events/{event_id}/sales").json()
    assert attendance["by_gate"]["Box office"] == 2
    assert figures["by_channel"]["box_office"][0] == 2
    # A bad request says which field, and sells nothing.
    bad = box.post(
        f"/console/events/{event_id}/box-office", {"ticket_type": "GA", "quantity": "99"}
    )
    assert bad.status_code == 422
    with enrolled.server.admin() as admin:
        assert admin.get(f"/events/{event_id}/sales").json()["tickets"] == figures["tickets"]


def test_a_pending_order_is_marked_paid_in_the_console(enrolled: Enrolled) -> None:
    event_id = enrolled.event_id
    with enrolled.server.admin() as admin:
        admin.patch(
            f"/events/{event_id}/ticket-types/GA", json={"price_cents": 2000}
        ).raise_for_status()
    with httpx.Client(base_url=enrolled.server.api) as buyer:
        held = buyer.post(
            "/tickets/hold", json={"event_id": event_id, "items": [{"ticket_type": "GA"}]}
        ).json()
        order = buyer.post(
            "/tickets/purchase",
            json={
                "hold_id": held["hold_id"],
                "buyer_name": "Later",
                "payment_method": "box_office",
            },
        ).json()
    assert order.get("status") == "pending", order
    box = signed_in(enrolled.server, Role.BOX_OFFICE)
    page = box.get(f"/console/orders/{order['order_id']}")
    assert "Awaiting payment" in page.text
    assert "Mark paid" in page.text
    viewer = signed_in(enrolled.server, Role.DOOR_VIEWER, "viewer@example.org")
    assert "Mark paid" not in viewer.get(f"/console/orders/{order['order_id']}").text
    assert box.post(f"/console/orders/{order['order_id']}/paid", {}).status_code == 303
    paid = box.get(f"/console/orders/{order['order_id']}")
    assert ">Paid<" in paid.text
    assert "Mark paid" not in paid.text
    assert paid.text.count("<code>") >= 1  # its ticket is listed
    again = box.post(f"/console/orders/{order['order_id']}/paid", {})
    assert again.status_code == 409
    assert "already paid" in again.text


def test_an_owner_makes_a_promo_code_and_the_figures_match_the_api(enrolled: Enrolled) -> None:
    owner = signed_in(enrolled.server, Role.OWNER)
    event_id = enrolled.event_id
    wrong = owner.post(
        f"/console/events/{event_id}/promo-codes", {"code": "x", "kind": "percent", "amount": "150"}
    )
    assert wrong.status_code == 422
    made = owner.post(
        f"/console/events/{event_id}/promo-codes",
        {
            "code": "early10",
            "kind": "percent",
            "amount": "10",
            "max_uses": "5",
            "valid_until": "2030-01-01T00:00",
        },
    )
    assert made.status_code == 303
    page = owner.get(f"/console/events/{event_id}/sales")
    assert "<code>EARLY10</code>" in page.text
    assert "0 / 5" in page.text
    with enrolled.server.admin() as admin:
        figures = admin.get(f"/events/{event_id}/sales").json()
        exported = owner.get(f"/console/events/{event_id}/sales.csv")
    assert re.search(rf'id="sold">{figures["tickets"]}<', page.text)
    assert exported.status_code == 200
    assert exported.text.splitlines()[0].startswith("day,ticket_type,section,channel")


def test_an_owner_sets_a_types_selling_rules_in_the_console(enrolled: Enrolled) -> None:
    owner = signed_in(enrolled.server, Role.OWNER)
    event_id = enrolled.event_id
    made = owner.post(
        f"/console/events/{event_id}/ticket-types",
        {
            "code": "STUDENT",
            "name": "Student",
            "price_cents": "900",
            "early_price_cents": "700",
            "early_until": "2030-01-01T00:00",
            "quota": "40",
            "step_after": "10",
            "step_cents": "100",
            "gate_note": "Student card required",
            "public_shown": "1",
            "public": "on",
        },
    )
    assert made.status_code == 303, made.text
    guest = owner.post(
        f"/console/events/{event_id}/ticket-types",
        {"code": "GUEST", "name": "Guest list", "public_shown": "1"},  # box left unticked
    )
    assert guest.status_code == 303
    half = owner.post(
        f"/console/events/{event_id}/ticket-types",
        {"code": "HALF", "name": "Half", "early_price_cents": "100", "public_shown": "1"},
    )
    assert half.status_code == 422  # an early-bird price without its end
    assert "early-bird price needs its end date" in half.text
    with enrolled.server.admin() as admin:
        types = {t["code"]: t for t in admin.get(f"/events/{event_id}/ticket-types").json()}
    student = types["STUDENT"]
    assert (student["early_price_cents"], student["quota"], student["step_after"]) == (700, 40, 10)
    assert (student["gate_note"], student["public"]) == ("Student card required", True)
    assert types["GUEST"]["public"] is False
    assert "HALF" not in types


def test_an_owner_prices_a_section_tier_and_the_shop_charges_it(enrolled: Enrolled) -> None:
    """The console's tier prices: the venue's tiers and the event's types to choose from,
    a wrong price named beside its field, and the price the shop then holds at."""
    server = enrolled.server
    with server.admin() as admin:
        venue = admin.post("/venues", json={"name": "Opera"}).json()
        seats: dict[str, int] = {}
        for name, tier in (("STALLS", "premium"), ("GALLERY", "standard")):
            admin.post(
                f"/venues/{venue['id']}/sections",
                json={
                    "name": name,
                    "pricing_tier": tier,
                    "seats": {"rows": ["A"], "seats_per_row": 2},
                },
            ).raise_for_status()
        event_id = admin.post(
            "/events",
            json={"name": "Tosca", "venue_id": venue["id"], "timezone": "UTC", "status": "on_sale"},
        ).json()["id"]
        admin.post(
            f"/events/{event_id}/ticket-types",
            json={"code": "SEAT", "name": "Seat", "price_cents": 1000},
        ).raise_for_status()
        for section in admin.get(f"/events/{event_id}/seat-map").json()["sections"]:
            seats[section["name"]] = section["seats"][0]["id"]
    owner = signed_in(server, Role.OWNER)
    page = owner.get(f"/console/events/{event_id}/sales")
    assert re.findall(
        r'<option value="(\w+)"', page.text.split('id="tp-tier"')[1].split("</select>")[0]
    ) == [
        "premium",
        "standard",
    ]
    wrong = owner.post(
        f"/console/events/{event_id}/tier-prices",
        {"tier": "premium", "ticket_type": "SEAT", "price_cents": "-5"},
    )
    assert wrong.status_code == 422
    assert 'id="e-price_cents"' in wrong.text
    made = owner.post(
        f"/console/events/{event_id}/tier-prices",
        {"tier": "premium", "ticket_type": "SEAT", "price_cents": "2500"},
    )
    assert made.status_code == 303
    assert "25.00" in owner.get(f"/console/events/{event_id}/sales").text
    box = signed_in(server, Role.BOX_OFFICE)
    refused = box.post(
        f"/console/events/{event_id}/tier-prices",
        {"tier": "standard", "ticket_type": "SEAT", "price_cents": "1"},
    )
    assert refused.status_code == 403
    with httpx.Client(base_url=server.api, timeout=30) as buyer:
        held = buyer.post(
            "/tickets/hold",
            json={
                "event_id": event_id,
                "items": [
                    {"ticket_type": "SEAT", "seat_id": seats["STALLS"]},
                    {"ticket_type": "SEAT", "seat_id": seats["GALLERY"]},
                ],
            },
        )
    assert held.status_code == 201, held.text
    assert [line["price_cents"] for line in held.json()["lines"]] == [2500, 1000]
