"""``admitone server …``: run, init, migrate, enrol-code."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from sync.config import load_config

log = logging.getLogger(__name__)


def _config(args: argparse.Namespace) -> Any:
    config = load_config().server
    return config, args.database or config.resolved_database_url()


def cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.server.app import create_app
    from sync.server.migrate import upgrade

    config, url = _config(args)
    host, port = args.host or config.host, args.port or config.port
    workers = config.workers if args.workers is None else args.workers
    if workers < 1:
        print(f"Error: --workers must be at least 1, not {workers}", file=sys.stderr)
        return 2
    upgrade(url)
    if workers == 1:
        app = create_app(config, database_url=url)
        uvicorn.run(app, host=host, port=port, log_level="info")
        return 0
    if url.startswith("sqlite"):
        log.warning(
            "%d workers on one SQLite file take turns at its single writer; "
            "for more throughput use PostgreSQL (--database postgresql+psycopg://...)",
            workers,
        )
    # Each worker process builds its own app from the configuration, so the URL
    # chosen on the command line travels to them through the environment.
    os.environ["ADMITONE_SERVER_DATABASE_URL"] = url
    uvicorn.run(
        "sync.server.app:app_from_config",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
    )
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from sync.server.migrate import upgrade

    _, url = _config(args)
    upgrade(url)
    print(f"database at {url.split('@')[-1]} is at the latest schema")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from sync.server.admin import init

    config, url = _config(args)
    result = init(config, url)
    print(f"admin token (shown once, store it safely): {result.admin_token}")
    state = "created" if result.created_key else "already active"
    print(f"issuing key {result.kid} {state} in {config.resolved_keys_dir()}")
    return 0


def cmd_enrol_code(args: argparse.Namespace) -> int:
    from fastapi import HTTPException

    from sync.server.app import create_app
    from sync.server.routes.devices import create_enrolment_code

    config, url = _config(args)
    app = create_app(config, database_url=url)
    try:
        code = create_enrolment_code(app.state.admitone, args.event, args.gate)
    except HTTPException as exc:
        print(f"Error: {exc.detail}", file=sys.stderr)
        return 2
    finally:
        app.state.admitone.db.dispose()
    print(code.code)
    log.info("enrolment code for event %d at %s expires %s", args.event, args.gate, code.expires_at)
    return 0


def register(commands: Any) -> None:
    server = commands.add_parser("server", help="run and administer the sync server")
    server.add_argument("--database", help="database URL (default: SQLite in the data dir)")
    server.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    server.add_argument("--port", type=int, help="port (default 8645)")
    server.add_argument("--workers", type=int, help="server processes sharing the port (default 1)")
    server.set_defaults(handler=cmd_run)
    actions = server.add_subparsers(dest="server_command", metavar="ACTION")
    for name, handler, text in [
        ("run", cmd_run, "start the server (the default)"),
        ("migrate", cmd_migrate, "bring the database to the latest schema"),
        ("init", cmd_init, "create the first admin token and the issuing key"),
    ]:
        action = actions.add_parser(name, help=text)
        action.add_argument("--database", default=argparse.SUPPRESS, help="database URL")
        if name == "run":
            action.add_argument("--host", default=argparse.SUPPRESS)
            action.add_argument("--port", type=int, default=argparse.SUPPRESS)
            action.add_argument("--workers", type=int, default=argparse.SUPPRESS)
        action.set_defaults(handler=handler)
    code = actions.add_parser("enrol-code", help="make a one-time kiosk enrolment code")
    code.add_argument("--database", default=argparse.SUPPRESS, help="database URL")
    code.add_argument("--event", type=int, required=True, help="event id")
    code.add_argument("--gate", required=True, help="gate name shown on the kiosk")
    code.set_defaults(handler=cmd_enrol_code)
