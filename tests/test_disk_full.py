"""A full disk: the kiosk admits no one it cannot record and says so in red; the
server answers a clear 507 and loses no scan it acknowledged."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from scanner import Gate, Mode, Store, Tone, preset, sign
from scanner.verdict import VerdictKind
from tests.conftest import EVENT, make_claims, record_for
from tests.live_server import running_server
from tests.small_disk import fill, small_disk


def test_a_kiosk_with_a_full_disk_admits_no_one_and_says_storage_full(tmp_path: Path) -> None:
    from scanner.keys import new_private_key
    from ui.presentation import COLOURS, view_of

    key = new_private_key()
    now = datetime.now(UTC)
    with small_disk(tmp_path / "disk", 8) as disk, Store.open(disk / "kiosk.db") as store:
        store.upsert_events([EVENT])
        store.add_public_key(key.public_key())
        claims = [
            make_claims(valid_from=now - timedelta(hours=1), valid_until=now + timedelta(hours=5))
            for _ in range(3)
        ]
        store.upsert_tickets(record_for(c) for c in claims)
        gate = Gate(store, preset(Mode.ENTRY), gate_name="Gate 1")
        assert gate.scan(sign(claims[0], key), now).kind is VerdictKind.ADMITTED
        filler = fill(disk)
        refused = [gate.scan(sign(claims[1], key), now) for _ in range(20)]
        assert {v.kind for v in refused} == {VerdictKind.NOT_RECORDED}
        view = view_of(refused[0])
        assert (view.title, view.colour) == ("STORAGE FULL", COLOURS[Tone.REJECT])
        assert "let no one in" in view.detail
        assert store.scans_for_ticket(claims[1].ticket_hex) == []  # no phantom admit
        filler.unlink()
        again = gate.scan(sign(claims[1], key), now)
        assert again.kind is VerdictKind.ADMITTED
        assert [s.verdict for s in store.scans_for_ticket(claims[1].ticket_hex)] == ["admitted"]
        assert store.integrity_ok()


def test_a_server_with_a_full_disk_answers_507_and_keeps_what_it_acknowledged(
    tmp_path: Path,
) -> None:
    from ui.demo.seed import enrol_code, seed_demo

    with (
        small_disk(tmp_path / "disk", 24) as disk,
        running_server(f"sqlite:///{disk / 'server.db'}", tmp_path, tls=False) as server,
    ):
        with server.admin() as admin:
            demo = seed_demo(admin, general=20)
            code = enrol_code(admin, demo.event_id, "Gate F")
        with httpx.Client(base_url=server.api, timeout=30) as anonymous:
            token = anonymous.post(
                "/devices/enrol", json={"code": code, "device_id": "kiosk-full"}
            ).json()["token"]
        device = httpx.Client(
            base_url=server.api, timeout=30, headers={"Authorization": f"Bearer {token}"}
        )

        def batch() -> list[dict[str, object]]:
            return [
                {
                    "scan_id": uuid.uuid4().hex,
                    "device_id": "kiosk-full",
                    "gate": "Gate F" * 16,
                    "zone": "main",
                    "direction": "in",
                    "scanned_at": datetime.now(UTC).isoformat(),
                    "verdict": "invalid",
                    "reason": "x" * 200,
                }
                for _ in range(200)
            ]

        acknowledged: set[str] = set()
        fill(disk, leave=256 * 1024)
        statuses = []
        for _ in range(40):
            scans = batch()
            answer = device.post("/sync/scans", json={"scans": scans})
            statuses.append(answer.status_code)
            if answer.status_code == 200:
                acknowledged |= {a["scan_id"] for a in answer.json()["acks"]}
            else:
                break
        assert statuses[-1] == 507
        assert "disk is full" in answer.json()["detail"]
        (disk / "filler").unlink()
        assert device.get("/sync/manifest-key").status_code == 200
        stored = _stored_scan_ids(disk / "server.db")
        assert acknowledged <= stored  # nothing acknowledged was lost
        device.close()


def _stored_scan_ids(path: Path) -> set[str]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT scan_id FROM scans")}
