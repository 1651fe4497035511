"""What one server process holds: configuration, the database, key cache.

Nothing here is shared state that several processes would need to agree on:
everything that must agree lives in the database, so any number of server
processes can run behind a load balancer on one PostgreSQL database.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import anyio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner.keys import public_raw
from sync.config import ServerConfig
from sync.server import changes
from sync.server.db import Database
from sync.server.delivery.links import link_secret
from sync.server.manifest_key import manifest_signing_key
from sync.server.memo import Memo
from sync.server.tls import certificate_sha256
from sync.trust import fingerprint


@dataclass
class ServerState:
    config: ServerConfig
    db: Database
    keys_dir: Path
    private_keys: dict[str, Ed25519PrivateKey] = field(default_factory=dict)
    """A read-through cache of key files; the database says which key is active."""
    principals: dict[str, tuple[float, Any]] = field(default_factory=dict)
    """Token hash -> (looked up at, principal): a two-second cache (see ``auth``)."""
    principals_lock: threading.Lock = field(default_factory=threading.Lock)
    manifest_key: Ed25519PrivateKey | None = None
    """Signs every manifest page (see ``sync.trust``)."""
    certificate_sha256: bytes | None = None
    """The SHA-256 of the HTTPS certificate this server presents, when it has one."""
    memo: Memo = field(default_factory=Memo)
    """What this process works out at most once a second or so (``memo``)."""
    mail_wake: threading.Event = field(default_factory=threading.Event)
    """Set when mail was queued: the mail worker sends it now, not at its next round."""

    @cached_property
    def waiting_room_lane(self) -> anyio.CapacityLimiter:
        """The waiting room's own threads (``waiting_room_threads``); made on first use
        inside the server's event loop, as anyio wants."""
        return anyio.CapacityLimiter(max(1, self.config.waiting_room_threads))

    @cached_property
    def link_secret(self) -> bytes:
        """The secret ticket links and queue tickets are signed with: read once per
        process (every waiting visitor's poll checks one), made on first use."""
        return link_secret(self.keys_dir)

    @property
    def manifest_public(self) -> bytes:
        assert self.manifest_key is not None
        return public_raw(self.manifest_key.public_key())

    @property
    def pin(self) -> str:
        """The fingerprint every enrolment code of this server carries."""
        return fingerprint(self.manifest_public, self.certificate_sha256)


def _certificate_pin(config: ServerConfig) -> bytes | None:
    """The SHA-256 of the server's certificate, which every enrolment code's fingerprint
    covers (also when serving plain http: the codes stay the same either way)."""
    cert, _ = config.resolved_tls()
    return certificate_sha256(cert) if cert.exists() else None


def open_server_state(config: ServerConfig, *, database_url: str | None = None) -> ServerState:
    """What a server process holds (database, keys, pins), without any HTTP: the app
    is built around it, and the console commands use it directly."""
    url = database_url or config.resolved_database_url()
    db = Database(url)
    keys_dir = Path(config.resolved_keys_dir())
    state = ServerState(
        config=config,
        db=db,
        keys_dir=keys_dir,
        manifest_key=manifest_signing_key(keys_dir),
        certificate_sha256=_certificate_pin(config),
    )
    with db.write() as session:
        changes.ensure_counter(session)
    return state
