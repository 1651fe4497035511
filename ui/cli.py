"""``admitone kiosk …``: enrol, sync (and, with the UI, run the kiosk)."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scanner.limits import MAX_GATE_NAME
from sync.config import load_config


def _store_path(args: argparse.Namespace) -> Path:
    return Path(args.store) if args.store else load_config().kiosk.resolved_store()


def cmd_enrol(args: argparse.Namespace) -> int:
    from scanner.store import Store
    from sync.client import SyncClient, SyncError

    with Store.open(_store_path(args)) as store:
        client = SyncClient(store)

        def progress(changes: int, pages: int) -> None:
            print(f"  manifest: {changes:,} changes in {pages} pages", file=sys.stderr)

        try:
            answer = client.enrol(
                args.server,
                args.code,
                device_name=args.name,
                insecure_http=args.insecure_http,
                progress=progress,
            )
        except SyncError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 1
        print(
            f"enrolled {answer.device_id} as {answer.gate} for events "
            f"{', '.join(map(str, answer.event_ids))}; {store.ticket_count():,} tickets in "
            f"{store.path}"
        )
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from scanner.store import Store
    from sync.client import SyncClient, SyncError

    with Store.open(_store_path(args)) as store:
        client = SyncClient(store, page_size=args.page_size)
        try:
            pushed, pulled = client.sync_once()
        except SyncError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 1
        status = client.status()
        print(
            f"pushed {pushed.stored} scans ({pushed.duplicates} already on the server, "
            f"{pushed.rejected} rejected); pulled {pulled.changes} changes in "
            f"{pulled.pages} pages; {status.pending_uploads} scans pending; "
            f"clock skew {status.clock_skew_seconds or 0:+.1f} s"
        )
    return 0


def _bounded(limit: int) -> Callable[[str], str]:
    """An argparse type: text of at most ``limit`` characters, as the sync wire carries."""

    def check(text: str) -> str:
        if len(text) > limit:
            raise argparse.ArgumentTypeError(f"at most {limit} characters")
        return text

    return check


def cmd_run(args: argparse.Namespace) -> int:
    from ui.app import run

    config = load_config().kiosk
    source = (
        args.source
        if args.source is not None
        else (args.camera if args.camera is not None else config.camera)
    )
    return run(
        config,
        store_path=_store_path(args),
        source=source,
        fullscreen=not args.windowed,
        language=args.language,
        mode=args.mode,
    )


def cmd_set_pin(args: argparse.Namespace) -> int:
    from scanner.store import Store
    from scanner.supervisor import PinLockedError, SupervisorPin

    with Store.open(_store_path(args)) as store:
        pin = SupervisorPin(store)
        current = args.current
        if pin.is_set and current is None and sys.stdin.isatty():
            current = getpass.getpass("current supervisor PIN: ")
        try:
            pin.set(args.pin, current=current)
        except PinLockedError as exc:
            print(f"Error: {exc}; try again later", file=sys.stderr)
            return 2
        except ValueError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 2
    print("supervisor PIN set")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ui.demo.kiosk import run_demo

    try:
        return run_demo(Path(args.workdir), port=args.port, camera=args.camera)
    except RuntimeError as exc:  # the demo's server would not start: the message says why
        print(f"Error: {exc}", file=sys.stderr)
        return 2


def cmd_offline_demo(args: argparse.Namespace) -> int:
    from ui.demo.offline import run_offline_demo

    for line in run_offline_demo(Path(args.workdir) if args.workdir else None):
        print(line)
    return 0


def register(commands: Any) -> None:
    offline = commands.add_parser("demo", help="run the offline demo and print the verdicts")
    offline.add_argument("--workdir", help="keep the demo's key and database here")
    offline.set_defaults(handler=cmd_offline_demo)
    kiosk = commands.add_parser("kiosk", help="the gate kiosk: run it, enrol, sync")
    kiosk.add_argument("--store", help="kiosk database (default: in the data directory)")
    kiosk.add_argument("--camera", help="camera index or device path (default from config)")
    kiosk.add_argument("--source", help="a video file or image folder instead of a camera")
    kiosk.add_argument("--windowed", action="store_true", help="not full screen")
    kiosk.add_argument("--language", help="en or id (default from config)")
    kiosk.add_argument("--mode", default="entry", choices=["entry", "exit", "reentry", "vip"])
    kiosk.set_defaults(handler=cmd_run)
    actions = kiosk.add_subparsers(dest="kiosk_command", metavar="ACTION")
    demo = actions.add_parser("demo", help="server, demo event, enrolled kiosk, gate video")
    demo.add_argument("--workdir", default="demo", help="where the demo's files go")
    demo.add_argument("--port", type=int, default=8645)
    demo.set_defaults(handler=cmd_demo)
    set_pin = actions.add_parser("set-pin", help="set the supervisor PIN")
    set_pin.add_argument("pin")
    set_pin.add_argument("--current", help="the PIN set now (asked for when not given)")
    set_pin.set_defaults(handler=cmd_set_pin)
    enrol = actions.add_parser("enrol", help="enrol with the sync server using a one-time code")
    enrol.add_argument("--server", required=True, help="server URL, e.g. https://10.0.0.5:8645")
    enrol.add_argument(
        "--insecure-http",
        action="store_true",
        help="allow a plain http:// server (code and token in clear: closed LAN only)",
    )
    enrol.add_argument("--code", required=True, help="one-time enrolment code")
    enrol.add_argument(
        "--name", default="", type=_bounded(MAX_GATE_NAME), help="a name for this kiosk"
    )
    enrol.set_defaults(handler=cmd_enrol)
    sync = actions.add_parser("sync", help="run one sync cycle now and report")
    sync.add_argument("--page-size", type=int, default=5000, help="manifest changes per page")
    sync.set_defaults(handler=cmd_sync)
