"""Organiser API against a real server on loopback, on SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import cv2
import httpx
import numpy as np
from alembic import command

from scanner import Keyring, verify
from scanner.decode import make_decoder
from scanner.keys import public_from_raw
from sync.server.migrate import alembic_config, upgrade
from tests.server.conftest import Enrolled, ServerHandle, enrol_device
from tests.server.test_sync_routes import scan
from ui.demo.seed import seed_demo

ADMITONE = str(Path(sys.executable).with_name("admitone"))


def server_keyring(server: ServerHandle) -> Keyring:
    with server.admin() as admin:
        keys = admin.get("/keys").json()
    return Keyring({k["kid"]: public_from_raw(bytes.fromhex(k["public_key_hex"])) for k in keys})


def test_seeded_catalogue_issues_genuine_tickets_with_seats(server: ServerHandle) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=5)
        assert len(demo.tickets) == 11
        vip = demo.by_type("VIP")[0]
        assert (vip["section"], vip["row"], vip["number"], vip["accessible"]) == ("A", "1", 1, True)
        result = verify(vip["code"], server_keyring(server))
        assert result.claims is not None
        assert result.claims.event_id == demo.event_id
        assert result.claims.zones == frozenset({"main", "vip"})
        assert str(result.claims.seat) == "A/1/1"
        assert result.claims.valid_from is not None

        availability = admin.get(f"/events/{demo.event_id}/availability").json()
        assert availability["sold"] == 11
        assert availability["by_type"] == {"GA": 5, "VIP": 6}
        section_a = next(s for s in availability["by_section"] if s["section"] == "A")
        assert (section_a["capacity"], section_a["sold"], section_a["remaining"]) == (30, 6, 24)
        seat_map = admin.get(f"/events/{demo.event_id}/seat-map").json()
        statuses = [s["status"] for sec in seat_map["sections"] for s in sec["seats"]]
        assert statuses.count("sold") == 6


def test_a_sold_seat_cannot_be_sold_again(server: ServerHandle) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=0)
        seat_map = admin.get(f"/events/{demo.event_id}/seat-map").json()
        sold = next(
            s for sec in seat_map["sections"] for s in sec["seats"] if s["status"] == "sold"
        )
        response = admin.post(
            "/orders",
            json={
                "event_id": demo.event_id,
                "buyer_name": "Late",
                "items": [{"ticket_type": "VIP", "seat_id": sold["id"]}],
            },
        )
        assert response.status_code == 409
        assert response.json()["detail"] == f"seat {sold['id']} is already sold"


def test_order_tickets_come_with_decodable_qr_images(server: ServerHandle) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=2)
        qrs = admin.get(f"/orders/{demo.order_id}/tickets").json()
        assert len(qrs) == 8
        image = cv2.imdecode(
            np.frombuffer(base64.b64decode(qrs[0]["qr_png_base64"]), np.uint8), cv2.IMREAD_COLOR
        )
        assert image is not None
        assert [c.text for c in make_decoder("zxing").decode(image)] == [qrs[0]["code"]]
        png = admin.get(f"/tickets/{qrs[0]['ticket_id']}/qr.png")
        assert png.headers["content-type"] == "image/png"
        pages = [
            admin.get(
                f"/orders/{demo.order_id}/tickets", params={"limit": 3, "offset": offset}
            ).json()
            for offset in (0, 3, 6)
        ]
        assert [len(page) for page in pages] == [3, 3, 2]
        assert sorted(t["ticket_id"] for page in pages for t in page) == sorted(
            t["ticket_id"] for t in qrs
        )
        too_many = admin.get(f"/orders/{demo.order_id}/tickets", params={"limit": 501})
        assert too_many.status_code == 422
        orders = admin.get("/orders", params={"event_id": demo.event_id}).json()
        assert [(o["id"], o["ticket_count"]) for o in orders] == [(demo.order_id, 8)]


def test_transfer_revokes_the_old_code_and_issues_a_new_one(server: ServerHandle) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=1)
        old = demo.by_type("VIP")[0]
        new = admin.post(
            f"/tickets/{old['ticket_id']}/transfer", json={"holder_name": "Ann"}
        ).json()
        assert new["ticket_id"] != old["ticket_id"]
        assert (new["holder_name"], new["section"], new["row"], new["number"]) == (
            "Ann",
            old["section"],
            old["row"],
            old["number"],
        )
        again = admin.get(f"/tickets/{old['ticket_id']}").json()
        assert (again["status"], again["replaced_by"]) == ("transferred", new["ticket_id"])
        assert verify(new["code"], server_keyring(server)).genuine
        refused = admin.post(f"/tickets/{old['ticket_id']}/refund")
        assert refused.status_code == 409
        assert refused.json()["detail"] == f"ticket {old['ticket_id']} is already transferred"


def test_refund_revokes(server: ServerHandle) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=1)
        ticket = demo.by_type("GA")[0]
        refunded = admin.post(f"/tickets/{ticket['ticket_id']}/refund", json={"reason": "refunded"})
        assert refunded.json()["status"] == "refunded"
        assert admin.get(f"/tickets/{ticket['ticket_id']}/qr.png").status_code == 410


def test_online_validation_uses_the_gate_decision(server: ServerHandle) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=1)
        code = demo.by_type("GA")[0]["code"]
        first = admin.post("/validate/scan", json={"code": code}).json()
        assert (first["kind"], first["recorded"]) == ("admitted", False)  # admin: dry run
        assert admin.post("/validate/scan", json={"code": code, "mode": "vip"}).json()["kind"] == (
            "not_allowed_here"
        )
        assert admin.post("/validate/scan", json={"code": "garbage"}).json() == {
            "kind": "invalid",
            "reason": "bad_encoding",
            "ticket_id": None,
            "ticket_type": None,
            "holder_name": None,
            "seat": None,
            "accessible": False,
            "first_used_at": None,
            "first_used_gate": None,
            "scan_id": None,
            "recorded": False,
            "type_note": "",
        }


def test_key_rotation_keeps_old_tickets_valid_until_retired(server: ServerHandle) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=1)
        old_code = demo.by_type("GA")[0]["code"]
        old_kid = demo.by_type("GA")[0]["kid"]
        new_key = admin.post("/keys/rotate").json()
        assert new_key["kid"] != old_kid
        assert verify(old_code, server_keyring(server)).genuine
        order = admin.post(
            "/orders",
            json={"event_id": demo.event_id, "buyer_name": "B", "items": [{"ticket_type": "GA"}]},
        ).json()
        assert order["tickets"][0]["kid"] == new_key["kid"]
        assert admin.post(f"/keys/{new_key['kid']}/retire").status_code == 409
        retired = admin.post(f"/keys/{old_kid}/retire").json()
        assert retired["retired"] is True
        assert admin.post("/validate/scan", json={"code": old_code}).json()["kind"] == "unknown_key"


def test_malformed_bodies_get_422_with_the_field_named(server: ServerHandle) -> None:
    with server.admin() as admin:
        bad_zone = admin.post("/events", json={"name": "X", "timezone": "Mars/Olympus"})
        assert bad_zone.status_code == 422
        assert "is not an IANA time zone" in bad_zone.text
        truncated = admin.post(
            "/events", content=b'{"name": "X", "timez', headers={"content-type": "application/json"}
        )
        assert truncated.status_code == 422
        wrong_type = admin.post("/orders", json={"event_id": "one", "buyer_name": "x", "items": []})
        assert wrong_type.status_code == 422
        assert {tuple(e["loc"]) for e in wrong_type.json()["detail"]} >= {
            ("body", "event_id"),
            ("body", "items"),
        }
        event = admin.post("/events", json={"name": "Big"}).json()
        too_big = admin.post(
            "/orders",
            json={
                "event_id": event["id"],
                "buyer_name": "Bulk",
                "items": [{"ticket_type": "GA", "quantity": 6000}] * 2,
            },
        )
        assert too_big.status_code == 422
        assert "an order holds at most 10,000 tickets, this one 12,000" in too_big.text


def test_server_init_prints_a_token_once_and_stores_only_its_hash(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'srv.db'}"
    env = {**os.environ, "ADMITONE_SERVER_KEYS_DIR": str(tmp_path / "keys")}
    result = subprocess.run(
        [ADMITONE, "server", "init", "--database", url],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.split("store it safely): ")[1].split()[0]
    key_files = sorted(p.name for p in (tmp_path / "keys").glob("*.key"))
    # The issuing key, the manifest-signing key and the HTTPS certificate's key.
    assert len(key_files) == 3
    assert {"manifest.key", "tls.key"} <= set(key_files)
    assert all((tmp_path / "keys" / name).stat().st_mode & 0o777 == 0o600 for name in key_files)
    conn = sqlite3.connect(tmp_path / "srv.db")
    stored = [row[0] for row in conn.execute("SELECT token_hash FROM admin_tokens")]
    conn.close()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    missing = subprocess.run(
        [ADMITONE, "server", "enrol-code", "--database", url, "--event", "99", "--gate", "North"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert missing.returncode == 2
    assert missing.stderr.strip() == "Error: no event 99"


def test_server_refuses_fewer_than_one_worker_before_touching_the_database(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [ADMITONE, "server", "--database", f"sqlite:///{tmp_path / 'srv.db'}", "--workers", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "--workers must be at least 1" in result.stderr
    assert not (tmp_path / "srv.db").exists()


def test_enrol_code_cli_makes_a_code_a_kiosk_can_use(server: ServerHandle) -> None:
    if not server.database_url.startswith("sqlite"):
        return  # the CLI path is the same for both; once is enough
    with server.admin() as admin:
        demo = seed_demo(admin, general=0)
    result = subprocess.run(
        [
            ADMITONE,
            "server",
            "enrol-code",
            "--database",
            server.database_url,
            "--event",
            str(demo.event_id),
            "--gate",
            "North",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    code = result.stdout.strip()
    assert len(code) == 34  # the secret, then the server's fingerprint
    with server.client() as anonymous:
        enrolled = anonymous.post(
            "/devices/enrol", json={"code": code.lower(), "device_id": "kiosk-1"}
        )
    assert enrolled.status_code == 200
    assert (enrolled.json()["gate"], enrolled.json()["event_ids"]) == ("North", [demo.event_id])


def server_cli(
    server: ServerHandle, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``admitone server ACTION …`` on the test server's database, as an operator types it."""
    return subprocess.run(
        [ADMITONE, "server", *args, "--database", server.database_url],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def wait_until_refused(server: ServerHandle, token: str, path: str) -> None:
    """A token revoked from another process stops working within the server's token
    cache lifetime: poll, with a deadline, until it is refused."""
    deadline = time.monotonic() + 30
    with server.client(token) as client:
        while client.get(path).status_code != 401:
            assert time.monotonic() < deadline, "the revoked token kept working"
            time.sleep(0.1)  # polling a condition with a deadline


def test_devices_cli_lists_kiosks_and_revoke_device_locks_one_out(server: ServerHandle) -> None:
    if not server.database_url.startswith("sqlite"):
        return  # the CLI path is the same for both; once is enough

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return server_cli(server, *args)

    assert "no kiosks enrolled yet" in cli("devices").stdout
    with server.admin() as admin:
        demo = seed_demo(admin, general=0)
    token = enrol_device(server, demo.event_id, "kiosk-east", "East Gate")
    with server.client(token) as device:
        device.post("/sync/heartbeat", json={"client_time": "2030-01-01T00:00:00+00:00"})
    listed = cli("devices")
    assert listed.returncode == 0, listed.stderr
    header, row = listed.stdout.splitlines()
    assert header.split() == [
        "DEVICE",
        "GATE",
        "EVENTS",
        "LAST",
        "SEEN",
        "CLOCK",
        "QUARANTINED",
        "STATUS",
    ]
    assert row.split()[:4] == ["kiosk-east", "East", "Gate", str(demo.event_id)]
    assert row.split()[-1] == "enrolled"
    missing = cli("revoke-device", "kiosk-west")
    assert (missing.returncode, missing.stderr.strip()) == (
        2,
        "Error: no kiosk kiosk-west; GET /devices lists them",
    )
    revoked = cli("revoke-device", "kiosk-east")
    assert revoked.returncode == 0, revoked.stderr
    assert cli("devices").stdout.splitlines()[1].split()[-1] == "revoked"
    # The running server had the token cached; it stops within PRINCIPAL_TTL.
    wait_until_refused(server, token, "/sync/manifest")


def test_report_cli_shows_attendance_and_each_conflict_in_the_events_time_zone(
    server: ServerHandle,
) -> None:
    if not server.database_url.startswith("sqlite"):
        return  # the CLI path is the same for both; once is enough
    with server.admin() as admin:
        demo = seed_demo(admin, general=3, name="Harbour Nights")  # Asia/Jakarta, UTC+7
    ticket = demo.tickets[0]["ticket_id"]
    for device, gate, minute in (("kiosk-n", "North Gate", 0), ("kiosk-s", "South Gate", 5)):
        token = enrol_device(server, demo.event_id, device, gate)
        admit = scan(device, ticket, demo.event_id, minute, gate=gate)  # T0 is 12:00 UTC
        with server.client(token) as client:
            assert client.post("/sync/scans", json={"scans": [admit]}).status_code == 200

    def report(event_id: int) -> subprocess.CompletedProcess[str]:
        return server_cli(server, "report", "--event", str(event_id))

    result = report(demo.event_id)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Harbour Nights (event {demo.event_id}), times in Asia/Jakarta"
    assert lines[1] == "admitted 1, inside now 1, exits 0"
    assert "  North Gate: 1 admitted" in lines
    assert "  South Gate: 1 admitted" in lines
    assert "  19:00  2 admitted" in lines
    assert lines[-1] == (
        f"CONFLICT ticket {ticket} (main): admitted at North Gate 19:00:00 and at "
        "South Gate 19:05:00 with no exit between"
    )
    unknown = report(999)
    assert (unknown.returncode, unknown.stderr.strip()) == (2, "Error: no event 999")


def test_a_leaked_admin_token_can_be_listed_and_revoked_from_the_console(
    server: ServerHandle, tmp_path: Path
) -> None:
    if not server.database_url.startswith("sqlite"):
        return  # the CLI path is the same for both; once is enough
    env = {**os.environ, "ADMITONE_SERVER_KEYS_DIR": str(tmp_path / "keys")}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return server_cli(server, *args, env=env)

    made = cli("init", "--name", "ana-laptop")
    assert made.returncode == 0, made.stderr
    leaked = made.stdout.split("store it safely): ")[1].split()[0]
    with server.client(leaked) as client:
        assert client.get("/events").status_code == 200
    listed = cli("admin-tokens").stdout.splitlines()
    assert listed[0].split() == ["ID", "NAME", "CREATED"]
    (row,) = [line.split() for line in listed[1:] if line.split()[1] == "ana-laptop"]
    assert leaked not in "".join(listed)  # only hashes are kept; nothing to print
    missing = cli("revoke-admin", "9999")
    assert missing.returncode == 2
    assert "no admin token 9999" in missing.stderr
    revoked = cli("revoke-admin", row[0])
    assert revoked.returncode == 0, revoked.stderr
    assert "ana-laptop" not in cli("admin-tokens").stdout
    wait_until_refused(server, leaked, "/events")
    with server.admin() as admin:
        assert admin.get("/events").status_code == 200  # the other admin is untouched


def test_backup_copies_the_running_sqlite_database_and_never_overwrites(
    enrolled: Enrolled, tmp_path: Path
) -> None:
    server = enrolled.server
    if not server.database_url.startswith("sqlite"):
        refused = server_cli(server, "backup", str(tmp_path / "pg.db"))
        assert refused.returncode == 2
        assert "back it up with pg_dump" in refused.stderr
        return
    scans = [
        scan(enrolled.device_id, t["ticket_id"], enrolled.event_id, 0)
        for t in enrolled.tickets[:10]
    ]
    with enrolled.device() as device:
        assert device.post("/sync/scans", json={"scans": scans}).status_code == 200
    target = tmp_path / "backup" / "server-copy.db"
    target.parent.mkdir()
    made = server_cli(server, "backup", str(target))  # the server keeps running meanwhile
    assert made.returncode == 0, made.stderr
    assert "100% (" in made.stderr  # progress while it copies
    assert "the issuing keys are not in it" in made.stdout
    assert sorted(p.name for p in target.parent.iterdir()) == ["server-copy.db"]
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0] for row in copy.execute("SELECT scan_id FROM scans")}
    finally:
        copy.close()
    assert stored == {s["scan_id"] for s in scans}
    nowhere = server_cli(server, "backup", str(tmp_path / "no-such-folder" / "x.db"))
    assert (nowhere.returncode, nowhere.stderr.strip()) == (
        2,
        f"Error: there is no folder {tmp_path / 'no-such-folder'}; create it or choose another",
    )
    again = server_cli(server, "backup", str(target))
    assert again.returncode == 2
    assert again.stderr.strip() == (
        f"Error: {target} exists; a backup never overwrites, choose a new name"
    )


def test_console_actions_refuse_a_database_that_is_missing_empty_or_outdated(
    tmp_path: Path,
) -> None:
    def devices(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [ADMITONE, "server", "devices", "--database", f"sqlite:///{path}"],
            capture_output=True,
            text=True,
            timeout=120,
        )

    typo = devices(tmp_path / "sever.db")
    assert (typo.returncode, typo.stderr.strip()) == (
        2,
        f"Error: no database at {tmp_path / 'sever.db'}: pass the server's --database, "
        "or run 'admitone server init' first",
    )
    assert not (tmp_path / "sever.db").exists()  # a typo leaves no empty database behind
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert devices(empty).stderr.strip() == (
        "Error: the database has no AdmitOne tables: run 'admitone server init' first"
    )
    old = tmp_path / "old.db"
    upgrade(f"sqlite:///{old}")
    command.downgrade(alembic_config(f"sqlite:///{old}"), "0003")
    outdated = devices(old)
    assert outdated.returncode == 2
    assert outdated.stderr.strip().endswith("run 'admitone server migrate'")
    upgrade(f"sqlite:///{old}")
    current = devices(old)
    assert (current.returncode, current.stdout.split(";")[0]) == (0, "no kiosks enrolled yet")


def test_every_answer_says_how_long_the_server_took(server: ServerHandle) -> None:
    """``Server-Timing: app;dur=…`` on answers of every kind, refusals included (the
    drop benchmark splits its round trips with it)."""
    from sync.server.timing import server_ms

    with httpx.Client(base_url=server.url, timeout=30) as anyone:
        answers = [
            anyone.get("/healthz"),
            anyone.get("/api/v1/events"),  # 401: no token
            anyone.post("/api/v1/tickets/hold", content=b"x" * (65 * 1024)),  # 413
            anyone.get("/api/v1/no-such-route"),
        ]
    assert [a.status_code for a in answers] == [200, 401, 413, 404]
    took = [server_ms(a.headers) for a in answers]
    assert all(t is not None and 0 <= t < 60_000 for t in took), took
