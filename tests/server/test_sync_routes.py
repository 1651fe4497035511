"""Enrolment, manifest pull, scan push and heartbeat, through the real server."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.server.conftest import Enrolled, ServerHandle, enrol_device
from ui.demo.seed import enrol_code, seed_demo

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def scan(
    device_id: str,
    ticket_id: str | None,
    event_id: int,
    minute: int,
    *,
    verdict: str = "admitted",
    direction: str = "in",
    gate: str = "North Gate",
    scan_id: str | None = None,
) -> dict[str, Any]:
    return {
        "scan_id": scan_id or uuid.uuid4().hex,
        "ticket_id": ticket_id,
        "event_id": event_id,
        "device_id": device_id,
        "gate": gate,
        "zone": "main",
        "direction": direction,
        "scanned_at": (T0 + timedelta(minutes=minute)).isoformat(),
        "verdict": verdict,
    }


def pull_all(client: Any, limit: int = 5000) -> list[dict[str, Any]]:
    cursor, out = 0, []
    while True:
        page = client.get("/sync/manifest", params={"cursor": cursor, "limit": limit}).json()
        out += page["changes"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return out


def test_an_enrolment_code_works_once(server: ServerHandle) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=0)
        code = enrol_code(admin, demo.event_id, "South")
    with server.client() as anonymous:
        first = anonymous.post("/devices/enrol", json={"code": code, "device_id": "kiosk-s"})
        again = anonymous.post("/devices/enrol", json={"code": code, "device_id": "kiosk-t"})
    assert first.status_code == 200
    assert first.json()["event_ids"] == [demo.event_id]
    assert again.status_code == 401
    assert again.json()["detail"] == (
        "unknown, used or expired enrolment code; ask the organiser for a new one"
    )


def test_enrolment_attempts_are_rate_limited(server: ServerHandle) -> None:
    with server.client() as anonymous:
        statuses = [
            anonymous.post(
                "/devices/enrol", json={"code": f"WRONG-{n}", "device_id": "kiosk-x"}
            ).status_code
            for n in range(7)
        ]
        limited = anonymous.post("/devices/enrol", json={"code": "WRONG", "device_id": "kiosk-x"})
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429, 429]
    assert limited.headers["retry-after"] == "60"


def test_the_manifest_holds_the_devices_event_and_keys_in_pages(enrolled: Enrolled) -> None:
    server = enrolled.server
    with server.admin() as admin:
        other = seed_demo(admin, general=3, name="Other event")
    with enrolled.device() as device:
        changes = pull_all(device, limit=7)
    kinds = {c["kind"] for c in changes}
    assert kinds == {"event", "ticket_type", "ticket", "key"}
    ticket_ids = {c["data"]["ticket_id"] for c in changes if c["kind"] == "ticket"}
    assert ticket_ids == {t["ticket_id"] for t in enrolled.tickets}
    assert all(c["event_id"] in (None, enrolled.event_id) for c in changes)
    assert other.event_id not in {c["event_id"] for c in changes}
    seqs = [c["seq"] for c in changes]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)


def test_pushed_scans_are_acknowledged_one_by_one(enrolled: Enrolled) -> None:
    ticket = enrolled.tickets[0]["ticket_id"]
    mine = scan(enrolled.device_id, ticket, enrolled.event_id, 0)
    not_mine = scan("kiosk-south", ticket, enrolled.event_id, 1)
    other_event = scan(enrolled.device_id, None, 999, 2, verdict="wrong_event")
    with enrolled.device() as device:
        first = device.post("/sync/scans", json={"scans": [mine, not_mine, other_event]}).json()
        again = device.post("/sync/scans", json={"scans": [mine]}).json()
    assert [(a["scan_id"], a["status"]) for a in first["acks"]] == [
        (mine["scan_id"], "stored"),
        (not_mine["scan_id"], "rejected"),
        (other_event["scan_id"], "rejected"),
    ]
    assert first["acks"][1]["detail"] == (
        "scan belongs to device kiosk-south; a kiosk pushes only its own scans"
    )
    assert first["acks"][2]["detail"] == "this kiosk is not enrolled for event 999"
    assert again["acks"] == [{"scan_id": mine["scan_id"], "status": "duplicate", "detail": ""}]


def test_other_kiosks_scans_arrive_with_the_manifest_but_not_your_own(enrolled: Enrolled) -> None:
    server = enrolled.server
    south_token = enrol_device(server, enrolled.event_id, "kiosk-south", "South Gate")
    ticket = enrolled.tickets[0]["ticket_id"]
    north_scan = scan(enrolled.device_id, ticket, enrolled.event_id, 0)
    with enrolled.device() as north:
        north.post("/sync/scans", json={"scans": [north_scan]})
        own = [c for c in pull_all(north) if c["kind"] == "scan"]
    with server.client(south_token) as south:
        seen = [c for c in pull_all(south) if c["kind"] == "scan"]
    assert own == []
    assert [c["data"]["scan_id"] for c in seen] == [north_scan["scan_id"]]
    assert seen[0]["data"]["gate"] == "North Gate"


def test_heartbeat_measures_the_kiosk_clock_skew(enrolled: Enrolled) -> None:
    ahead = datetime.now(UTC) + timedelta(minutes=5)
    with enrolled.device() as device:
        answer = device.post("/sync/heartbeat", json={"client_time": ahead.isoformat()}).json()
    assert 290 < answer["skew_seconds"] < 310


def test_refund_reaches_the_manifest_as_a_revocation(enrolled: Enrolled) -> None:
    ticket = enrolled.tickets[0]["ticket_id"]
    with enrolled.server.admin() as admin:
        admin.post(f"/tickets/{ticket}/refund")
    with enrolled.device() as device:
        revocations = [c["data"] for c in pull_all(device) if c["kind"] == "revocation"]
    assert [(r["ticket_id"], r["reason"]) for r in revocations] == [(ticket, "refunded")]


def test_a_device_validating_online_records_its_scan(enrolled: Enrolled) -> None:
    code = enrolled.tickets[0]["code"]
    with enrolled.device() as device:
        first = device.post("/validate/scan", json={"code": code}).json()
        second = device.post("/validate/scan", json={"code": code}).json()
    assert (first["kind"], first["recorded"]) == ("admitted", True)
    # The demo event allows re-entry, so a second entry while inside needs an exit first.
    assert (second["kind"], second["first_used_gate"]) == ("needs_exit_first", "North Gate")


def test_organisers_see_each_kiosk_with_its_last_heartbeat_and_clock_skew(
    enrolled: Enrolled,
) -> None:
    server = enrolled.server
    enrol_device(server, enrolled.event_id, "kiosk-south", "South Gate")
    ahead = datetime.now(UTC) + timedelta(minutes=5)
    with enrolled.device() as device:
        device.post("/sync/heartbeat", json={"client_time": ahead.isoformat()})
    with server.admin() as admin:
        listed = {d["device_id"]: d for d in admin.get("/devices").json()}
    assert set(listed) == {"kiosk-north", "kiosk-south"}
    north, south = listed["kiosk-north"], listed["kiosk-south"]
    assert (north["gate"], north["event_ids"], north["revoked_at"]) == (
        "North Gate",
        [enrolled.event_id],
        None,
    )
    assert north["last_seen"] is not None
    assert 290 < north["clock_skew_seconds"] < 310
    assert (south["gate"], south["last_seen"], south["clock_skew_seconds"]) == (
        "South Gate",
        None,
        None,
    )


def test_a_revoked_kiosk_is_locked_out_at_once_and_stays_revoked(
    enrolled: Enrolled,
) -> None:
    server = enrolled.server
    south_token = enrol_device(server, enrolled.event_id, "kiosk-south", "South Gate")
    pushed = scan(enrolled.device_id, enrolled.tickets[0]["ticket_id"], enrolled.event_id, 0)
    with enrolled.device() as device:
        # The token is now in the server's short-lived cache: revoking must drop it.
        assert device.post("/sync/scans", json={"scans": [pushed]}).status_code == 200
    with server.admin() as admin:
        revoked = admin.post(f"/devices/{enrolled.device_id}/revoke")
        missing = admin.post("/devices/kiosk-nowhere/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no kiosk kiosk-nowhere; GET /devices lists them"
    later = scan(enrolled.device_id, enrolled.tickets[1]["ticket_id"], enrolled.event_id, 1)
    with enrolled.device() as device:
        refused = device.post("/sync/scans", json={"scans": [later]})
        pull = device.get("/sync/manifest")
    assert (refused.status_code, pull.status_code) == (401, 401)
    assert refused.json() == {
        "detail": "this kiosk was revoked by the organiser; ask for a new enrolment code"
    }
    with server.client(south_token) as south:
        seen = [c["data"]["scan_id"] for c in pull_all(south) if c["kind"] == "scan"]
    assert seen == [pushed["scan_id"]]  # what it pushed before stays; others carry on
    # Even a fresh code, even with its old token, cannot bring the revoked id back.
    with server.admin() as admin:
        code = enrol_code(admin, enrolled.event_id, "North Gate")
    with server.client(enrolled.token) as anonymous:
        again = anonymous.post(
            "/devices/enrol", json={"code": code, "device_id": enrolled.device_id}
        )
    assert again.status_code == 410
    with enrolled.device() as old:
        assert old.get("/sync/manifest").status_code == 401  # the old token stays dead
    with server.admin() as admin:
        listed = {d["device_id"]: d for d in admin.get("/devices").json()}
    assert listed[enrolled.device_id]["revoked_at"] is not None
    # The code is not spent: the kiosk enrols under a new id.
    fresh = enrol_device(server, enrolled.event_id, "kiosk-north-2", "North Gate", code=code)
    with server.client(fresh) as device:
        assert device.get("/sync/manifest").status_code == 200


def test_a_used_code_never_mints_a_token_again(enrolled: Enrolled) -> None:
    """Not for the kiosk it enrolled either: a used code plus a device id (which other
    kiosks' scans carry) used to replace the live kiosk's token and lock it out."""
    server = enrolled.server
    with server.admin() as admin:
        code = enrol_code(admin, enrolled.event_id, "East")
    with server.client() as anonymous:
        first = anonymous.post("/devices/enrol", json={"code": code, "device_id": "kiosk-east"})
        replay = anonymous.post("/devices/enrol", json={"code": code, "device_id": "kiosk-east"})
    assert first.status_code == 200
    assert replay.status_code == 401
    with server.client(first.json()["token"]) as east:
        assert east.get("/sync/manifest").status_code == 200  # the real kiosk carries on


def test_only_the_kiosk_itself_can_enrol_its_id_again(enrolled: Enrolled) -> None:
    server = enrolled.server
    with server.admin() as admin:
        other = seed_demo(admin, general=1, name="Second Night")
        code = enrol_code(admin, other.event_id, "North Gate")
    with server.client() as stranger:
        taken = stranger.post(
            "/devices/enrol", json={"code": code, "device_id": enrolled.device_id}
        )
    assert taken.status_code == 409
    with enrolled.device() as device:  # the live token still works
        assert device.get("/sync/manifest").status_code == 200
    with server.client(enrolled.token) as itself:
        again = itself.post("/devices/enrol", json={"code": code, "device_id": enrolled.device_id})
    assert again.status_code == 200
    assert sorted(again.json()["event_ids"]) == sorted([enrolled.event_id, other.event_id])
    with enrolled.device() as old:
        assert old.get("/sync/manifest").status_code == 401  # the new token replaced it
