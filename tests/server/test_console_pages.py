"""What the console's pages say and do, through HTTP: the language, forms that name the
wrong field, seat rows from a range, finding tickets every way box office is asked,
a kiosk's audit log, and exports that match the database."""

from __future__ import annotations

import csv
import io
import os
import pty
import select
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sync.config import ServerConfig
from sync.server.services import accounts, catalog
from sync.server.services.accounts import Role
from sync.server.state import open_server_state
from tests.live_server import ADMITONE
from tests.server.conftest import Enrolled
from tests.server.console_client import Console, signed_in
from tests.server.test_sync_routes import scan


def test_the_language_follows_the_browser_until_the_person_picks_one(
    enrolled: Enrolled,
) -> None:
    console = signed_in(enrolled.server, Role.DOOR_VIEWER)
    english = console.get("/console/events", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "<h1>Events</h1>" in english.text
    assert 'lang="en"' in english.text
    indonesian = console.get("/console/events", headers={"Accept-Language": "id-ID,id;q=0.9"})
    assert "<h1>Acara</h1>" in indonesian.text
    assert 'lang="id"' in indonesian.text
    picked = console.get("/console/language?to=en&next=/console/events")
    assert picked.status_code == 303
    assert picked.headers["location"] == "/console/events"
    again = console.get("/console/events", headers={"Accept-Language": "id-ID"})
    assert "<h1>Events</h1>" in again.text  # the choice wins over the browser
    away = console.get("/console/language?to=id&next=https://evil.example/")
    assert away.headers["location"] == "/console/login"  # never off to another site


def test_a_form_names_the_field_that_is_wrong_and_keeps_what_was_typed(
    enrolled: Enrolled,
) -> None:
    owner = signed_in(enrolled.server, Role.OWNER)
    page = owner.post(
        "/console/events/new",
        {
            "name": "Fireworks <Night>",
            "timezone": "Mars/Olympus",
            "starts_at": "2026-12-31T21:00",
            "ends_at": "2026-12-31T20:00",
            "day_starts_at": "25:99",
        },
    )
    assert page.status_code == 422
    assert 'id="e-timezone"' in page.text
    assert "is not an IANA time zone" in page.text
    assert 'id="e-day_starts_at"' in page.text
    assert 'value="Fireworks &lt;Night&gt;"' in page.text
    fixed = owner.post(
        "/console/events/new",
        {
            "name": "Fireworks",
            "timezone": "Asia/Jakarta",
            "starts_at": "2026-12-31T21:00",
            "ends_at": "2027-01-01T01:00",
            "day_starts_at": "05:00",
            "allow_reentry": "on",
        },
    )
    assert fixed.status_code == 303
    event_id = int(fixed.headers["location"].rsplit("/", 1)[1])
    with enrolled.server.admin() as admin:
        event = admin.get(f"/events/{event_id}").json()
    assert event["starts_at"] == "2026-12-31T14:00:00Z"  # 21:00 in Jakarta
    assert event["day_starts_at"] == "05:00:00"
    assert event["allow_reentry"] is True


def test_a_section_of_rows_a_to_z_with_accessible_and_companion_seats(
    enrolled: Enrolled,
) -> None:
    owner = signed_in(enrolled.server, Role.OWNER)
    venue = owner.post("/console/venues", {"name": "Stadium"})
    venue_id = venue.headers["location"].rsplit("/", 1)[1]
    made = owner.post(
        f"/console/venues/{venue_id}/sections",
        {
            "name": "North",
            "kind": "seated",
            "rows": "A-Z",
            "seats_per_row": "30",
            "accessible": "a/1, A/2",
            "companion": "A/3",
        },
    )
    assert made.status_code == 303
    with enrolled.server.admin() as admin:
        (section,) = admin.get(f"/venues/{venue_id}/sections").json()
    assert (section["seat_count"], section["capacity"]) == (26 * 30, 26 * 30)
    page = owner.get(f"/console/venues/{venue_id}").text
    assert page.count('class="seat accessible"') == 2
    assert page.count('class="seat companion"') == 1
    wrong = owner.post(
        f"/console/venues/{venue_id}/sections",
        {"name": "South", "kind": "seated", "rows": "A-C", "seats_per_row": "0"},
    )
    assert wrong.status_code == 422
    assert 'id="e-seats_per_row"' in wrong.text


def test_box_office_finds_a_ticket_every_way_a_guest_describes_it(enrolled: Enrolled) -> None:
    box = signed_in(enrolled.server, Role.BOX_OFFICE)
    with enrolled.server.admin() as admin:
        order = admin.post(
            "/orders",
            json={
                "event_id": enrolled.event_id,
                "buyer_name": "Rina Kusuma",
                "buyer_email": "Rina@Example.org",
                "items": [{"ticket_type": "GA", "holder_name": "Made Wijaya Putra"}],
            },
        ).json()
        seated = next(t for t in enrolled.tickets if t.get("section"))
    ticket = order["tickets"][0]["ticket_id"]
    seat = f"{seated['section']}/{seated['row']}/{seated['number']}"
    for query, expected in (
        ("wijaya", ticket),  # part of the holder's name, any case
        ("RINA KUS", ticket),  # part of the buyer's name
        ("rina@example.org", ticket),  # the e-mail, any case
        (f"#{order['id']}", ticket),  # the order number
        (ticket[:8], ticket),  # the start of the ticket id
        (seat, seated["ticket_id"]),  # the seat
    ):
        page = box.get(f"/console/events/{enrolled.event_id}/tickets", params={"q": query})
        assert page.status_code == 200
        assert f"/console/tickets/{expected}" in page.text, query
    nothing = box.get(f"/console/events/{enrolled.event_id}/tickets", params={"q": "%_%"})
    assert "No ticket matches." in nothing.text  # LIKE's wildcards are plain text here


def test_a_kiosks_audit_log_shows_what_its_supervisors_did(enrolled: Enrolled) -> None:
    entries = [
        {
            "audit_id": uuid.uuid4().hex,
            "at": datetime.now(UTC).isoformat(),
            "actor": "supervisor",
            "action": action,
            "detail": detail,
        }
        for action, detail in (
            ("checkpoint", {"from": "entry", "to": "exit", "gate": "North Gate"}),
            ("override", {"reason": "lost wristband", "rejected": "already_used"}),
            ("pin_lockout", {"failures": 5}),
        )
    ]
    with enrolled.device() as device:
        assert device.post("/sync/audit", json={"entries": entries}).status_code == 200
    viewer = signed_in(enrolled.server, Role.DOOR_VIEWER)
    page = viewer.get(f"/console/kiosks/{enrolled.device_id}/audit").text
    for words in ("checkpoint", "to: exit", "override", "lost wristband", "pin_lockout"):
        assert words in page


def test_the_scan_and_conflict_exports_match_the_database(enrolled: Enrolled) -> None:
    ticket = enrolled.tickets[0]["ticket_id"]
    scans = [
        scan(enrolled.device_id, ticket, enrolled.event_id, 1),
        scan(enrolled.device_id, ticket, enrolled.event_id, 2, gate="South Gate"),
        scan(enrolled.device_id, None, enrolled.event_id, 3, verdict="invalid"),
    ]
    with enrolled.device() as device:
        assert device.post("/sync/scans", json={"scans": scans}).status_code == 200
    box = signed_in(enrolled.server, Role.BOX_OFFICE)
    exported = box.get(f"/console/events/{enrolled.event_id}/export/scans.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted(r["scan_id"] for r in rows) == sorted(s["scan_id"] for s in scans)
    conflicts = list(
        csv.DictReader(
            io.StringIO(box.get(f"/console/events/{enrolled.event_id}/export/conflicts.csv").text)
        )
    )
    with enrolled.server.admin() as admin:
        stored = admin.get(f"/events/{enrolled.event_id}/conflicts").json()
    assert [(c["ticket_id"], c["second_gate"]) for c in conflicts] == [
        (c["ticket_id"], c["second_gate"]) for c in stored
    ]
    assert conflicts[0]["second_gate"] == "South Gate"
    viewer = Console(enrolled.server)
    assert viewer.get(f"/console/events/{enrolled.event_id}/export/scans.csv").status_code == 303


def test_init_asks_for_the_first_owners_password_at_a_terminal(
    database_url: str, tmp_path: Path
) -> None:
    """At a terminal ``server init --owner`` asks twice and prints no password; the
    account then signs in with what was typed."""
    controller, terminal = pty.openpty()
    child = subprocess.Popen(
        [ADMITONE, "server", "init", "--database", database_url, "--owner", "me@example.org"],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "ADMITONE_SERVER_KEYS_DIR": str(tmp_path / "keys")},
        start_new_session=True,
    )
    os.close(terminal)
    assert child.stderr is not None
    asked = b""
    for prompt in (b"characters): ", b"the same again: "):
        # Each answer after its question: turning echo off flushes what was typed ahead.
        while prompt not in asked:
            ready, _, _ = select.select([child.stderr], [], [], 60)
            assert ready, asked
            chunk = os.read(child.stderr.fileno(), 1024)
            assert chunk, asked
            asked += chunk
        os.write(controller, b"typed at the terminal\n")
    out, err = child.communicate(timeout=120)
    os.close(controller)
    assert child.returncode == 0, err
    assert "console account me@example.org (owner) created" in out.decode()
    assert "one-time password" not in out.decode()
    config = ServerConfig(keys_dir=str(tmp_path / "keys"))
    state = open_server_state(config, database_url=database_url)
    try:
        token, user = accounts.login(state, "me@example.org", "typed at the terminal", client="t")
    finally:
        state.db.dispose()
    assert token
    assert user.role is Role.OWNER
    assert not user.must_change_password


def test_box_office_prints_tickets_in_its_language_and_a_door_viewer_cannot(
    enrolled: Enrolled,
) -> None:
    box = signed_in(enrolled.server, Role.BOX_OFFICE)
    viewer = signed_in(enrolled.server, Role.DOOR_VIEWER)
    ticket = next(t for t in enrolled.tickets if t.get("section"))["ticket_id"]
    page = box.get(f"/console/tickets/{ticket}")
    assert f"/console/tickets/{ticket}/ticket.pdf" in page.text
    pdf = box.get(f"/console/tickets/{ticket}/ticket.pdf", headers={"Accept-Language": "id"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert "attachment" in pdf.headers["content-disposition"]
    with enrolled.server.admin() as admin:
        order_id = admin.get(f"/tickets/{ticket}").json()["order_id"]
    assert box.get(f"/console/orders/{order_id}/tickets.pdf").status_code == 200
    assert (
        f"/console/tickets/{ticket}/ticket.pdf" not in viewer.get(f"/console/tickets/{ticket}").text
    )
    refused = viewer.get(f"/console/tickets/{ticket}/ticket.pdf")
    assert refused.status_code == 403
    assert viewer.get(f"/console/orders/{order_id}/tickets.pdf").status_code == 403


def test_a_venue_takes_its_location_and_refuses_one_off_the_globe(enrolled: Enrolled) -> None:
    owner = signed_in(enrolled.server, Role.OWNER)
    wrong = owner.post(
        "/console/venues", {"name": "Istora", "latitude": "200", "longitude": "106.8"}
    )
    assert wrong.status_code == 422
    assert 'id="e-latitude"' in wrong.text
    made = owner.post(
        "/console/venues", {"name": "Istora", "latitude": "-6.2183", "longitude": "106.802"}
    )
    assert made.status_code == 303
    state = enrolled.server.app.state.admitone
    venue = next(v for v in catalog.list_venues(state) if v.name == "Istora")
    assert (venue.latitude, venue.longitude) == (-6.2183, 106.802)
