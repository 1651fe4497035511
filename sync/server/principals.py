"""Who is calling: admin and device tokens, stored only as SHA-256 hashes.

Tokens are 256 random bits, so a plain SHA-256 is the right hash (a slow
password hash protects low-entropy secrets; these are not).  Scopes are
separate: an admin token manages everything; a device token reads the events
it is enrolled for and pushes its own scans, nothing else.  HTTP-free: the
routes read the bearer header (``sync.server.deps``), this module says whose it is.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select

from sync.server.errors import Unauthorized
from sync.server.models import AdminToken, Device, DeviceEvent
from sync.server.state import ServerState


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Principal:
    kind: str  # "admin" or "device"
    name: str
    device_id: str | None = None
    gate: str = ""
    event_ids: frozenset[int] = frozenset()

    @property
    def is_admin(self) -> bool:
        return self.kind == "admin"

    def can_read_event(self, event_id: int) -> bool:
        return self.is_admin or event_id in self.event_ids


PRINCIPAL_TTL = 2.0
"""Seconds a looked-up token is remembered in this process.  Every kiosk calls every
few seconds; two queries saved per request is a fifth of a sync cycle.  A revoked
token keeps working for at most this long on a process that saw it just before."""


def principal_for_token(state: ServerState, token: str) -> Principal:
    """The admin or kiosk holding ``token``; :class:`Unauthorized` for anyone else."""
    if not token.strip():
        raise Unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
    digest = hash_secret(token.strip())
    now = time.monotonic()
    with state.principals_lock:
        cached = state.principals.get(digest)
    if cached is not None and now - cached[0] < PRINCIPAL_TTL:
        principal: Principal = cached[1]
        return principal
    principal = _lookup(state, digest)
    with state.principals_lock:
        if len(state.principals) > 10_000:
            state.principals.clear()
        state.principals[digest] = (now, principal)
    return principal


def _lookup(state: ServerState, digest: str) -> Principal:
    with state.db.read() as session:
        admin = session.scalar(select(AdminToken).where(AdminToken.token_hash == digest))
        if admin is not None:
            return Principal("admin", admin.name)
        device = session.scalar(select(Device).where(Device.token_hash == digest))
        if device is not None and device.revoked_at is not None:
            raise Unauthorized(
                "this kiosk was revoked by the organiser; ask for a new enrolment code"
            )
        if device is not None:
            events = session.scalars(
                select(DeviceEvent.event_id).where(DeviceEvent.device_id == device.device_id)
            )
            return Principal(
                "device",
                device.name or device.device_id,
                device.device_id,
                device.gate,
                frozenset(events),
            )
    raise Unauthorized("unknown or revoked token")


def forget_device(state: ServerState, device_id: str) -> None:
    """Drop a device's cached token in this process, so a revocation bites at once here
    (other processes notice within ``PRINCIPAL_TTL``)."""
    with state.principals_lock:
        for digest, (_, principal) in list(state.principals.items()):
            if principal.device_id == device_id:
                del state.principals[digest]
