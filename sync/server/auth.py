"""Admin and device credentials: bearer tokens stored only as SHA-256 hashes.

Tokens are 256 random bits, so a plain SHA-256 is the right hash (a slow
password hash protects low-entropy secrets; these are not).  Scopes are
separate: an admin token manages everything; a device token reads the events
it is enrolled for and pushes its own scans, nothing else.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import select

from sync.server.models import AdminToken, Device, DeviceEvent
from sync.server.state import ServerState, State


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


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


PRINCIPAL_TTL = 2.0
"""Seconds a looked-up token is remembered in this process.  Every kiosk calls every
few seconds; two queries saved per request is a fifth of a sync cycle.  A revoked
token keeps working for at most this long on a process that saw it just before."""


def authenticate(request: Request, state: State) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
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
            raise _unauthorized(
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
    raise _unauthorized("unknown or revoked token")


def forget_device(state: ServerState, device_id: str) -> None:
    """Drop a device's cached token in this process, so a revocation bites at once here
    (other processes notice within ``PRINCIPAL_TTL``)."""
    with state.principals_lock:
        for digest, (_, principal) in list(state.principals.items()):
            if principal.device_id == device_id:
                del state.principals[digest]


def require_admin(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
    if not principal.is_admin:
        raise HTTPException(403, "this needs an admin token; device tokens cannot do it")
    return principal


def require_device(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
    if principal.kind != "device":
        raise HTTPException(403, "this route is for enrolled kiosks; use a device token")
    return principal


AnyPrincipal = Annotated[Principal, Depends(authenticate)]
Admin = Annotated[Principal, Depends(require_admin)]
DevicePrincipal = Annotated[Principal, Depends(require_device)]
