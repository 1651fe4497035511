"""The sync server as a real process on loopback (``admitone server``), for tests and benches.

A process, not a thread: it can be killed and restarted mid-sync, and a load
generator in the test process does not share its interpreter lock.
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from sync.pinning import pinned_context

ADMITONE = str(Path(sys.executable).with_name("admitone"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(
    database_url: str, workdir: Path, *, tls: bool = True, **settings: str
) -> Iterator[ServerProcess]:
    """``admitone server`` set up and running for the ``with`` block, then stopped.
    ``settings`` become ``ADMITONE_SERVER_*`` environment overrides."""
    server = ServerProcess(database_url, workdir, tls=tls)
    for name, value in settings.items():
        server.env[f"ADMITONE_SERVER_{name.upper()}"] = value
    server.init()
    server.start()
    try:
        yield server
    finally:
        server.stop()


class ServerProcess:
    def __init__(
        self,
        database_url: str,
        workdir: Path,
        port: int | None = None,
        extra_args: Sequence[str] = (),
        *,
        tls: bool = True,
    ) -> None:
        """``tls``: serve HTTPS with the certificate ``init`` makes, as the product does;
        False serves plain http (``--insecure-http``), for tests that look at the bytes."""
        self.database_url = database_url
        self.tls = tls
        self.extra_args = list(extra_args) + ([] if tls else ["--insecure-http"])
        self.workdir = workdir
        self.port = port or free_port()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.api = f"{self.url}/api/v1"
        self.env = {
            **os.environ,
            "ADMITONE_SERVER_KEYS_DIR": str(workdir / "keys"),
            "ADMITONE_DATA_DIR": str(workdir / "data"),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.admin_token = ""
        self.init_output = ""

    def init(self, *extra: str) -> str:
        """``server init`` (with ``extra`` arguments, e.g. ``--owner EMAIL``); its output
        stays in ``init_output``.  Returns the admin token."""
        result = subprocess.run(
            [ADMITONE, "server", "init", "--database", self.database_url, *extra],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"server init failed: {result.stderr}")
        self.init_output = result.stdout
        self.admin_token = result.stdout.split("store it safely): ")[1].split()[0]
        return self.admin_token

    def start(self, timeout: float = 60) -> None:
        log = open(self.workdir / f"server-{self.port}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                ADMITONE,
                "server",
                "--database",
                self.database_url,
                "--port",
                str(self.port),
                *self.extra_args,
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {log.name}")
            try:
                if (
                    httpx.get(f"{self.url}/healthz", timeout=1, verify=self.verify).status_code
                    == 200
                ):
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)  # polling a condition with a deadline
        raise RuntimeError("server did not become healthy in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    @property
    def certificate(self) -> str:
        """The PEM certificate ``init`` made for this server."""
        return (self.workdir / "keys" / "tls.crt").read_text()

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """How a test client trusts this server: its own certificate, and nothing else."""
        return pinned_context(self.certificate) if self.tls else True

    def admin(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.api,
            timeout=120,
            headers={"Authorization": f"Bearer {self.admin_token}"},
            verify=self.verify,
        )
