"""``admitone server …``: run and administer the sync server from its console."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync.config import load_config

log = logging.getLogger(__name__)
GRACE_SECONDS = 5
"""On a stop, open requests get this long to finish: a console's live dashboard
(a stream that never ends by itself) must not hold the server up."""


def _config(args: argparse.Namespace) -> Any:
    config = load_config().server
    return config, args.database or config.resolved_database_url()


def _existing_database(args: argparse.Namespace) -> Any:
    """The configuration and URL of a database the server has already set up."""
    from sync.server.migrate import check_current

    config, url = _config(args)
    check_current(url)
    return config, url


def cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.server.app import create_app
    from sync.server.migrate import upgrade

    config, url = _config(args)
    if args.insecure_http:
        config = replace(config, insecure_http=True)
    host, port = args.host or config.host, args.port or config.port
    workers = config.workers if args.workers is None else args.workers
    if workers < 1:
        print(f"Error: --workers must be at least 1, not {workers}", file=sys.stderr)
        return 2
    cert, key = config.resolved_tls()
    tls: dict[str, Any] = {}
    if config.insecure_http:
        log.warning(
            "serving plain HTTP: enrolment codes and kiosk tokens cross the network in "
            "clear; use this on a closed LAN only"
        )
    elif not cert.exists() or not key.exists():
        print(
            f"Error: no HTTPS certificate at {cert}: run 'admitone server init' (it makes "
            "one), set tls_cert and tls_key, or pass --insecure-http on a closed LAN",
            file=sys.stderr,
        )
        return 2
    else:
        tls = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    # The client's address is the connection's, unless it comes through a proxy the
    # organiser named: a forged X-Forwarded-For must not dodge the enrolment limits.
    trusted = config.trusted_proxies.strip()
    proxies: dict[str, Any] = {"proxy_headers": bool(trusted)}
    if trusted:
        proxies["forwarded_allow_ips"] = trusted
    upgrade(url)
    if workers == 1:
        app = create_app(config, database_url=url, freeze_at_start=True)
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="info",
            timeout_graceful_shutdown=GRACE_SECONDS,
            **tls,
            **proxies,
        )
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
    os.environ["ADMITONE_SERVER_INSECURE_HTTP"] = "1" if config.insecure_http else "0"
    uvicorn.run(
        "sync.server.app:app_from_config",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        timeout_graceful_shutdown=GRACE_SECONDS,
        **tls,
        **proxies,
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
    result = init(config, url, token_name=args.name)
    print(f"admin token (shown once, store it safely): {result.admin_token}")
    state = "created" if result.created_key else "already active"
    print(f"issuing key {result.kid} {state} in {config.resolved_keys_dir()}")
    if args.owner:
        _add_account(args, args.owner, "owner")
    return 0


def _add_account(args: argparse.Namespace, email: str, role: str) -> None:
    """A console account: the password is asked for at a terminal; elsewhere (a script)
    one is made up, printed once, and must be changed at the first sign-in."""
    import getpass

    from sync.server.services.accounts import Role, create_account, generated_password

    password = ""
    if sys.stdin.isatty():
        password = getpass.getpass(f"password for {email} (at least 10 characters): ")
        if password != getpass.getpass("the same again: "):
            raise ValueError("the two passwords differ; run the command again")
    with _state(args) as state:
        made_up = not password
        create_account(
            state,
            email,
            password or (password := generated_password()),
            Role(role),
            must_change_password=made_up,
        )
    print(f"console account {email} ({role}) created")
    if made_up:
        print(f"one-time password (shown once, change it at the first sign-in): {password}")


def cmd_add_account(args: argparse.Namespace) -> int:
    _add_account(args, args.email, args.role)
    return 0


@contextmanager
def _state(args: argparse.Namespace) -> Iterator[Any]:
    """The server's state on the configured database, for one administrative action
    run beside (or without) the running server: the services, with no app and no
    HTTP.  A service's refusal (no such event or kiosk) becomes the command line's
    "Error: …", exit 2."""
    from sync.server.errors import ServiceError
    from sync.server.state import open_server_state

    config, url = _existing_database(args)
    state = open_server_state(config, database_url=url)
    try:
        yield state
    except ServiceError as exc:
        raise ValueError(str(exc)) from exc
    finally:
        state.db.dispose()


def cmd_enrol_code(args: argparse.Namespace) -> int:
    from sync.server.services.devices import create_enrolment_code

    with _state(args) as state:
        code = create_enrolment_code(state, args.event, args.gate)
    print(code.code)
    log.info("enrolment code for event %d at %s expires %s", args.event, args.gate, code.expires_at)
    return 0


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((now - moment).total_seconds())
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def cmd_devices(args: argparse.Namespace) -> int:
    from sync.server.services.devices import all_devices

    with _state(args) as state:
        devices = all_devices(state)
    if not devices:
        print("no kiosks enrolled yet; make a code with 'admitone server enrol-code'")
        return 0
    now = datetime.now(UTC)
    rows = [("DEVICE", "GATE", "EVENTS", "LAST SEEN", "CLOCK", "QUARANTINED", "STATUS")] + [
        (
            d.device_id,
            d.gate,
            ",".join(str(e) for e in d.event_ids) or "-",
            _ago(d.last_seen, now),
            "-" if d.clock_skew_seconds is None else f"{d.clock_skew_seconds:+.0f} s",
            str(d.quarantined),
            "revoked" if d.revoked_at is not None else "enrolled",
        )
        for d in devices
    ]
    _print_table(rows)
    return 0


def _print_table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def cmd_revoke_device(args: argparse.Namespace) -> int:
    from sync.server.principals import PRINCIPAL_TTL
    from sync.server.services.devices import revoke

    with _state(args) as state:
        revoke(state, args.device_id)
    print(
        f"kiosk {args.device_id} revoked: its token stops working within "
        f"{PRINCIPAL_TTL:.0f} s; a new enrolment code lets it back"
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from sync.server.services.catalog import event_name_and_zone
    from sync.server.services.reports import event_attendance, event_conflicts

    with _state(args) as state:
        name, timezone = event_name_and_zone(state, args.event)
        zone = ZoneInfo(timezone)
        attendance = event_attendance(state, args.event)
        conflicts = event_conflicts(state, args.event)
    print(f"{name} (event {args.event}), times in {zone.key}")
    print(
        f"admitted {attendance.admitted}, inside now {attendance.inside_now}, "
        f"exits {attendance.exits}"
    )
    for gate, count in sorted(attendance.by_gate.items()):
        print(f"  {gate}: {count} admitted")
    for quarter in attendance.by_quarter_hour[-8:]:  # the latest eight quarters with admits
        print(f"  {quarter.start.astimezone(zone):%H:%M}  {quarter.admitted} admitted")
    if not conflicts:
        print("no conflicts")
    for c in conflicts:
        print(
            f"CONFLICT ticket {c.ticket_id} ({c.zone}): admitted at {c.first_gate} "
            f"{c.first_at.astimezone(zone):%H:%M:%S} and at {c.second_gate} "
            f"{c.second_at.astimezone(zone):%H:%M:%S} with no exit between"
        )
    return 0


def cmd_admin_tokens(args: argparse.Namespace) -> int:
    from sync.server.admin import admin_tokens

    _, url = _existing_database(args)
    now = datetime.now(UTC)
    rows = [("ID", "NAME", "CREATED")] + [
        (str(t.id), t.name, _ago(t.created_at, now)) for t in admin_tokens(url)
    ]
    _print_table(rows)
    return 0


def cmd_revoke_admin(args: argparse.Namespace) -> int:
    from sync.server.admin import revoke_admin_token
    from sync.server.principals import PRINCIPAL_TTL

    _, url = _existing_database(args)
    if not revoke_admin_token(url, args.token_id):
        print(
            f"Error: no admin token {args.token_id}; 'admitone server admin-tokens' lists them",
            file=sys.stderr,
        )
        return 2
    print(
        f"admin token {args.token_id} revoked: it stops working within {PRINCIPAL_TTL:.0f} s; "
        "'admitone server init --name NAME' makes a new one"
    )
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from sync.server.admin import backup_sqlite

    config, url = _config(args)
    shown = -1

    def progress(done: int, total: int) -> None:
        nonlocal shown
        percent = done * 100 // max(total, 1)
        if percent // 10 != shown // 10:
            shown = percent
            print(f"  {percent}% ({done:,} of {total:,} pages)", file=sys.stderr)

    pages = backup_sqlite(url, Path(args.target), progress)
    print(
        f"backed up {pages:,} pages to {args.target}; the issuing keys are not in it: "
        f"keep a copy of {config.resolved_keys_dir()} somewhere safe too"
    )
    return 0


def register(commands: Any) -> None:
    server = commands.add_parser("server", help="run and administer the sync server")
    server.add_argument("--database", help="database URL (default: SQLite in the data dir)")
    server.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    server.add_argument("--port", type=int, help="port (default 8645)")
    server.add_argument("--workers", type=int, help="server processes sharing the port (default 1)")
    server.add_argument(
        "--insecure-http",
        action="store_true",
        help="serve plain HTTP instead of HTTPS (codes and tokens in clear: closed LAN only)",
    )
    server.set_defaults(handler=cmd_run)
    actions = server.add_subparsers(dest="server_command", metavar="ACTION")

    def action(name: str, handler: Any, text: str) -> argparse.ArgumentParser:
        """An ACTION taking --database (which the parent command also accepts)."""
        parser: argparse.ArgumentParser = actions.add_parser(name, help=text)
        parser.add_argument("--database", default=argparse.SUPPRESS, help="database URL")
        parser.set_defaults(handler=handler)
        return parser

    run = action("run", cmd_run, "start the server (the default)")
    run.add_argument("--host", default=argparse.SUPPRESS)
    run.add_argument("--port", type=int, default=argparse.SUPPRESS)
    run.add_argument("--workers", type=int, default=argparse.SUPPRESS)
    run.add_argument("--insecure-http", action="store_true", default=argparse.SUPPRESS)
    action("migrate", cmd_migrate, "bring the database to the latest schema")
    init = action("init", cmd_init, "create an admin token (and, the first time, the issuing key)")
    init.add_argument("--name", default="admin", help="who or what the admin token is for")
    init.add_argument("--owner", metavar="EMAIL", help="also create the console's first owner")
    account = action("add-account", cmd_add_account, "create a console account")
    account.add_argument("email")
    account.add_argument(
        "--role", choices=["owner", "box_office", "door_viewer"], default="box_office"
    )
    code = action("enrol-code", cmd_enrol_code, "make a one-time kiosk enrolment code")
    code.add_argument("--event", type=int, required=True, help="event id")
    code.add_argument("--gate", required=True, help="gate name shown on the kiosk")
    action("devices", cmd_devices, "list kiosks: gate, last seen, clock, status")
    revoke = action("revoke-device", cmd_revoke_device, "stop a lost or stolen kiosk's token")
    revoke.add_argument("device_id", help="as 'admitone server devices' lists it")
    action("admin-tokens", cmd_admin_tokens, "list admin tokens (ids and names)")
    revoke_admin = action("revoke-admin", cmd_revoke_admin, "revoke a leaked admin token")
    revoke_admin.add_argument(
        "token_id", type=int, help="as 'admitone server admin-tokens' lists it"
    )
    backup = action("backup", cmd_backup, "copy the SQLite database while it runs")
    backup.add_argument("target", help="a new file for the copy")
    report = action("report", cmd_report, "an event's attendance and conflicts")
    report.add_argument("--event", type=int, required=True, help="event id")
