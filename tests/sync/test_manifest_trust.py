"""A kiosk trusts only manifest pages the organiser's server signed for it, fresh and in
order.  Between the kiosk and a real server sits a tampering proxy (an httpx transport
at the network edge) that adds a key, drops a revocation, replays an old page or
withholds pages; each is refused and reported, and the kiosk keeps scanning with the
list it had."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner import Gate, Mode, TicketStatus, preset
from scanner.keys import public_raw
from scanner.ticket import key_id_of
from scanner.verdict import VerdictKind
from sync.client import ManifestRefusedError, OfflineError, RetryPolicy, SyncClient
from sync.config import ServerConfig
from tests.live_server import ServerProcess, running_server
from tests.sync.conftest import Kiosk, World

Tamper = Callable[[dict[str, Any], httpx.Request], dict[str, Any] | None]


class TamperingProxy(httpx.BaseTransport):
    """Forwards to the real server; rewrites manifest pages with ``tamper`` (which may
    return None to drop the connection), and remembers every page it saw."""

    def __init__(self, server: ServerProcess, tamper: Tamper | None = None) -> None:
        self.inner = httpx.HTTPTransport(verify=server.verify)
        self.tamper = tamper
        self.pages: list[httpx.Response] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not request.url.path.endswith("/sync/manifest"):
            return response
        content = response.read()
        self.pages.append(httpx.Response(200, headers=response.headers, content=content))
        if self.tamper is None:
            return httpx.Response(response.status_code, headers=response.headers, content=content)
        page = self.tamper(json.loads(content), request)
        if page is None:
            raise httpx.RemoteProtocolError("connection dropped by the proxy", request=request)
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(200, headers=headers, content=json.dumps(page).encode())


class Serves(httpx.BaseTransport):
    """Answers every manifest request with one recorded ``page``: a replay, or a page
    taken from another kiosk's line; everything else goes on through ``rest``."""

    def __init__(self, page: httpx.Response, rest: httpx.BaseTransport) -> None:
        self.page = page
        self.rest = rest

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sync/manifest"):
            return httpx.Response(200, headers=self.page.headers, content=self.page.content)
        return self.rest.handle_request(request)


def through(kiosk: Kiosk, proxy: httpx.BaseTransport) -> SyncClient:
    return SyncClient(kiosk.store, retry=RetryPolicy(attempts=1, initial=0.01), transport=proxy)


@pytest.fixture
def refunded(world: World) -> tuple[Kiosk, str]:
    """An enrolled kiosk and a ticket refunded after its last pull."""
    kiosk = world.kiosk("North Gate")
    ticket = world.tickets()[0]["ticket_id"]
    with world.admin() as admin:
        assert admin.post(f"/tickets/{ticket}/refund").status_code == 200
    return kiosk, ticket


def evil_key_change(page: dict[str, Any]) -> dict[str, Any]:
    evil = Ed25519PrivateKey.generate().public_key()
    return {
        "seq": page["cursor"] + 1,
        "kind": "key",
        "event_id": None,
        "data": {
            "kid": key_id_of(evil),
            "public_key_hex": public_raw(evil).hex(),
            "retired": False,
        },
    }


def assert_refused_and_unchanged(kiosk: Kiosk, client: SyncClient, ticket: str, why: str) -> None:
    keys_before = set(kiosk.store.keyring())
    with pytest.raises(ManifestRefusedError, match=why):
        client.pull()
    assert set(kiosk.store.keyring()) == keys_before
    assert kiosk.store.get_revocation(ticket) is None
    assert why in client.status().trust_problem


def test_a_key_added_in_transit_is_refused(refunded: tuple[Kiosk, str], world: World) -> None:
    kiosk, ticket = refunded

    def add_key(page: dict[str, Any], _: httpx.Request) -> dict[str, Any]:
        page["changes"].append(evil_key_change(page))
        page["cursor"] += 1
        return page

    assert_refused_and_unchanged(
        kiosk, through(kiosk, TamperingProxy(world.server, add_key)), ticket, "tampered"
    )


def test_a_revocation_dropped_in_transit_is_refused(
    refunded: tuple[Kiosk, str], world: World
) -> None:
    kiosk, ticket = refunded

    def drop_revocation(page: dict[str, Any], _: httpx.Request) -> dict[str, Any]:
        page["changes"] = [c for c in page["changes"] if c["kind"] != "revocation"]
        return page

    client = through(kiosk, TamperingProxy(world.server, drop_revocation))
    assert_refused_and_unchanged(kiosk, client, ticket, "tampered")
    # The honest path applies it; the refusal is cleared.
    honest = through(kiosk, TamperingProxy(world.server))
    honest.pull()
    revocation = kiosk.store.get_revocation(ticket)
    assert revocation is not None
    assert revocation.reason is TicketStatus.REFUNDED
    assert honest.status().trust_problem == ""


def test_an_old_page_replayed_for_a_new_cursor_is_refused(world: World, tmp_path: Path) -> None:
    kiosk = world.kiosk("South Gate")
    recorder = TamperingProxy(world.server)
    client = through(kiosk, recorder)
    client.pull()  # an empty page for the current cursor, recorded by the proxy
    old = recorder.pages[-1]
    ticket = world.tickets()[1]["ticket_id"]
    with world.admin() as admin:
        assert admin.post(f"/tickets/{ticket}/refund").status_code == 200
    client.pull()  # the kiosk moves on past the refund
    assert kiosk.store.get_revocation(ticket) is not None

    with pytest.raises(ManifestRefusedError, match="rollback"):
        through(kiosk, Serves(old, recorder)).pull()


def test_a_page_made_for_another_kiosk_is_refused(world: World) -> None:
    east, west = world.kiosk("East Gate"), world.kiosk("West Gate")
    recorder = TamperingProxy(world.server)
    through(west, recorder).pull()
    west_page = recorder.pages[-1]

    with pytest.raises(ManifestRefusedError, match="another kiosk"):
        through(east, Serves(west_page, recorder)).pull()


def test_withheld_pages_leave_the_kiosk_scanning_and_saying_so(
    refunded: tuple[Kiosk, str], world: World
) -> None:
    kiosk, ticket = refunded
    client = through(kiosk, TamperingProxy(world.server, lambda page, request: None))
    with pytest.raises(OfflineError):
        client.pull()
    assert kiosk.store.get_revocation(ticket) is None  # not known: not applied
    gate = Gate(kiosk.store, preset(Mode.ENTRY), gate_name="North Gate")
    from datetime import UTC, datetime

    assert gate.scan("garbage", datetime.now(UTC)).kind is VerdictKind.INVALID  # still scanning


def test_an_expired_page_is_refused_as_a_freeze(tmp_path: Path) -> None:
    """A server whose pages live for no time at all: every page is already stale, as a
    page held back and served later would be."""
    from scanner import Store
    from ui.demo.seed import enrol_code, seed_demo

    with running_server(
        f"sqlite:///{tmp_path / 'server.db'}", tmp_path, manifest_page_seconds="0"
    ) as server:
        with server.admin() as admin:
            demo = seed_demo(admin, general=3)
            code = enrol_code(admin, demo.event_id, "Frozen Gate")
        with Store.open(tmp_path / "kiosk.db") as store:
            client = SyncClient(store, retry=RetryPolicy(attempts=1, initial=0.01))
            with pytest.raises(ManifestRefusedError, match="freeze"):
                client.enrol(server.url, code)
            assert store.ticket_count() == 0
            assert "expired" in client.status().trust_problem
    assert ServerConfig().manifest_page_seconds == 900
