"""A real sync server process on loopback (SQLite), shared by a module's tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from scanner import Store
from sync.client import RetryPolicy, SyncClient
from tests.live_server import ServerProcess
from ui.demo.seed import DemoCatalogue, enrol_code, seed_demo


@pytest.fixture(scope="module")
def server_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    workdir = tmp_path_factory.mktemp("server")
    server = ServerProcess(f"sqlite:///{workdir / 'server.db'}", workdir)
    server.init()
    server.start()
    yield server
    server.stop()


@dataclass
class Kiosk:
    store: Store
    client: SyncClient
    gate: str


@dataclass
class World:
    server: ServerProcess
    demo: DemoCatalogue
    tmp_path: Path

    def admin(self) -> httpx.Client:
        return self.server.admin()

    def kiosk(
        self,
        name: str,
        *,
        url: str | None = None,
        enrol: bool = True,
        retry: RetryPolicy | None = None,
    ) -> Kiosk:
        store = Store.open(self.tmp_path / f"{name}.db")
        client = SyncClient(
            store, retry=retry or RetryPolicy(attempts=2, initial=0.05), timeout=httpx.Timeout(5.0)
        )
        if enrol:
            with self.admin() as admin:
                code = enrol_code(admin, self.demo.event_id, name)
            client.enrol(url or self.server.url, code)
        return Kiosk(store, client, name)

    def tickets(self, code: str = "GA") -> list[dict[str, Any]]:
        return self.demo.by_type(code)


@pytest.fixture
def world(server_process: ServerProcess, tmp_path: Path) -> Iterator[World]:
    with server_process.admin() as admin:
        demo = seed_demo(admin, general=60, allow_reentry=False)
    stores: list[Store] = []
    world = World(server_process, demo, tmp_path)
    original = world.kiosk

    def tracked(name: str, **kwargs: Any) -> Kiosk:
        kiosk = original(name, **kwargs)
        stores.append(kiosk.store)
        return kiosk

    world.kiosk = tracked  # type: ignore[method-assign]
    yield world
    for store in stores:
        store.close()
