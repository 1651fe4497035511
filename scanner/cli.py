"""``admitone``: the command line, a thin skin over the library.

Subcommands of other packages (``server`` from ``sync.server``, ``kiosk`` and
``demo`` from ``ui``) are found through the ``admitone.commands`` entry-point group,
so this module never imports them and ``scanner`` stays free of ``sync`` and Qt.
The bare package (``pip install admitone``) gives the ticket tools; the kiosk and
the server come with their extras (``admitone[kiosk]``, ``admitone[server]``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from importlib.metadata import entry_points
from pathlib import Path

from scanner.keys import KeyFileError, Keyring, generate_key, load_private_key
from scanner.ticket import (
    Seat,
    TicketClaims,
    TicketFormatError,
    decode_unverified,
    new_ticket_id,
    sign,
    verify,
)

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]

EXTRA_FOR_MODULE = {
    **dict.fromkeys(
        ["PySide6", "cv2", "numpy", "zxingcpp", "pyzbar", "apscheduler", "httpx"], "kiosk"
    ),
    **dict.fromkeys(
        ["fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg"], "server"
    ),
    "pydantic": "kiosk",  # or server: both have it
}
"""The bare package is the ticket tools; a command of the kiosk's or the server's
that finds its libraries missing says which extra to install."""


class UsageError(Exception):
    """A mistake in what the operator typed; the message says how to fix it."""


def _aware(text: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(
            f"{option}: {text!r} is not an ISO date-time, e.g. 2026-11-24T19:00+07:00"
        ) from exc
    if moment.tzinfo is None:
        raise UsageError(f"{option}: add a time zone offset, e.g. {text}+07:00")
    return moment


def cmd_keygen(args: argparse.Namespace) -> int:
    kid, private_path, public_path = generate_key(Path(args.out))
    log.info("wrote %s (private, mode 0600) and %s", private_path, public_path)
    print(kid)
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    key = load_private_key(Path(args.key))
    zones = frozenset(z.strip() for z in args.zones.split(",") if z.strip())
    claims = TicketClaims(
        ticket_id=bytes.fromhex(args.ticket_id) if args.ticket_id else new_ticket_id(),
        event_id=args.event,
        ticket_type=args.type,
        zones=zones or frozenset({"main"}),
        valid_from=_aware(args.valid_from, "--valid-from") if args.valid_from else None,
        valid_until=_aware(args.valid_until, "--valid-until") if args.valid_until else None,
        seat=Seat.parse(args.seat) if args.seat else None,
        accessible=args.accessible,
    )
    text = sign(claims, key)
    if args.png:
        import segno  # only operators asking for images pay for the import

        segno.make_qr(text, error="m", boost_error=False).save(args.png, scale=8, border=4)
    print(text)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    keyring = Keyring.from_directory(Path(args.keys))
    result = verify(args.text, keyring)
    if args.json:
        doc: dict[str, object] = {"genuine": result.genuine, "key_id": result.key_id}
        if result.claims is not None:
            doc["claims"] = result.claims.as_dict()
        else:
            doc["reason"] = str(result.rejection)
        print(json.dumps(doc, indent=2, sort_keys=True))
    elif result.claims is not None:
        for name, value in result.claims.as_dict().items():
            print(f"{name}: {value}")
        print(f"key_id: {result.key_id}")
    else:
        print(f"not genuine: {result.rejection}")
        inside = decode_unverified(args.text)
        if not isinstance(inside, str):
            print(f"(unverified claims: ticket {inside[1].ticket_hex}, event {inside[1].event_id})")
    return 0 if result.genuine else 1


def cmd_decode(args: argparse.Namespace) -> int:
    import cv2

    from scanner.decode import LayeredDecoder, make_decoder

    decoder = make_decoder(args.backend)
    ring = Keyring.from_directory(Path(args.keys)) if args.keys else None
    if ring is not None and isinstance(decoder, LayeredDecoder):
        decoder.accept = lambda text: verify(text, ring).genuine
    status = 0
    for path in args.images:
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        if image is None:
            print(f"{path}: not an image OpenCV can read", file=sys.stderr)
            status = 1
            continue
        if args.explain:
            if not isinstance(decoder, LayeredDecoder):
                raise UsageError("--explain shows the layered decoder's passes; drop --backend")
            explanation = decoder.explain(image)
            print(f"{path}:")
            for attempt in explanation.attempts:
                read = ", ".join(_short(t) for t in attempt.texts) or "nothing"
                mark = " (verifies)" if attempt.accepted else ""
                print(f"  {attempt.ms:7.1f} ms  {attempt.name}: {read}{mark}")
            total = sum(a.ms for a in explanation.attempts)
            print(
                f"  {total:7.1f} ms  in all; read: "
                + (", ".join(_short(c.text) for c in explanation.codes) or "nothing")
            )
            status = status or (0 if explanation.codes else 1)
            continue
        codes = decoder.decode(image)
        if not codes:
            print(f"{path}: no QR code found", file=sys.stderr)
            status = 1
        for code in codes:
            print(f"{path}\t{code.text}")
    return status


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="admitone", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ticket = commands.add_parser("ticket", help="make keys, sign and verify tickets")
    ticket_commands = ticket.add_subparsers(dest="ticket_command", required=True, metavar="ACTION")

    keygen = ticket_commands.add_parser("keygen", help="create an Ed25519 issuing key pair")
    keygen.add_argument("--out", required=True, help="directory for <kid>.key and <kid>.pub")
    keygen.set_defaults(handler=cmd_keygen)

    sign_p = ticket_commands.add_parser("sign", help="sign a ticket and print its QR text")
    sign_p.add_argument("--key", required=True, help="private key file (<kid>.key)")
    sign_p.add_argument("--event", required=True, type=int, help="event id")
    sign_p.add_argument("--type", default="GA", help="ticket type code (default GA)")
    sign_p.add_argument("--zones", default="main", help="comma-separated zones (default main)")
    sign_p.add_argument("--seat", help="reserved seat as SECTION/ROW/NUMBER")
    sign_p.add_argument("--accessible", action="store_true", help="accessible seating/entry")
    sign_p.add_argument("--valid-from", help="start of validity, ISO with offset")
    sign_p.add_argument("--valid-until", help="end of validity, ISO with offset")
    sign_p.add_argument("--ticket-id", help="20 hex digits (default: random)")
    sign_p.add_argument("--png", help="also write the QR code as a PNG image")
    sign_p.set_defaults(handler=cmd_sign)

    verify_p = ticket_commands.add_parser("verify", help="check a ticket's QR text")
    verify_p.add_argument("--keys", required=True, help="directory of *.pub keys")
    verify_p.add_argument("--json", action="store_true", help="machine-readable output")
    verify_p.add_argument("text", help="the QR text")
    verify_p.set_defaults(handler=cmd_verify)

    decode = commands.add_parser("decode", help="print the QR codes found in images")
    decode.add_argument(
        "--backend", default="layered", help="layered (default), zxing, zbar, opencv or wechat"
    )
    decode.add_argument(
        "--explain",
        action="store_true",
        help="show each pass of the layered decoder, its time and what it read",
    )
    decode.add_argument("--keys", help="directory of *.pub keys: say which read verifies")
    decode.add_argument("images", nargs="+", metavar="IMAGE")
    decode.set_defaults(handler=cmd_decode)

    for plugin in entry_points(group="admitone.commands"):
        register: Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]
        register = plugin.load()
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler: Handler = args.handler
    try:
        return handler(args)
    except (UsageError, KeyFileError, TicketFormatError, ValueError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        extra = EXTRA_FOR_MODULE.get((exc.name or "").split(".")[0])
        if extra is None:
            raise
        print(
            f"Error: '{args.command}' needs {exc.name}, which this installation lacks; "
            f"install it with: pip install 'admitone[{extra}]'",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
