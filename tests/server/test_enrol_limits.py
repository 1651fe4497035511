"""Guessing enrolment codes: limited per real address (a forged X-Forwarded-For does not
change it) and across all addresses together, on a real server process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import ServerProcess, running_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    with running_server(
        f"sqlite:///{tmp_path / 'server.db'}",
        tmp_path,
        tls=False,
        enrol_attempts_per_minute="4",
        enrol_attempts_global_per_minute="6",
    ) as process:
        yield process


def guess(server: ServerProcess, source: str, n: int, **headers: str) -> int:
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(base_url=server.api, transport=transport, headers=headers) as client:
        return client.post(
            "/devices/enrol", json={"code": f"GUES-SING-{n:04d}", "device_id": "kiosk-x"}
        ).status_code


def test_a_forged_forwarded_for_header_does_not_dodge_the_limit(server: ServerProcess) -> None:
    statuses = [
        guess(server, "127.0.0.1", n, **{"X-Forwarded-For": f"10.9.{n}.{n}"}) for n in range(6)
    ]
    assert statuses == [401, 401, 401, 401, 429, 429]


def test_many_addresses_together_hit_the_global_cap(server: ServerProcess) -> None:
    """Loopback is a whole /8: each guess from an address of its own, as a botnet would."""
    statuses = [guess(server, f"127.0.0.{10 + n}", n) for n in range(8)]
    assert statuses == [401] * 6 + [429, 429]
