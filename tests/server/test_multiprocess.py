"""Two server processes on one PostgreSQL database behave as one server."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

from sync.seed import enrol_code, seed_demo
from tests.live_server import ServerProcess
from tests.pg import PostgresCluster


def test_two_processes_share_tokens_scans_and_one_gapless_change_log(
    pg_cluster: PostgresCluster, tmp_path: Path
) -> None:
    pg_cluster.execute("CREATE DATABASE multiprocess")
    url = pg_cluster.url("multiprocess")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = ServerProcess(url, tmp_path / "a")
    second = ServerProcess(url, tmp_path / "b")
    first.init()
    second.admin_token = first.admin_token
    second.env = first.env  # same issuing key files, as two hosts sharing a volume would
    first.start()
    second.start()
    try:
        with first.admin() as admin:
            demo = seed_demo(admin, general=40)
            codes = [enrol_code(admin, demo.event_id, g) for g in ("A", "B", "C")]
        # Enrol on one process, use the token on the other.
        tokens = []
        for n, (code, server) in enumerate(zip(codes, (first, second, first), strict=True)):
            answer = httpx.post(
                f"{server.api}/devices/enrol", json={"code": code, "device_id": f"kiosk-{n}"}
            )
            assert answer.status_code == 200
            tokens.append(answer.json()["token"])

        def push_many(server: ServerProcess, token: str, device: str) -> None:
            with httpx.Client(
                base_url=server.api, timeout=60, headers={"Authorization": f"Bearer {token}"}
            ) as client:
                for batch in range(10):
                    scans = [
                        {
                            "scan_id": uuid.uuid4().hex,
                            "ticket_id": demo.tickets[i]["ticket_id"],
                            "event_id": demo.event_id,
                            "device_id": device,
                            "gate": device,
                            "zone": "main",
                            "direction": "in",
                            "scanned_at": datetime.now(UTC).isoformat(),
                            "verdict": "already_used",
                        }
                        for i in range(batch, batch + 20)
                    ]
                    response = client.post("/sync/scans", json={"scans": scans})
                    assert response.status_code == 200

        # Concurrent pushes through both processes while a third kiosk pulls from one.
        pushers = [
            threading.Thread(target=push_many, args=(first, tokens[0], "kiosk-0")),
            threading.Thread(target=push_many, args=(second, tokens[1], "kiosk-1")),
        ]
        seen: list[int] = []
        with httpx.Client(
            base_url=second.api, timeout=60, headers={"Authorization": f"Bearer {tokens[2]}"}
        ) as reader:
            cursor = 0
            for thread in pushers:
                thread.start()
            while any(t.is_alive() for t in pushers) or cursor == 0:
                page = reader.get("/sync/manifest", params={"cursor": cursor, "limit": 50}).json()
                seen += [c["seq"] for c in page["changes"] if c["kind"] == "scan"]
                cursor = page["cursor"]
            for thread in pushers:
                thread.join(60)
            while True:  # drain what committed after the last read
                page = reader.get("/sync/manifest", params={"cursor": cursor, "limit": 50}).json()
                seen += [c["seq"] for c in page["changes"] if c["kind"] == "scan"]
                cursor = page["cursor"]
                if not page["has_more"]:
                    break
        # Every scan reached the reader exactly once, although it paged while two
        # processes were committing: no change appeared behind its cursor.
        assert len(seen) == 400
        assert len(set(seen)) == 400
    finally:
        first.stop()
        second.stop()
