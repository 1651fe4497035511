"""The console is safe to put on a venue's network: nothing without signing in, sessions
that cannot be fixed or kept, CSRF on every form, throttled guessing, roles that hold
for every action, and guests' names shown as text, never run as script."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from sync.server.console.web import console_routes
from sync.server.services import accounts, catalog
from sync.server.services.accounts import Role
from tests.server.conftest import ServerHandle
from tests.server.console_client import PASSWORD, Console, make_account, signed_in
from ui.demo.seed import seed_demo

HOSTILE = "<script>alert('pwned')</script> & \"Sari\""


@dataclass
class World:
    server: ServerHandle
    event_id: int
    order_id: int
    ticket_id: str
    device_id: str
    kid: str
    account_id: int


@pytest.fixture
def world(server: ServerHandle) -> World:
    with server.admin() as admin:
        demo = seed_demo(admin, general=3)
        order = admin.post(
            "/orders",
            json={
                "event_id": demo.event_id,
                "buyer_name": HOSTILE,
                "buyer_email": "hostile@example.org",
                "items": [{"ticket_type": "GA", "holder_name": HOSTILE}],
            },
        ).json()
        code = admin.post(f"/events/{demo.event_id}/enrol-codes", json={"gate": HOSTILE}).json()
        kid = admin.get("/keys").json()[0]["kid"]
    with server.client() as anonymous:
        enrolled = anonymous.post(
            "/devices/enrol", json={"code": code["code"], "device_id": "kiosk-safety"}
        )
        assert enrolled.status_code == 200
    other = accounts.create_account(
        server.app.state.admitone, "someone@example.org", PASSWORD, Role.DOOR_VIEWER
    )
    return World(
        server,
        demo.event_id,
        order["id"],
        order["tickets"][0]["ticket_id"],
        "kiosk-safety",
        kid,
        other.id,
    )


def _console_routes(_server: ServerHandle) -> Iterator[tuple[str, str]]:
    return console_routes()


def _fill(path: str, world: World) -> str:
    return (
        path.replace("{event_id}", str(world.event_id))
        .replace("{order_id}", str(world.order_id))
        .replace("{ticket_id}", world.ticket_id)
        .replace("{device_id}", world.device_id)
        .replace("{kid}", world.kid)
        .replace("{account_id}", str(world.account_id))
        .replace("{venue_id}", "1")
        .replace("{kind}", "scans")
        .replace("{action}", "refund")
    )


OPEN = {("GET", "/console/login"), ("POST", "/console/login"), ("GET", "/console/language")}
"""Reachable signed out: signing in, and choosing the language to sign in with."""


def test_no_console_page_is_reachable_without_signing_in(world: World) -> None:
    console = Console(world.server)
    seen = 0
    for method, path in _console_routes(world.server):
        if (method, path) in OPEN or path in ("/console", "/console/"):
            continue
        response = console.http.request(method, _fill(path, world), data={"csrf": "x"})
        assert response.status_code == 303, (method, path, response.status_code)
        assert response.headers["location"].startswith("/console/login?next="), (method, path)
        seen += 1
    assert seen >= 25  # every page and action of the console, not a handful


def test_a_session_is_a_fresh_http_only_lax_cookie_that_sign_out_ends(world: World) -> None:
    make_account(world.server, "owner@example.org", Role.OWNER)
    console = Console(world.server)
    console.http.cookies.set("admitone_session", "chosen-by-an-attacker", path="/console")
    response = console.login("owner@example.org")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/console" in cookie
    assert "Secure" not in cookie  # this test server is plain http; HTTPS: see below
    token = re.search(r"admitone_session=([^;]+)", cookie)
    assert token is not None
    assert token.group(1) != "chosen-by-an-attacker"  # no fixation: a new token
    fixed = Console(world.server)
    fixed.http.cookies.set("admitone_session", "chosen-by-an-attacker", path="/console")
    assert fixed.get("/console/events").status_code == 303  # the chosen value opens nothing
    console.http.cookies.set("admitone_session", token.group(1), path="/console")
    assert console.get("/console/events").status_code == 200
    assert console.post("/console/logout").status_code == 303
    stolen = Console(world.server)
    stolen.http.cookies.set("admitone_session", token.group(1), path="/console")
    assert stolen.get("/console/events").status_code == 303  # ended on the server, not only here


def test_sign_out_everywhere_ends_every_session_of_the_account(world: World) -> None:
    laptop = signed_in(world.server, Role.BOX_OFFICE, "box@example.org")
    phone = Console(world.server)
    assert phone.login("box@example.org").status_code == 303
    assert phone.get("/console/events").status_code == 200
    assert laptop.post("/console/logout-everywhere").status_code == 303
    assert phone.get("/console/events").status_code == 303
    assert laptop.get("/console/events").status_code == 303


def test_guessing_passwords_is_throttled_per_account(world: World) -> None:
    make_account(world.server, "target@example.org", Role.OWNER)
    make_account(world.server, "bystander@example.org", Role.OWNER)
    guesser = Console(world.server)
    for attempt in range(accounts.FAILURES_PER_EMAIL):
        wrong = guesser.login("target@example.org", f"guess number {attempt}")
        assert wrong.status_code == 401
        assert "wrong e-mail or password" in wrong.text
    # Now even the right password waits: the guesser cannot tell it was right.
    blocked = guesser.login("target@example.org")
    assert blocked.status_code == 429
    assert "wait 15 minutes" in blocked.text
    assert Console(world.server).login("bystander@example.org").status_code == 303
    # An unknown e-mail reads exactly like a wrong password.
    unknown = Console(world.server).login("nobody@example.org", "whatever it is")
    assert unknown.status_code == 401
    assert "wrong e-mail or password" in unknown.text


def test_every_form_needs_this_sessions_csrf_token(world: World) -> None:
    owner = signed_in(world.server, Role.OWNER, "owner@example.org")
    other = signed_in(world.server, Role.OWNER, "owner2@example.org")
    venue = {"name": "Forged Hall"}
    assert owner.post("/console/venues", venue, csrf=False).status_code == 403
    assert owner.post("/console/venues", {**venue, "csrf": "not-the-token"}).status_code == 403
    # Another session's token is not this session's.
    assert owner.post("/console/venues", {**venue, "csrf": other.csrf()}).status_code == 403
    state = world.server.app.state.admitone
    assert "Forged Hall" not in [v.name for v in catalog.list_venues(state)]  # nothing made
    assert owner.post("/console/venues", venue).status_code == 303
    assert "Forged Hall" in [v.name for v in catalog.list_venues(state)]


# (method, path, form, the least role allowed)
ACTIONS: list[tuple[str, str, dict[str, str], Role | None]] = [
    ("POST", "/console/logout", {}, None),
    ("POST", "/console/logout-everywhere", {}, None),
    ("POST", "/console/password", {"current": "x", "new": "y"}, None),
    ("POST", "/console/accounts", {"email": "n@example.org", "role": "owner"}, Role.OWNER),
    ("POST", "/console/accounts/{account_id}", {"action": "disable"}, Role.OWNER),
    ("POST", "/console/events/new", {"name": "E"}, Role.OWNER),
    ("POST", "/console/events/{event_id}/edit", {"name": "E"}, Role.OWNER),
    ("POST", "/console/events/{event_id}/ticket-types", {"code": "X"}, Role.OWNER),
    ("POST", "/console/venues", {"name": "V"}, Role.OWNER),
    ("POST", "/console/venues/{venue_id}/sections", {"name": "S"}, Role.OWNER),
    ("POST", "/console/events/{event_id}/orders", {"ticket_type": "GA"}, Role.BOX_OFFICE),
    ("POST", "/console/orders/{order_id}/more", {"ticket_type": "GA"}, Role.BOX_OFFICE),
    ("POST", "/console/orders/{order_id}/resend", {}, Role.BOX_OFFICE),
    ("POST", "/console/orders/{order_id}/paid", {}, Role.BOX_OFFICE),
    ("POST", "/console/events/{event_id}/box-office", {"ticket_type": "GA"}, Role.BOX_OFFICE),
    ("POST", "/console/events/{event_id}/promo-codes", {"code": "X"}, Role.OWNER),
    ("POST", "/console/events/{event_id}/tier-prices", {"tier": "x"}, Role.OWNER),
    ("GET", "/console/events/{event_id}/sales.csv", {}, Role.BOX_OFFICE),
    ("POST", "/console/tickets/{ticket_id}/{action}", {"note": "a reason"}, Role.BOX_OFFICE),
    ("POST", "/console/kiosks/enrol-code", {"gate": "G"}, Role.OWNER),
    ("POST", "/console/kiosks/{device_id}/revoke", {}, Role.OWNER),
    ("POST", "/console/keys/rotate", {}, Role.OWNER),
    ("POST", "/console/keys/{kid}/retire", {}, Role.OWNER),
    ("GET", "/console/accounts", {}, Role.OWNER),
    ("GET", "/console/keys", {}, Role.OWNER),
    ("GET", "/console/events/new", {}, Role.OWNER),
    ("GET", "/console/events/{event_id}/edit", {}, Role.OWNER),
    ("GET", "/console/events/{event_id}/export/{kind}.csv", {}, Role.BOX_OFFICE),
]
RANK = {Role.DOOR_VIEWER: 0, Role.BOX_OFFICE: 1, Role.OWNER: 2}


def test_the_matrix_names_every_state_changing_action(world: World) -> None:
    named = {(m, p) for m, p, _, _ in ACTIONS}
    posts = {(m, p) for m, p in _console_routes(world.server) if m == "POST"}
    assert posts - {("POST", "/console/login")} <= named


@pytest.mark.parametrize("role", list(Role))
def test_each_role_does_only_what_it_may(world: World, role: Role) -> None:
    console = signed_in(world.server, role)
    for method, path, data, least in ACTIONS:
        if path in ("/console/logout", "/console/logout-everywhere"):
            continue  # they end the session the rest of this test needs
        url = _fill(path, world)
        response = console.get(url) if method == "GET" else console.post(url, data)
        allowed = least is None or RANK[role] >= RANK[least]
        if allowed:
            assert response.status_code != 403, (role, method, path)
        else:
            assert response.status_code == 403, (role, method, path, response.status_code)
            assert "cannot do this" in response.text
    # A door viewer changed nothing: the ticket is still valid, the kiosk enrolled.
    if role is Role.DOOR_VIEWER:
        with world.server.admin() as admin:
            assert admin.get(f"/tickets/{world.ticket_id}").json()["status"] == "valid"
            kiosks = admin.get("/devices").json()
            assert all(k["revoked_at"] is None for k in kiosks)


def test_a_hostile_name_is_shown_as_text_on_every_page(world: World) -> None:
    owner = signed_in(world.server, Role.OWNER)
    pages = [
        f"/console/events/{world.event_id}/tickets?q=pwned",
        f"/console/tickets/{world.ticket_id}",
        f"/console/orders/{world.order_id}",
        "/console/kiosks",
        f"/console/events/{world.event_id}/doors",
    ]
    for page in pages:
        response = owner.get(page)
        assert response.status_code == 200, page
        assert "<script>alert" not in response.text, page
    search = owner.get(pages[0]).text
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt; &amp; &#34;Sari&#34;" in search


def test_a_csv_cell_never_starts_a_formula(world: World) -> None:
    with world.server.admin() as admin:
        admin.post(
            "/orders",
            json={
                "event_id": world.event_id,
                "buyer_name": "b",
                "items": [{"ticket_type": "GA", "holder_name": '=HYPERLINK("http://x")'}],
            },
        )
    owner = signed_in(world.server, Role.OWNER)
    export = owner.get(f"/console/events/{world.event_id}/export/attendance.csv")
    assert export.status_code == 200
    holders = [row["holder_name"] for row in csv.DictReader(io.StringIO(export.text))]
    assert '\'=HYPERLINK("http://x")' in holders
    assert not any(h.startswith(("=", "+", "-", "@")) for h in holders)


def test_the_last_owner_cannot_be_disabled_and_a_disabled_account_cannot_sign_in(
    world: World,
) -> None:
    owner = signed_in(world.server, Role.OWNER, "only-owner@example.org")
    state = world.server.app.state.admitone
    me = next(a for a in accounts.list_accounts(state) if a.email == "only-owner@example.org")
    refused = owner.post(f"/console/accounts/{me.id}", {"action": "disable"})
    assert refused.status_code == 409
    assert "last owner" in refused.text
    viewer = Console(world.server)
    assert viewer.login("someone@example.org").status_code == 303
    assert (
        owner.post(f"/console/accounts/{world.account_id}", {"action": "disable"}).status_code
        == 303
    )
    assert viewer.get("/console/events").status_code == 303  # its session ended
    assert Console(world.server).login("someone@example.org").status_code == 401
