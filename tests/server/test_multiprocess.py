"""Several server processes on one PostgreSQL database behave as one server."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.live_server import ServerProcess
from tests.pg import PostgresCluster
from tests.server.test_sync_routes import scan
from ui.demo.seed import enrol_code, seed_demo


def _worker_pids(parent: int) -> set[int]:
    """Live processes started by ``parent`` through multiprocessing (uvicorn's workers)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # ended while we looked
        state, ppid = fields[0], int(fields[1])
        if ppid == parent and state != "Z" and b"spawn_main" in cmdline:
            pids.add(int(entry.name))
    return pids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(condition: Callable[[], bool], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)  # polling a condition with a deadline
    return condition()


def test_two_processes_share_tokens_scans_and_one_gapless_change_log(
    pg_cluster: PostgresCluster, tmp_path: Path
) -> None:
    pg_cluster.execute("CREATE DATABASE multiprocess")
    url = pg_cluster.url("multiprocess")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = ServerProcess(url, tmp_path / "a", tls=False)
    second = ServerProcess(url, tmp_path / "b", tls=False)
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
                        scan(device, t["ticket_id"], demo.event_id, 0, verdict="already_used")
                        for t in demo.tickets[batch : batch + 20]
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


def test_workers_option_serves_one_port_from_that_many_processes(
    pg_cluster: PostgresCluster, tmp_path: Path
) -> None:
    pg_cluster.execute("CREATE DATABASE workers")
    server = ServerProcess(
        pg_cluster.url("workers"), tmp_path, extra_args=["--workers", "2"], tls=False
    )
    server.init()
    server.start()
    assert server.process is not None
    parent = server.process.pid
    try:
        assert _wait_for(lambda: len(_worker_pids(parent)) == 2), _worker_pids(parent)
        workers = _worker_pids(parent)
        with server.admin() as admin:
            demo = seed_demo(admin, general=30)
            codes = [enrol_code(admin, demo.event_id, gate) for gate in ("A", "B")]
        tokens = [
            httpx.post(
                f"{server.api}/devices/enrol", json={"code": code, "device_id": f"kiosk-{n}"}
            ).json()["token"]
            for n, code in enumerate(codes)
        ]
        # A fresh connection per push: the kernel hands each to whichever worker accepts.
        for ticket in demo.tickets[:30]:
            answer = httpx.post(
                f"{server.api}/sync/scans",
                headers={"Authorization": f"Bearer {tokens[0]}"},
                json={"scans": [scan("kiosk-0", ticket["ticket_id"], demo.event_id, 0)]},
            )
            assert answer.status_code == 200
            assert answer.json()["acks"][0]["status"] == "stored"
        with httpx.Client(
            base_url=server.api, headers={"Authorization": f"Bearer {tokens[1]}"}
        ) as reader:
            scans, cursor = 0, 0
            while True:
                page = reader.get("/sync/manifest", params={"cursor": cursor}).json()
                scans += sum(1 for c in page["changes"] if c["kind"] == "scan")
                cursor = page["cursor"]
                if not page["has_more"]:
                    break
        assert scans == 30
    finally:
        server.stop()
    # Stopping the server stops its workers: none is left behind holding the port.
    assert _wait_for(lambda: not any(_alive(pid) for pid in workers))
