"""HTTPS between kiosk and server, pinned by the enrolment code: a real TLS server on
loopback, the certificate ``admitone server init`` made."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner import Store
from sync.client import (
    META_SERVER,
    META_TLS_CERT,
    OfflineError,
    RetryPolicy,
    SyncClient,
    UntrustedServerError,
)
from tests.live_server import ServerProcess, running_server
from tests.sync.conftest import World
from ui.demo.seed import enrol_code, seed_demo


@pytest.fixture
def impostor(tmp_path: Path) -> Iterator[ServerProcess]:
    """Another AdmitOne server with keys and a certificate of its own."""
    (tmp_path / "other").mkdir()
    with running_server(f"sqlite:///{tmp_path / 'other.db'}", tmp_path / "other") as server:
        yield server


def client_for(store: Store) -> SyncClient:
    return SyncClient(store, retry=RetryPolicy(attempts=1, initial=0.01))


def test_init_makes_a_certificate_and_the_kiosk_pins_it(world: World, tmp_path: Path) -> None:
    key_file = world.server.workdir / "keys" / "tls.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert world.server.url.startswith("https://")
    kiosk = world.kiosk("North Gate")
    assert kiosk.store.get_meta(META_TLS_CERT) == world.server.certificate
    assert not kiosk.client.status().insecure
    kiosk.client.sync_once()  # every later call trusts the pinned certificate only


def test_a_code_used_against_another_server_is_refused_before_it_is_sent(
    world: World, impostor: ServerProcess, tmp_path: Path
) -> None:
    with world.admin() as admin:
        code = enrol_code(admin, world.demo.event_id, "North Gate")
    with Store.open(tmp_path / "kiosk.db") as store:
        with pytest.raises(UntrustedServerError, match="not the one the enrolment code"):
            client_for(store).enrol(impostor.url, code)
        assert store.get_meta("device_token") is None
    log = (impostor.workdir / f"server-{impostor.port}.log").read_text()
    assert "/devices/enrol" not in log  # nothing secret ever left the kiosk
    assert "/sync/manifest-key" in log  # it only asked for the public key
    with Store.open(tmp_path / "real.db") as store:  # and the code still works where it belongs
        client_for(store).enrol(world.server.url, code)


def test_an_enrolled_kiosk_talks_to_no_other_certificate(
    world: World, impostor: ServerProcess
) -> None:
    kiosk = world.kiosk("South Gate")
    kiosk.store.set_meta(META_SERVER, impostor.url)  # a hijacked address, say
    with pytest.raises(OfflineError, match="CERTIFICATE_VERIFY_FAILED"):
        client_for(kiosk.store).sync_once()
    log = (impostor.workdir / f"server-{impostor.port}.log").read_text()
    assert "/sync/" not in log


def test_plain_http_is_refused_unless_allowed_and_then_shown(tmp_path: Path) -> None:
    with running_server(f"sqlite:///{tmp_path / 'lan.db'}", tmp_path, tls=False) as server:
        with server.admin() as admin:
            demo = seed_demo(admin, general=2)
            code = enrol_code(admin, demo.event_id, "LAN Gate")
        with Store.open(tmp_path / "kiosk.db") as store:
            client = client_for(store)
            with pytest.raises(UntrustedServerError, match="--insecure-http"):
                client.enrol(server.url, code)
            client.enrol(server.url, code, insecure_http=True)
            assert client.status().insecure
            assert store.ticket_count() == len(demo.tickets)


def test_the_server_will_not_serve_plain_http_by_accident(tmp_path: Path) -> None:
    import subprocess
    import sys

    admitone = str(Path(sys.executable).with_name("admitone"))
    env = {**os.environ, "ADMITONE_SERVER_KEYS_DIR": str(tmp_path / "no-keys")}
    result = subprocess.run(
        [admitone, "server", "--database", f"sqlite:///{tmp_path / 's.db'}", "--port", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no HTTPS certificate" in result.stderr
    assert "--insecure-http" in result.stderr
