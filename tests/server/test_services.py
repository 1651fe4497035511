"""The services stand without HTTP: the console commands reach them without building an
app (FastAPI is never even imported), and their refusals are plain exceptions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sync.config import ServerConfig
from sync.server.admin import init
from sync.server.errors import Invalid, NotFound, Refused
from sync.server.principals import Principal
from sync.server.schemas import EventIn, TicketTypeIn
from sync.server.services import catalog, devices
from sync.server.state import open_server_state

CONSOLE = """
import sys
from scanner.cli import main
status = main(sys.argv[1:])
web = sorted(m for m in ("fastapi", "starlette", "uvicorn", "sync.server.app") if m in sys.modules)
print("loaded:", ",".join(web) or "none")
sys.exit(status)
"""


def test_console_commands_build_no_app(database_url: str, tmp_path: Path) -> None:
    config = ServerConfig(keys_dir=str(tmp_path / "keys"))
    init(config, database_url)
    state = open_server_state(config, database_url=database_url)
    try:
        event = catalog.create_event(state, EventIn(name="Console Night"))
    finally:
        state.db.dispose()
    env_keys = {"ADMITONE_SERVER_KEYS_DIR": str(tmp_path / "keys")}
    for command in (
        ["enrol-code", "--event", str(event.id), "--gate", "North"],
        ["devices"],
        ["report", "--event", str(event.id)],
    ):
        result = subprocess.run(
            [sys.executable, "-c", CONSOLE, "server", *command, "--database", database_url],
            capture_output=True,
            text=True,
            env={**_environ(), **env_keys},
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().endswith("loaded: none"), result.stdout
    missing = subprocess.run(
        [
            sys.executable,
            "-c",
            CONSOLE,
            "server",
            "report",
            "--event",
            "999999",
            "--database",
            database_url,
        ],
        capture_output=True,
        text=True,
        env={**_environ(), **env_keys},
        timeout=120,
    )
    assert (missing.returncode, missing.stderr.strip()) == (2, "Error: no event 999999")


def _environ() -> dict[str, str]:
    return dict(os.environ)


def test_services_refuse_with_plain_exceptions(database_url: str, tmp_path: Path) -> None:
    config = ServerConfig(keys_dir=str(tmp_path / "keys"))
    init(config, database_url)
    state = open_server_state(config, database_url=database_url)
    try:
        with pytest.raises(NotFound, match="no event 4242"):
            catalog.get_event(state, Principal("admin", "test"), 4242)
        with pytest.raises(Invalid, match="no venue 77; create the venue first"):
            catalog.create_event(state, EventIn(name="Nowhere", venue_id=77))
        event = catalog.create_event(state, EventIn(name="Twice"))
        catalog.create_ticket_type(state, event.id, TicketTypeIn(code="GA", name="General"))
        with pytest.raises(Refused, match="already has ticket type GA"):
            catalog.create_ticket_type(state, event.id, TicketTypeIn(code="GA", name="Again"))
        with pytest.raises(Invalid, match="a gate name is 1 to"):
            devices.create_enrolment_code(state, event.id, " ")
        with pytest.raises(NotFound, match="no kiosk gone-kiosk"):
            devices.revoke(state, "gone-kiosk")
    finally:
        state.db.dispose()
