"""Unguessable links to a ticket's own page: ``/t/{ticket id}.{MAC}``.

The MAC is HMAC-SHA256 of the ticket id under a secret kept in the server's keys
directory (made on first use), cut to 128 bits: nothing is stored per ticket, a link
cannot be guessed from a ticket id, and a transferred ticket's new id has a new link.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_FILE = "ticket-links.key"


def link_secret(keys_dir: Path) -> bytes:
    """The secret, created (0600) the first time it is asked for.

    Made whole or not at all: written to a file of its own, then linked into place
    (``link`` fails when the name exists, so the first process wins and the others
    read its secret).  Written in place, a second worker process starting at the same
    moment could read the file before the first had written it, keep an empty secret
    for its lifetime, and refuse every link and queue ticket the first one signed."""
    path = keys_dir / SECRET_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    keys_dir.mkdir(parents=True, exist_ok=True)
    draft = keys_dir / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(secrets.token_bytes(32))
        with contextlib.suppress(FileExistsError):  # another process was first: theirs
            os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)
    return path.read_bytes()


def _mac(secret: bytes, purpose: str, value: str) -> str:
    digest = hmac.new(secret, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def signed(secret: bytes, purpose: str, value: str) -> str:
    """``value.MAC``: the MAC binds the value to its purpose, so a token made for one
    thing (a ticket page) is never good for another (a place in the queue)."""
    return f"{value}.{_mac(secret, purpose, value)}"


def value_of(secret: bytes, purpose: str, token: str) -> str | None:
    """The value a token carries, or None when the token was not made here for it."""
    value, _, mac = token.rpartition(".")
    if not value or len(token) > 100:
        return None
    if not hmac.compare_digest(mac.encode(), _mac(secret, purpose, value).encode()):
        return None
    return value


def ticket_token(secret: bytes, ticket_id: str) -> str:
    return signed(secret, "ticket-page", ticket_id)


def ticket_path(secret: bytes, ticket_id: str) -> str:
    """The ticket's own page, relative to the server's public address."""
    return f"/t/{ticket_token(secret, ticket_id)}"


def ticket_of_token(secret: bytes, token: str) -> str | None:
    """The ticket id a token is for, or None when the token was not made here."""
    return value_of(secret, "ticket-page", token)
