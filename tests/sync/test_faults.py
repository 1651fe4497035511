"""Exactly-once under faults: a flaky network, a server that restarts, killed pulls."""

from __future__ import annotations

import contextlib
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scanner import Gate, Mode, Store, preset
from scanner.state import fold
from sync.client import RetryPolicy, SyncError
from tests.fault_proxy import FaultProxy
from tests.sync.conftest import Kiosk, World
from ui.demo.seed import enrol_code

ADMITONE = str(Path(sys.executable).with_name("admitone"))
TOTAL_SCANS = 1000


def server_scan_ids(world: World) -> set[str]:
    path = world.server.database_url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path)
    try:
        return {
            row[0]
            for row in conn.execute(
                "SELECT scan_id FROM scans WHERE event_id = ? OR event_id IS NULL",
                (world.demo.event_id,),
            )
        }
    finally:
        conn.close()


def local_scan_ids(store: Store) -> set[str]:
    return {row[0] for row in store.db.execute("SELECT scan_id FROM scans WHERE local = 1")}


def ticket_scan_ids(store: Store) -> set[str]:
    """Every scan of a ticket the kiosk holds, its own and the others' (scans of
    unreadable codes stay with the kiosk that made them)."""
    return {
        row[0] for row in store.db.execute("SELECT scan_id FROM scans WHERE ticket_id IS NOT NULL")
    }


def converged(kiosks: list[Kiosk]) -> bool:
    """Everything uploaded, and every kiosk holds every ticket scan anyone made."""
    if any(k.store.pending_count() for k in kiosks):
        return False
    own = set().union(
        *(
            {
                r[0]
                for r in k.store.db.execute(
                    "SELECT scan_id FROM scans WHERE local = 1 AND ticket_id IS NOT NULL"
                )
            }
            for k in kiosks
        )
    )
    return all(ticket_scan_ids(k.store) == own for k in kiosks)


def assert_same_state_everywhere(kiosks: list[Kiosk]) -> None:
    tickets = {
        row[0]
        for row in kiosks[0].store.db.execute(
            "SELECT DISTINCT ticket_id FROM scans WHERE ticket_id IS NOT NULL"
        )
    }
    for ticket in tickets:
        states = [fold(k.store.scans_for_ticket(ticket)) for k in kiosks]
        assert all(state == states[0] for state in states), ticket


@pytest.mark.slow
def test_three_kiosks_push_1000_scans_exactly_once_through_faults_and_restarts(
    world: World,
) -> None:
    proxy = FaultProxy(world.server.port, seed=11, fault_rate=0.3)
    proxy.start()
    retry = RetryPolicy(attempts=3, initial=0.02, maximum=0.2, rng=random.Random(3))
    kiosks = [
        world.kiosk(name, url=proxy.url, retry=retry)
        for name in ("North Gate", "South Gate", "East Gate")
    ]
    for kiosk in kiosks:  # enrolment went through the proxy too; now the real work
        kiosk.client.push_batch = 40
        kiosk.client.page_size = 50
    codes = [t["code"] for t in world.tickets()]
    t0 = datetime.now(UTC)
    shares = [334, 333, 333]
    errors: list[str] = []

    def run_kiosk(kiosk: Kiosk, share: int, seed: int) -> None:
        rng = random.Random(seed)
        gate = Gate(kiosk.store, preset(Mode.ENTRY), gate_name=kiosk.gate, debounce=timedelta(0))
        for n in range(share):
            gate.scan(
                rng.choice(codes) if rng.random() < 0.9 else "FORGED-OR-GARBAGE",
                t0 + timedelta(milliseconds=seed * 100_000 + n),
            )
            if n % 25 == 0:
                try:
                    kiosk.client.sync_once()
                except SyncError as exc:
                    errors.append(str(exc))

    threads = [
        threading.Thread(target=run_kiosk, args=(k, s, i + 1))
        for i, (k, s) in enumerate(zip(kiosks, shares, strict=True))
    ]
    for thread in threads:
        thread.start()
    # The server restarts twice while the kiosks scan and sync.
    for _ in range(2):
        world.server.kill()
        world.server.start()
    for thread in threads:
        thread.join(120)
    assert not any(t.is_alive() for t in threads)

    # Keep syncing (still through the faults) until every kiosk is fully acknowledged
    # and has everyone's scans; each round is bounded, and so is the number of rounds.
    for _ in range(60):
        for kiosk in kiosks:
            try:
                kiosk.client.sync_once()
            except SyncError as exc:
                errors.append(str(exc))
        if converged(kiosks):
            break
    proxy.stop()

    local = [local_scan_ids(k.store) for k in kiosks]
    assert sum(len(ids) for ids in local) == TOTAL_SCANS
    assert server_scan_ids(world) == set().union(*local)  # exactly those 1,000
    assert [k.store.pending_count() for k in kiosks] == [0, 0, 0]
    assert converged(kiosks)
    assert_same_state_everywhere(kiosks)
    # The faults really happened.
    assert proxy.counts["pass"] > 0
    assert (
        sum(proxy.counts[f] for f in ("refuse", "reset_request", "reset_response", "http500")) >= 10
    )
    assert errors  # and the clients noticed some of them


@pytest.mark.slow
def test_a_pull_killed_at_random_points_resumes_to_the_same_manifest(world: World) -> None:
    with world.admin() as admin:
        # A big manifest: room for 8,000 more than the demo's capacity allows.
        admin.patch(f"/events/{world.demo.event_id}", json={"capacity": 20000}).raise_for_status()
        order = admin.post(
            "/orders",
            json={
                "event_id": world.demo.event_id,
                "buyer_name": "Bulk",
                "items": [{"ticket_type": "GA", "quantity": 8000}],
            },
        )
        assert order.status_code == 201
        refund = order.json()["tickets"][0]["ticket_id"]
        admin.post(f"/tickets/{refund}/refund")
    reference = world.kiosk("Reference Gate")  # an uninterrupted pull

    victim_path = world.tmp_path / "victim.db"
    with world.admin() as admin:
        code = enrol_code(admin, world.demo.event_id, "Victim Gate")
    victim = Store.open(victim_path)
    from sync.client import META_MANIFEST_KEY, META_TLS_CERT, SyncClient
    from sync.pinning import certificate_sha256
    from sync.trust import check_pin

    # Enrol without the first pull: the pull below is what gets killed.
    client = SyncClient(victim)
    answer = client._request(
        client._client(world.server.url, token="", certificate=world.server.certificate),
        "POST",
        "/devices/enrol",
        json={"code": code, "device_id": victim.device_id},
    )
    victim.set_meta("server_url", world.server.url)
    victim.set_meta("device_token", answer["token"])
    with world.admin() as admin:  # the key the code's fingerprint names, as enrol pins it
        offered = admin.get("/sync/manifest-key").json()
    check_pin(
        code,
        bytes.fromhex(offered["public_key_hex"]),
        certificate_sha256(world.server.certificate),
    )
    victim.set_meta(META_MANIFEST_KEY, offered["public_key_hex"])
    victim.set_meta(META_TLS_CERT, world.server.certificate)
    victim.close()

    def cursor() -> int:
        conn = sqlite3.connect(victim_path, timeout=30)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key='sync_cursor'").fetchone()
            return int(row[0]) if row else 0
        finally:
            conn.close()

    rng = random.Random(5)
    kills = 0
    while kills < 12:
        before = cursor()
        process = subprocess.Popen(
            [ADMITONE, "kiosk", "--store", str(victim_path), "sync", "--page-size", "97"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Kill at a random point of the pull: after 0-5 more pages have been applied,
        # often in the middle of the next one.
        target = before + 97 * rng.randint(0, 5) + rng.randint(1, 96)
        deadline = time.monotonic() + 60
        while cursor() < target and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)  # polling a condition with a deadline
        if process.poll() is not None:
            break  # the pull finished before this kill
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        kills += 1
        conn = sqlite3.connect(victim_path)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()
    assert kills >= 10
    finish = subprocess.run(
        [ADMITONE, "kiosk", "--store", str(victim_path), "sync"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finish.returncode == 0, finish.stderr

    def manifest(path: Path) -> dict[str, list[tuple[object, ...]]]:
        conn = sqlite3.connect(path)
        try:
            return {
                table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall())
                for table in ("events", "ticket_types", "tickets", "revocations", "public_keys")
            }
        finally:
            conn.close()

    reference_path = reference.store.path
    reference.client.pull()
    assert manifest(victim_path) == manifest(reference_path)
    assert len(manifest(victim_path)["tickets"]) == len(world.demo.tickets) + 8000


KIOSKS_AT_SCALE = 20
SCANS_EACH = 500


@pytest.mark.slow
def test_twenty_kiosks_on_postgresql_converge_through_faults_and_two_restarts(
    pg_cluster: Any, tmp_path: Path
) -> None:
    """20 kiosks × 500 scans, every request through a faulty network, the server killed
    and restarted twice: the server holds exactly the 10,000 scans and every kiosk ends
    with the same state of every ticket."""
    import psycopg

    from sync.client import SyncClient
    from tests.live_server import ServerProcess
    from ui.demo.seed import seed_demo

    pg_cluster.execute("CREATE DATABASE faults_at_scale TEMPLATE template_admitone")
    server = ServerProcess(pg_cluster.url("faults_at_scale"), tmp_path)
    server.init()
    server.start()
    proxy = FaultProxy(server.port, seed=7, fault_rate=0.2)
    proxy.start()
    stores: list[Store] = []
    try:
        with server.admin() as admin:
            demo = seed_demo(admin, general=300)
        retry = RetryPolicy(attempts=3, initial=0.02, maximum=0.2, rng=random.Random(5))
        kiosks: list[Kiosk] = []
        for n in range(KIOSKS_AT_SCALE):
            with server.admin() as admin:
                code = enrol_code(admin, demo.event_id, f"Gate {n}")
            store = Store.open(tmp_path / f"kiosk-{n}.db")
            stores.append(store)
            client = SyncClient(store, retry=retry)
            for _ in range(10):  # enrolment goes through the faults as well
                try:
                    client.enrol(proxy.url, code)
                    break
                except SyncError:
                    continue
            client.push_batch = 100
            client.page_size = 500
            kiosks.append(Kiosk(store, client, f"Gate {n}"))
        codes = [t["code"] for t in demo.tickets]
        t0 = datetime.now(UTC)

        def run_kiosk(kiosk: Kiosk, seed: int) -> None:
            rng = random.Random(seed)
            gate = Gate(kiosk.store, preset(Mode.ENTRY), gate_name=kiosk.gate)
            for n in range(SCANS_EACH):
                text = rng.choice(codes) if rng.random() < 0.9 else "FORGED-OR-GARBAGE"
                gate.scan(text, t0 + timedelta(milliseconds=seed * 1_000_000 + n))
                if n % 100 == 99:
                    with contextlib.suppress(SyncError):  # the faults; the next round retries
                        kiosk.client.sync_once()

        threads = [
            threading.Thread(target=run_kiosk, args=(k, i + 1)) for i, k in enumerate(kiosks)
        ]
        for thread in threads:
            thread.start()
        for _ in range(2):
            server.kill()
            server.start()
        for thread in threads:
            thread.join(300)
        assert not any(t.is_alive() for t in threads)
        for _ in range(40):
            for kiosk in kiosks:
                with contextlib.suppress(SyncError):
                    kiosk.client.sync_once()
            if converged(kiosks):
                break
        local = [local_scan_ids(k.store) for k in kiosks]
        assert sum(len(ids) for ids in local) == KIOSKS_AT_SCALE * SCANS_EACH
        with psycopg.connect(
            f"host=127.0.0.1 port={pg_cluster.port} user=postgres dbname=faults_at_scale"
        ) as conn:
            on_server = {row[0] for row in conn.execute("SELECT scan_id FROM scans")}
        assert on_server == set().union(*local)  # exactly the 10,000, once each
        assert converged(kiosks)
        assert_same_state_everywhere(kiosks)
        assert sum(proxy.counts[f] for f in ("refuse", "reset_request", "reset_response")) >= 10
    finally:
        proxy.stop()
        for store in stores:
            store.close()
        server.stop()
