"""What a copied kiosk database gives away: not the device token, not a way to test
PIN guesses; and a new PIN needs the current one."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scanner import Store
from scanner.supervisor import MAX_ATTEMPTS, PinChangeError, PinLockedError, SupervisorPin
from sync.client import NotEnrolledError, RetryPolicy, SyncClient
from tests.sync.conftest import World

ADMITONE = str(Path(sys.executable).with_name("admitone"))


def copy_of(path: Path, target: Path) -> Path:
    """The database as someone would copy it off the gate PC: the file, not its secret."""
    source = sqlite3.connect(path)
    copy = sqlite3.connect(target)
    source.backup(copy)
    copy.close()
    source.close()
    return target


def test_a_copied_database_does_not_hold_the_device_token(world: World, tmp_path: Path) -> None:
    kiosk = world.kiosk("North Gate")
    token_row = kiosk.store.get_meta("device_token") or ""
    assert token_row.startswith("sealed:v1:")
    files = [Path(kiosk.store.path), Path(f"{kiosk.store.path}-wal")]
    raw = b"".join(f.read_bytes() for f in files if f.exists())
    real_token = kiosk.client._token()
    assert real_token
    assert real_token.encode() not in raw
    secret = Path(f"{kiosk.store.path}.secret")
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    kiosk.client.sync_once()  # the kiosk itself, with its secret file, syncs as before

    stolen = copy_of(Path(kiosk.store.path), tmp_path / "stolen.db")
    with Store.open(stolen) as store:
        client = SyncClient(store, retry=RetryPolicy(attempts=1, initial=0.01))
        with pytest.raises(NotEnrolledError, match="copied without its secret file"):
            client.sync_once()


def test_the_pin_hash_alone_tests_no_guesses(tmp_path: Path) -> None:
    import hashlib

    with Store.open(tmp_path / "kiosk.db") as store:
        SupervisorPin(store).set("4821")
        stored = store.get_setting("supervisor_pin")
    salt, digest = bytes.fromhex(stored["salt"]), bytes.fromhex(stored["hash"])
    # An attacker with the database runs scrypt over every 4-digit PIN: none matches,
    # because the secret file is part of the input.
    assert hashlib.scrypt(b"4821", salt=salt, n=2**14, r=8, p=1, dklen=32) != digest


def test_a_new_pin_needs_the_current_one_and_keeps_the_lockout(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    with Store.open(tmp_path / "kiosk.db") as store:
        pin = SupervisorPin(store)
        pin.set("4821")
        with pytest.raises(PinChangeError, match="give the current one"):
            pin.set("1111")
        with pytest.raises(PinChangeError, match="wrong"):
            pin.set("1111", current="0000", now=now)
        pin.set("2468", current="4821", now=now)
        assert pin.check("2468", now).ok
        for _ in range(MAX_ATTEMPTS - 1):
            pin.check("0000", now)
        with pytest.raises(PinLockedError):
            pin.set("9999", current="0000", now=now)  # the fifth wrong try locks it
        with pytest.raises(PinLockedError):  # and a new PIN does not lift the lock
            pin.set("9999", current="2468", now=now)


def test_set_pin_cli_asks_for_the_current_pin(tmp_path: Path) -> None:
    store = tmp_path / "kiosk.db"

    def set_pin(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [ADMITONE, "kiosk", "--store", str(store), "set-pin", *args],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )

    assert set_pin("4821").returncode == 0
    refused = set_pin("1111")
    assert refused.returncode == 2
    assert "give the current one" in refused.stderr
    assert set_pin("1111", "--current", "4821").returncode == 0
