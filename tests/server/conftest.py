"""A real server on loopback over a real database, SQLite or PostgreSQL, per test."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from sync.config import ServerConfig
from sync.server.admin import init
from sync.server.app import create_app
from sync.server.migrate import upgrade
from tests.pg import PostgresCluster

DATABASES = ["sqlite", "postgresql"]
_names = itertools.count()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "server.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "server.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    name = f"t{os.getpid()}_{next(_names)}"
    cluster.execute(f"CREATE DATABASE {name} TEMPLATE template_admitone")
    return cluster.url(name)


class LiveServer:
    """uvicorn in a thread, on a loopback port of its own."""

    def __init__(self, app: FastAPI) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", lifespan="on", proxy_headers=False)
        )
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        deadline = threading.Event()
        for _ in range(500):
            if self.server.started:
                return
            deadline.wait(0.01)
        raise RuntimeError("uvicorn did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@dataclass
class ServerHandle:
    url: str
    api: str
    admin_token: str
    app: FastAPI
    database_url: str
    live: LiveServer

    def client(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.api, headers=headers, timeout=30, **kwargs)

    def admin(self) -> httpx.Client:
        return self.client(self.admin_token)


def start_server(config: ServerConfig, database_url: str) -> ServerHandle:
    """``config``'s server, initialised and running on loopback (stop it with
    ``handle.live.stop()``)."""
    result = init(config, database_url)
    app = create_app(config, database_url=database_url)
    live = LiveServer(app)
    live.start()
    return ServerHandle(live.url, f"{live.url}/api/v1", result.admin_token, app, database_url, live)


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[ServerHandle]:
    config = ServerConfig(keys_dir=str(tmp_path / "keys"), enrol_attempts_per_minute=5)
    handle = start_server(config, database_url)
    yield handle
    handle.live.stop()


@dataclass
class Enrolled:
    server: ServerHandle
    event_id: int
    order_id: int
    tickets: list[dict[str, Any]]
    device_id: str
    token: str

    def device(self) -> httpx.Client:
        return self.server.client(self.token)


def enrol_device(
    server: ServerHandle, event_id: int, device_id: str, gate: str, *, code: str = ""
) -> str:
    from ui.demo.seed import enrol_code

    if not code:
        with server.admin() as admin:
            code = enrol_code(admin, event_id, gate)
    with server.client() as anonymous:
        response = anonymous.post("/devices/enrol", json={"code": code, "device_id": device_id})
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


@pytest.fixture
def enrolled(server: ServerHandle) -> Enrolled:
    from ui.demo.seed import seed_demo

    with server.admin() as admin:
        demo = seed_demo(admin, general=20)
    token = enrol_device(server, demo.event_id, "kiosk-north", "North Gate")
    return Enrolled(server, demo.event_id, demo.order_id, demo.tickets, "kiosk-north", token)
