"""Crash safety: SIGKILL a scanning kiosk at random moments; no reported admit is lost."""

from __future__ import annotations

import contextlib
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner import Store, sign
from tests.conftest import EVENT, make_claims, record_for, valid_now

KILLS = 24


class ChildOutput:
    """Collects a child's stdout lines on a thread, so the parent can wait on them."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.strip() == "READY":
                self.ready.set()
            else:
                self.lines.append(line.strip())

    def join(self) -> None:
        self._thread.join(timeout=30)


@pytest.mark.slow
def test_sigkill_during_scanning_loses_no_reported_admit(
    tmp_path: Path, issuer: Ed25519PrivateKey
) -> None:
    db_path = tmp_path / "kiosk.db"
    claims = [make_claims(**valid_now()) for _ in range(3000)]
    with Store.open(db_path) as store:
        store.upsert_events([EVENT])
        store.add_public_key(issuer.public_key())
        store.upsert_tickets(record_for(c) for c in claims)
    codes = tmp_path / "codes.txt"
    codes.write_text("\n".join(sign(c, issuer) for c in claims))

    rng = random.Random(7)
    reported: list[str] = []
    for _ in range(KILLS):
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_child", str(db_path), str(codes)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parent.parent,
        )
        output = ChildOutput(process)
        assert output.ready.wait(timeout=30), "child never became ready"
        # The kill moment is random: anywhere from mid-start-up to a few hundred scans in.
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=rng.uniform(0.0, 0.4))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        output.join()
        assert process.returncode == -signal.SIGKILL
        reported += [line.split()[1] for line in output.lines if line.startswith("ADMIT ")]

        conn = sqlite3.connect(db_path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            journalled = {
                row[0] for row in conn.execute("SELECT scan_id FROM scans WHERE verdict='admitted'")
            }
        finally:
            conn.close()
        missing = set(reported) - journalled
        assert not missing, f"{len(missing)} reported admits are not in the journal"

    assert len(reported) > KILLS  # the children did get to scan between kills
    with Store.open(db_path) as store:
        assert store.integrity_ok()
        admitted_tickets = [
            row[0]
            for row in store.db.execute("SELECT ticket_id FROM scans WHERE verdict='admitted'")
        ]
    assert len(set(admitted_tickets)) == len(admitted_tickets)  # no ticket admitted twice
