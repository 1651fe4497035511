"""A guest's ticket page behind an unguessable link: what it shows, what it never
leaks, and giving the ticket to a friend.  A real server on loopback, both databases."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx

from sync.server.delivery.links import link_secret, ticket_token
from sync.server.services import outbox
from tests.server.conftest import ServerHandle
from ui.demo.seed import seed_demo


def guest(server: ServerHandle) -> httpx.Client:
    """A browser-like client with no credentials, at the server's root."""
    return httpx.Client(base_url=server.url, timeout=30, follow_redirects=False)


def page_path(server: ServerHandle, ticket_id: str) -> str:
    keys = Path(server.app.state.admitone.keys_dir)
    return f"/t/{ticket_token(link_secret(keys), ticket_id)}"


def test_the_page_shows_the_ticket_and_keeps_its_link_to_itself(server: ServerHandle) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=1)
    vip = demo.by_type("VIP")[0]
    with guest(server) as anyone:
        page = anyone.get(page_path(server, vip["ticket_id"]), headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "noindex" in page.headers["x-robots-tag"]
    html = page.text
    assert "<svg" in html
    assert "Show this code at the entrance" in html
    assert vip["ticket_id"] in html
    assert ">A<" in html
    assert ">1<" in html
    assert "Accessible seat" in html
    assert "Give this ticket to a friend" in html
    assert vip["code"] not in html  # the code is drawn, not written out


def test_a_link_that_was_not_made_here_finds_nothing(server: ServerHandle) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=1)
    good = page_path(server, demo.tickets[0]["ticket_id"])
    other = demo.tickets[1]["ticket_id"]
    mac = good.rsplit(".", 1)[1]
    with guest(server) as anyone:
        for path in (
            f"/t/{other}.{mac}",  # another ticket with this ticket's MAC
            good[:-2] + ("AA" if not good.endswith("AA") else "BB"),  # a tampered MAC
            f"/t/{other}",  # no MAC at all
            "/t/" + "x" * 500,
        ):
            response = anyone.get(path)
            assert response.status_code == 404, path
            assert "This ticket link is not valid" in response.text


def test_giving_the_ticket_to_a_friend_revokes_the_old_code_and_mails_the_new(
    server: ServerHandle,
) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=1)
    ticket = demo.by_type("GA")[0]
    path = page_path(server, ticket["ticket_id"])
    state = server.app.state.admitone
    with guest(server) as anyone:
        unsure = anyone.post(f"{path}/transfer", data={"name": "Budi", "email": "budi@example.org"})
        assert unsure.status_code == 422
        assert "Tick the box" in unsure.text
        bad = anyone.post(
            f"{path}/transfer",
            data={"name": "Budi", "email": "not-an-address", "understand": "yes"},
        )
        assert bad.status_code == 422
        assert "e-mail address" in bad.text
        assert 'value="Budi"' in bad.text  # what was typed is kept
        given = anyone.post(
            f"{path}/transfer",
            data={"name": "Budi Santoso", "email": "budi@example.org", "understand": "yes"},
        )
        assert given.status_code == 303
        new_path = given.headers["location"].split("?")[0]
        assert new_path != path
        new_page = anyone.get(given.headers["location"])
        assert "Budi Santoso" in new_page.text
        assert "it is on its way to them by e-mail" in new_page.text
        old_page = anyone.get(path)
        assert "given to someone else" in old_page.text
        assert "<svg" not in old_page.text
        assert "<form" not in old_page.text
        again = anyone.post(
            f"{path}/transfer",
            data={"name": "Eve", "email": "eve@example.org", "understand": "yes"},
        )
        assert again.status_code == 409
    with server.admin() as admin:
        old = admin.get(f"/tickets/{ticket['ticket_id']}").json()
        assert old["status"] == "transferred"
        new = admin.get(f"/tickets/{old['replaced_by']}").json()
        assert (new["status"], new["holder_name"]) == ("valid", "Budi Santoso")
    mails = outbox.order_mail(state, ticket["order_id"])
    assert [(m.recipient, m.status) for m in mails] == [("budi@example.org", "pending")]


def test_a_huge_or_malformed_transfer_form_changes_nothing(server: ServerHandle) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=1)
    ticket = demo.by_type("GA")[0]
    path = page_path(server, ticket["ticket_id"])
    with guest(server) as anyone:
        huge = anyone.post(f"{path}/transfer", content=b"name=" + b"x" * 10_000)
        assert huge.status_code == 413
        garbage = anyone.post(f"{path}/transfer", content=b"\xff\xfe%%%&&&=")
        assert garbage.status_code == 422  # no confirmation box: nothing happens
    with server.admin() as admin:
        assert admin.get(f"/tickets/{ticket['ticket_id']}").json()["status"] == "valid"


def _secret_of(keys: str, start: Any) -> bytes:
    start.wait(30)
    return link_secret(Path(keys))


def test_worker_processes_starting_at_once_share_one_whole_link_secret(tmp_path: Path) -> None:
    """Eight processes ask for the secret at the same instant on a fresh keys folder
    (uvicorn's workers starting): all get the same 32 bytes, never a half-written file,
    and no draft is left behind."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    keys = tmp_path / "keys"
    spawn = multiprocessing.get_context("spawn")  # (forking a threaded test process may hang)
    with spawn.Manager() as manager:
        start = manager.Barrier(8)
        with ProcessPoolExecutor(8, mp_context=spawn) as pool:
            secrets_seen = list(pool.map(_secret_of, [str(keys)] * 8, [start] * 8))
    assert len(secrets_seen[0]) == 32
    assert set(secrets_seen) == {secrets_seen[0]}
    assert [p.name for p in keys.iterdir()] == ["ticket-links.key"]
    assert oct(os.stat(keys / "ticket-links.key").st_mode & 0o777) == "0o600"
