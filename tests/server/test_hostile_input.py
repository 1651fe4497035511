"""Input meant to hurt the server: huge bodies without a token, NaN and Infinity, dates
no time zone arithmetic can hold.  Each is a clear 4xx; nothing reaches a 500."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.live_server import ServerProcess
from tests.server.conftest import Enrolled
from ui.demo.seed import seed_demo

FIFTY_MB = 50 * 1024 * 1024


@pytest.fixture(scope="module")
def server_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    workdir = tmp_path_factory.mktemp("hostile")
    server = ServerProcess(f"sqlite:///{workdir / 'server.db'}", workdir, tls=False)
    server.init()
    server.start()
    yield server
    server.stop()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def start_upload(port: int, path: str, headers: dict[str, str], declared: int) -> socket.socket:
    """Open a POST that declares ``declared`` bytes and send only the first megabyte."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += f"Content-Length: {declared}\r\n\r\n"
    sock.sendall(head.encode() + b"[" * (1024 * 1024))
    return sock


def status_of(sock: socket.socket) -> int:
    answer = b""
    while b"\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize(
    ("path", "token", "expected"),
    [
        ("/api/v1/sync/scans", None, 401),
        ("/api/v1/sync/scans", "wrong", 401),
        ("/api/v1/orders", None, 401),
        ("/api/v1/sync/scans", "admin", 413),
        ("/api/v1/devices/enrol", None, 413),
    ],
)
def test_fifty_megabytes_are_refused_before_they_are_read(
    server_process: ServerProcess, path: str, token: str | None, expected: int
) -> None:
    assert server_process.process is not None
    pid = server_process.process.pid
    before = rss_kib(pid)
    headers = {}
    if token is not None:
        headers["Authorization"] = (
            f"Bearer {server_process.admin_token if token == 'admin' else token}"
        )
    sock = start_upload(server_process.port, path, headers, FIFTY_MB)
    try:
        # The answer comes while 49 of the 50 MB are still unsent: nothing waited for them.
        assert status_of(sock) == expected
        assert httpx.get(f"{server_process.url}/healthz", timeout=5).status_code == 200
    finally:
        sock.close()
    assert rss_kib(pid) - before < 20 * 1024


def test_a_body_that_streams_past_the_limit_is_cut_off(server_process: ServerProcess) -> None:
    """No declared length (chunked): counted as it arrives, refused once over."""
    assert server_process.process is not None
    before = rss_kib(server_process.process.pid)

    def chunks() -> Iterator[bytes]:
        for _ in range(50):
            yield b" " * (1024 * 1024)

    try:
        response = httpx.post(
            f"{server_process.api}/sync/scans",
            content=chunks(),
            headers={"Authorization": f"Bearer {server_process.admin_token}"},
            timeout=30,
        )
        assert response.status_code == 413
    except httpx.WriteError:
        pass  # the server answered and closed while we were still sending: also refused
    assert rss_kib(server_process.process.pid) - before < 20 * 1024


NAN_BODIES = [
    ("POST", "/sync/heartbeat", '{"client_time": NaN}'),
    ("POST", "/sync/heartbeat", '{"client_time": Infinity}'),
    ("POST", "/sync/heartbeat", '{"client_time": -Infinity}'),
    ("POST", "/sync/heartbeat", '{"client_time": "0001-01-01T00:00:00+14:00"}'),
    ("POST", "/sync/heartbeat", '{"client_time": "9999-12-31T23:59:59-14:00"}'),
    (
        "POST",
        "/sync/scans",
        '{"scans": [{"scan_id": "aaaaaaaa", "device_id": "kiosk-north", '
        '"gate": "g", "zone": "main", "direction": "in", "verdict": "admitted", '
        '"scanned_at": "0001-01-01T00:00:00+14:00"}]}',
    ),
    (
        "POST",
        "/sync/scans",
        '{"scans": [{"scan_id": "aaaaaaaa", "device_id": "kiosk-north", '
        '"gate": "g", "zone": "main", "direction": "in", "verdict": "admitted", '
        '"scanned_at": NaN, "event_id": Infinity}]}',
    ),
    (
        "POST",
        "/sync/audit",
        '{"entries": [{"audit_id": "bbbbbbbb", "at": "9999-12-31T23:59:59-14:00", '
        '"actor": "x", "action": "y", "detail": {"n": NaN}}]}',
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), NAN_BODIES)
def test_nan_infinity_and_impossible_dates_are_422_from_a_kiosk(
    enrolled: Enrolled, method: str, path: str, body: str
) -> None:
    with enrolled.device() as device:
        response = device.request(
            method, path, content=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    "change",
    [
        '{"ends_at": "9999-12-31T23:59:00-14:00"}',
        '{"starts_at": "0001-01-01T00:00:00+14:00"}',
        '{"doors_open": NaN}',
        '{"capacity": Infinity}',
        '{"starts_at": 1e308}',
    ],
)
def test_events_with_impossible_values_are_422_and_a_sane_event_can_always_be_sold(
    enrolled: Enrolled, change: str
) -> None:
    with enrolled.server.admin() as admin:
        created = admin.post(
            "/events",
            content=change.replace("{", '{"name": "Late Show", ', 1),
            headers={"Content-Type": "application/json"},
        )
        assert created.status_code == 422, created.text
        patched = admin.patch(
            f"/events/{enrolled.event_id}",
            content=change,
            headers={"Content-Type": "application/json"},
        )
        assert patched.status_code == 422, patched.text
        # The furthest an event may end: it is accepted, and its tickets sell.
        far = seed_demo(admin, general=1, now=_far_future())
        assert far.tickets
        assert all(t["code"] for t in far.tickets)


def _far_future() -> datetime:
    return datetime(2099, 12, 30, tzinfo=UTC)


def test_a_gate_name_too_long_for_the_wire_gets_no_enrolment_code(enrolled: Enrolled) -> None:
    with enrolled.server.admin() as admin:
        refused = admin.post(f"/events/{enrolled.event_id}/enrol-codes", json={"gate": "G" * 101})
        assert refused.status_code == 422
        accepted = admin.post(f"/events/{enrolled.event_id}/enrol-codes", json={"gate": "G" * 100})
        assert accepted.status_code == 201
