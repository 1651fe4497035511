"""Every route × {no token, bad token, device, admin} → the expected status."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.server.conftest import Enrolled
from ui.demo.seed import enrol_code

ADMIN_ONLY = {"none": 401, "bad": 401, "device": 403}
DEVICE_ONLY = {"none": 401, "bad": 401, "admin": 403}
EITHER = {"none": 401, "bad": 401}

Spec = tuple[dict[str, int], int, int, Callable[[Enrolled], dict[str, Any]]]
"""(failures by principal, device success status, admin success status, request builder)."""


def _t(enrolled: Enrolled, n: int) -> str:
    ticket_id: str = enrolled.tickets[n]["ticket_id"]
    return ticket_id


def _scan(enrolled: Enrolled) -> dict[str, Any]:
    return {
        "scans": [
            {
                "scan_id": uuid.uuid4().hex,
                "ticket_id": _t(enrolled, 0),
                "event_id": enrolled.event_id,
                "device_id": enrolled.device_id,
                "gate": "North Gate",
                "zone": "main",
                "direction": "in",
                "scanned_at": datetime.now(UTC).isoformat(),
                "verdict": "admitted",
            }
        ]
    }


PUBLIC = {"none": 201, "bad": 201}


def _held(enrolled: Enrolled) -> dict[str, Any]:
    """A fresh hold to buy (each principal buys its own)."""
    with enrolled.server.client() as anyone:
        hold = anyone.post(
            "/tickets/hold",
            json={"event_id": enrolled.event_id, "items": [{"ticket_type": "GA"}]},
        )
    assert hold.status_code == 201, hold.text
    return {"json": {"hold_id": hold.json()["hold_id"], "buyer_name": "Buyer"}}


def _quote(enrolled: Enrolled) -> dict[str, Any]:
    return {"json": {"hold_id": _held(enrolled)["json"]["hold_id"]}}


ANYONE_404 = {"none": 404, "bad": 404}
"""A public route asked about something that is not there: the same answer for anyone,
and no token asked for."""


MATRIX: dict[tuple[str, str], Spec] = {
    ("POST", "/tickets/quote"): ({"none": 200, "bad": 200}, 200, 200, _quote),
    ("GET", "/shop/events/{event_id}/seat-map"): (
        {"none": 200, "bad": 200},
        200,
        200,
        lambda e: {"url": f"/shop/events/{e.event_id}/seat-map"},
    ),
    ("POST", "/shop/waitlist"): (
        {"none": 409, "bad": 409},
        409,
        409,
        lambda e: {"json": {"event_id": e.event_id, "ticket_type": "GA", "email": "w@example.org"}},
    ),  # tickets are still available: refused alike for anyone, no token asked
    ("GET", "/shop/waitlist/{token}"): (
        ANYONE_404,
        404,
        404,
        lambda e: {"url": "/shop/waitlist/not-a-place-token"},
    ),
    ("DELETE", "/shop/waitlist/{token}"): (
        ANYONE_404,
        404,
        404,
        lambda e: {"url": "/shop/waitlist/not-a-place-token"},
    ),
    ("POST", "/shop/events/{event_id}/queue"): (
        ANYONE_404,
        404,
        404,
        lambda e: {"url": f"/shop/events/{e.event_id}/queue"},
    ),  # this event has no waiting room
    ("GET", "/shop/queue/{ticket}"): (
        ANYONE_404,
        404,
        404,
        lambda e: {"url": "/shop/queue/forged.ticket"},
    ),
    ("DELETE", "/shop/queue/{ticket}"): (
        ANYONE_404,
        404,
        404,
        lambda e: {"url": "/shop/queue/forged.ticket"},
    ),
    ("PATCH", "/events/{event_id}/ticket-types/{code}"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {
            "url": f"/events/{e.event_id}/ticket-types/GA",
            "json": {"gate_note": "Wristband"},
        },
    ),
    ("PUT", "/events/{event_id}/tier-prices"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {
            "url": f"/events/{e.event_id}/tier-prices",
            "json": {"tier": "standard", "ticket_type": "GA", "price_cents": 100},
        },
    ),
    ("GET", "/events/{event_id}/tier-prices"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/events/{e.event_id}/tier-prices"},
    ),
    ("POST", "/events/{event_id}/promo-codes"): (
        ADMIN_ONLY,
        0,
        201,
        lambda e: {
            "url": f"/events/{e.event_id}/promo-codes",
            "json": {"code": "AUTHZ", "kind": "percent", "amount": 10},
        },
    ),
    ("GET", "/events/{event_id}/promo-codes"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/events/{e.event_id}/promo-codes"},
    ),
    ("POST", "/orders/{order_id}/payment"): (
        ADMIN_ONLY,
        0,
        409,
        lambda e: {"url": f"/orders/{e.order_id}/payment"},
    ),  # the admin gets through: the organiser's order was never awaiting payment
    ("POST", "/box-office/sales"): (
        ADMIN_ONLY,
        0,
        201,
        lambda e: {
            "json": {"event_id": e.event_id, "items": [{"ticket_type": "GA"}], "buyer_name": "D"}
        },
    ),
    ("GET", "/events/{event_id}/sales"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/events/{e.event_id}/sales"},
    ),
    ("GET", "/events/{event_id}/sales.csv"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/events/{e.event_id}/sales.csv"},
    ),
    ("POST", "/tickets/hold"): (
        PUBLIC,
        201,
        201,
        lambda e: {"json": {"event_id": e.event_id, "items": [{"ticket_type": "GA"}]}},
    ),
    ("POST", "/tickets/purchase"): (PUBLIC, 201, 201, _held),
    ("POST", "/venues"): (ADMIN_ONLY, 0, 201, lambda e: {"json": {"name": "V"}}),
    ("GET", "/venues/{venue_id}"): (ADMIN_ONLY, 0, 200, lambda e: {"url": "/venues/1"}),
    ("GET", "/venues/{venue_id}/sections"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": "/venues/1/sections"},
    ),
    ("POST", "/venues/{venue_id}/sections"): (
        ADMIN_ONLY,
        0,
        201,
        lambda e: {"url": "/venues/1/sections", "json": {"name": "Z"}},
    ),
    ("GET", "/events"): (EITHER, 200, 200, lambda e: {}),
    ("POST", "/events"): (ADMIN_ONLY, 0, 201, lambda e: {"json": {"name": "E"}}),
    ("GET", "/events/{event_id}"): (EITHER, 200, 200, lambda e: {"url": f"/events/{e.event_id}"}),
    ("PATCH", "/events/{event_id}"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/events/{e.event_id}", "json": {"capacity": 6000}},
    ),
    ("POST", "/events/{event_id}/ticket-types"): (
        ADMIN_ONLY,
        0,
        201,
        lambda e: {
            "url": f"/events/{e.event_id}/ticket-types",
            "json": {"code": "KID", "name": "K"},
        },
    ),
    ("GET", "/events/{event_id}/ticket-types"): (
        EITHER,
        200,
        200,
        lambda e: {"url": f"/events/{e.event_id}/ticket-types"},
    ),
    ("GET", "/events/{event_id}/availability"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/events/{e.event_id}/availability"},
    ),
    ("GET", "/events/{event_id}/seat-map"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/events/{e.event_id}/seat-map"},
    ),
    ("GET", "/events/{event_id}/conflicts"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/events/{e.event_id}/conflicts"},
    ),
    ("GET", "/events/{event_id}/attendance"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/events/{e.event_id}/attendance"},
    ),
    ("POST", "/events/{event_id}/enrol-codes"): (
        ADMIN_ONLY,
        0,
        201,
        lambda e: {"url": f"/events/{e.event_id}/enrol-codes", "json": {"gate": "East"}},
    ),
    ("POST", "/orders"): (
        ADMIN_ONLY,
        0,
        201,
        lambda e: {
            "json": {"event_id": e.event_id, "buyer_name": "B", "items": [{"ticket_type": "GA"}]}
        },
    ),
    ("GET", "/orders"): (ADMIN_ONLY, 0, 200, lambda e: {}),
    ("GET", "/orders/{order_id}"): (ADMIN_ONLY, 0, 200, lambda e: {"url": f"/orders/{e.order_id}"}),
    ("GET", "/orders/{order_id}/tickets"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/orders/{e.order_id}/tickets"},
    ),
    ("GET", "/orders/{order_id}/tickets.pdf"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/orders/{e.order_id}/tickets.pdf?lang=id"},
    ),
    ("GET", "/tickets/{ticket_id}/ticket.pdf"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/tickets/{_t(e, 1)}/ticket.pdf"},
    ),
    ("GET", "/tickets/{ticket_id}"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/tickets/{_t(e, 1)}"},
    ),
    ("GET", "/tickets/{ticket_id}/qr.png"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/tickets/{_t(e, 1)}/qr.png"},
    ),
    ("POST", "/tickets/{ticket_id}/transfer"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/tickets/{_t(e, 2)}/transfer", "json": {"holder_name": "N"}},
    ),
    ("POST", "/tickets/{ticket_id}/refund"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/tickets/{_t(e, 3)}/refund"},
    ),
    ("POST", "/validate/scan"): (
        EITHER,
        200,
        200,
        lambda e: {"json": {"code": e.tickets[4]["code"]}},
    ),
    ("POST", "/devices/enrol"): (
        {"none": 200, "bad": 200},
        200,
        200,
        lambda e: {},
    ),  # public: the one-time code is the credential
    ("GET", "/devices"): (ADMIN_ONLY, 0, 200, lambda e: {}),
    ("POST", "/devices/{device_id}/revoke"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/devices/{e.device_id}/revoke"},
    ),  # the admin asks last: the device's own attempt is refused while it still works
    ("GET", "/sync/manifest"): (DEVICE_ONLY, 200, 0, lambda e: {}),
    ("GET", "/sync/manifest-key"): (
        {"none": 200, "bad": 200},
        200,
        200,
        lambda e: {},
    ),  # public: a kiosk checks it against its code's fingerprint before sending the code
    ("POST", "/sync/scans"): (DEVICE_ONLY, 200, 0, lambda e: {"json": _scan(e)}),
    ("POST", "/sync/heartbeat"): (
        DEVICE_ONLY,
        200,
        0,
        lambda e: {"json": {"client_time": datetime.now(UTC).isoformat()}},
    ),
    ("POST", "/sync/audit"): (
        DEVICE_ONLY,
        200,
        0,
        lambda e: {
            "json": {
                "entries": [
                    {
                        "audit_id": uuid.uuid4().hex,
                        "at": datetime.now(UTC).isoformat(),
                        "actor": "sup",
                        "action": "checkpoint",
                        "detail": {"to": "vip"},
                    }
                ]
            }
        },
    ),
    ("GET", "/audit"): (ADMIN_ONLY, 0, 200, lambda e: {}),
    ("GET", "/keys"): (EITHER, 200, 200, lambda e: {}),
    ("POST", "/keys/rotate"): (ADMIN_ONLY, 0, 201, lambda e: {}),
    ("POST", "/keys/{kid}/retire"): (
        ADMIN_ONLY,
        0,
        200,
        lambda e: {"url": f"/keys/{e.tickets[0]['kid']}/retire"},
    ),
}


def test_the_matrix_covers_every_route(enrolled: Enrolled) -> None:
    paths = enrolled.server.app.openapi()["paths"]
    routes = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in paths.items()
        if path.startswith("/api/v1")
        for method in operations
    }
    assert routes == set(MATRIX)


@pytest.mark.parametrize("route", list(MATRIX), ids=[f"{m} {p}" for m, p in MATRIX])
def test_route_answers_each_principal_as_expected(
    enrolled: Enrolled, route: tuple[str, str]
) -> None:
    method, template = route
    failures, device_ok, admin_ok, build = MATRIX[route]
    server = enrolled.server
    if route == ("POST", "/keys/{kid}/retire"):
        with server.admin() as admin:
            admin.post("/keys/rotate")  # the first key is retirable once another is active
    tokens = {
        "none": None,
        "bad": "not-a-real-token",
        "device": enrolled.token,
        "admin": server.admin_token,
    }
    expected = {**failures}
    expected.setdefault("device", device_ok)
    expected.setdefault("admin", admin_ok)
    got = {}
    for who in ("none", "bad", "device", "admin"):
        request = build(enrolled)
        if route == ("POST", "/devices/enrol"):
            with server.admin() as admin:
                code = enrol_code(admin, enrolled.event_id, "West")
            request = {"json": {"code": code, "device_id": f"kiosk-{who}"}}
        with server.client(tokens[who]) as client:
            response = client.request(method, request.pop("url", template), **request)
        got[who] = response.status_code
        if response.status_code == 401:
            assert response.headers["www-authenticate"] == "Bearer"
        if response.status_code in (401, 403):
            assert set(response.json()) == {"detail"}  # an error, never data
    assert got == expected


def test_a_device_reads_only_its_own_events(enrolled: Enrolled) -> None:
    with enrolled.server.admin() as admin:
        other = admin.post("/events", json={"name": "Elsewhere"}).json()
    with enrolled.device() as device:
        listed = [e["id"] for e in device.get("/events").json()]
        response = device.get(f"/events/{other['id']}")
    assert listed == [enrolled.event_id]
    assert response.status_code == 403
    assert response.json() == {"detail": f"this kiosk is not enrolled for event {other['id']}"}


# --- the cross-event axis: a device of event A against every resource of event B ------

NOT_EVENT_SCOPED = {
    ("POST", "/devices/enrol"),  # the code names the event
    ("GET", "/sync/manifest-key"),  # the server's public key
    ("POST", "/sync/heartbeat"),  # the kiosk's own clock and health
    ("POST", "/sync/audit"),  # the kiosk's own supervisor actions
    ("GET", "/keys"),  # issuing keys sign every event's tickets
    ("POST", "/tickets/hold"),  # public: any buyer, for any event on sale
    ("POST", "/tickets/purchase"),  # public: whoever holds the hold's token
    ("POST", "/tickets/quote"),  # public: whoever holds the hold's token
    ("GET", "/shop/events/{event_id}/seat-map"),  # public: seat statuses of events on sale
    ("POST", "/shop/waitlist"),  # public: anyone may wait for any event on sale
    ("GET", "/shop/waitlist/{token}"),  # public: the place's own token is the claim
    ("DELETE", "/shop/waitlist/{token}"),
    ("POST", "/shop/events/{event_id}/queue"),  # public: anyone may queue
    ("GET", "/shop/queue/{ticket}"),  # public: the signed queue ticket is the claim
    ("DELETE", "/shop/queue/{ticket}"),
}


def _device_may_call(route: tuple[str, str]) -> bool:
    failures, device_ok, _, _ = MATRIX[route]
    return "device" not in failures and device_ok != 0


def _b_scan(enrolled: Enrolled, ticket: dict[str, Any], event_id: int | None) -> dict[str, Any]:
    body = _scan(enrolled)
    body["scans"][0].update(ticket_id=ticket["ticket_id"], event_id=event_id)
    return body


def test_the_cross_event_axis_covers_every_route_a_device_may_call() -> None:
    callable_routes = {route for route in MATRIX if _device_may_call(route)}
    assert callable_routes - NOT_EVENT_SCOPED == set(CROSS_EVENT)


def _events_listed(enrolled: Enrolled, b: Any) -> None:
    with enrolled.device() as device:
        listed = {e["id"] for e in device.get("/events").json()}
    assert b.event_id not in listed


def _event_read(enrolled: Enrolled, b: Any) -> None:
    with enrolled.device() as device:
        for path in (f"/events/{b.event_id}", f"/events/{b.event_id}/ticket-types"):
            response = device.get(path)
            assert response.status_code == 403, path
            assert set(response.json()) == {"detail"}


def _validated(enrolled: Enrolled, b: Any) -> None:
    guest = b.by_type("VIP")[0]
    with enrolled.device() as device:
        answer = device.post("/validate/scan", json={"code": guest["code"]}).json()
    assert answer["kind"] == "wrong_event"
    assert (answer["holder_name"], answer["ticket_id"], answer["seat"]) == (None, None, None)


def _manifest(enrolled: Enrolled, b: Any) -> None:
    from tests.server.test_sync_routes import pull_all

    with enrolled.device() as device:
        changes = pull_all(device)
    assert b.event_id not in {c["event_id"] for c in changes}


def _pushed(enrolled: Enrolled, b: Any) -> None:
    guest = b.by_type("GA")[0]
    with enrolled.device() as device:
        for claimed in (b.event_id, enrolled.event_id, None):
            acks = device.post("/sync/scans", json=_b_scan(enrolled, guest, claimed)).json()
            assert [a["status"] for a in acks["acks"]] == ["rejected"], claimed


CROSS_EVENT: dict[tuple[str, str], Callable[[Enrolled, Any], None]] = {
    ("GET", "/events"): _events_listed,
    ("GET", "/events/{event_id}"): _event_read,
    ("GET", "/events/{event_id}/ticket-types"): _event_read,
    ("POST", "/validate/scan"): _validated,
    ("GET", "/sync/manifest"): _manifest,
    ("POST", "/sync/scans"): _pushed,
}


@pytest.mark.parametrize("route", sorted(CROSS_EVENT), ids=lambda r: f"{r[0]} {r[1]}")
def test_a_device_of_one_event_gets_nothing_of_another(
    enrolled: Enrolled, route: tuple[str, str]
) -> None:
    from ui.demo.seed import seed_demo

    with enrolled.server.admin() as admin:
        other = seed_demo(admin, general=3, name="Event B")
    CROSS_EVENT[route](enrolled, other)
