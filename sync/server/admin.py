"""Operator actions behind ``admitone server init`` and friends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from sync.config import ServerConfig
from sync.server import changes, issuing
from sync.server.auth import hash_secret, new_token
from sync.server.db import Database
from sync.server.migrate import upgrade
from sync.server.models import AdminToken, SigningKey


@dataclass(frozen=True)
class InitResult:
    admin_token: str
    kid: str
    created_key: bool


def init(config: ServerConfig, url: str, *, token_name: str = "admin") -> InitResult:
    """Migrate, create an admin token (returned once, stored hashed) and an issuing key
    unless one is active already."""
    upgrade(url)
    db = Database(url)
    try:
        token = new_token()
        with db.write() as session:
            changes.ensure_counter(session)
            session.add(AdminToken(name=token_name, token_hash=hash_secret(token)))
            key = session.scalar(select(SigningKey).where(SigningKey.active.is_(True)))
            created = key is None
            if key is None:
                key = issuing.create_key(session, config.resolved_keys_dir())
            kid = key.kid
        return InitResult(token, kid, created)
    finally:
        db.dispose()


@dataclass(frozen=True)
class AdminTokenInfo:
    id: int
    name: str
    created_at: datetime


def admin_tokens(url: str) -> list[AdminTokenInfo]:
    """Every admin token's id, name and age (never the token: only its hash is kept)."""
    db = Database(url)
    try:
        with db.read() as session:
            rows = session.scalars(select(AdminToken).order_by(AdminToken.id))
            return [AdminTokenInfo(t.id, t.name, t.created_at) for t in rows]
    finally:
        db.dispose()


def revoke_admin_token(url: str, token_id: int) -> bool:
    """Delete an admin token (a leaked one, or a person who left); False if unknown.
    ``admitone server init`` makes a new one, so revoking the last is no lockout."""
    db = Database(url)
    try:
        with db.write() as session:
            deleted = session.execute(delete(AdminToken).where(AdminToken.id == token_id))
            return bool(deleted.rowcount)  # type: ignore[attr-defined]
    finally:
        db.dispose()
