"""Operator actions behind ``admitone server init`` and friends."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, make_url, select

from sync.config import ServerConfig
from sync.server import changes, issuing
from sync.server.db import Database, sqlite_file
from sync.server.manifest_key import manifest_signing_key
from sync.server.migrate import upgrade
from sync.server.models import AdminToken, SigningKey
from sync.server.principals import hash_secret, new_token
from sync.server.tls import make_certificate


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
        manifest_signing_key(config.resolved_keys_dir())
        cert, key_file = config.resolved_tls()
        if not cert.exists() and not config.tls_cert:
            make_certificate(cert, key_file)
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


class BackupError(ValueError):
    """A backup that cannot be made; the message says what to do instead (a
    ValueError, so the command line reports it as "Error: …", exit 2)."""


def backup_sqlite(
    url: str, target: Path, progress: Callable[[int, int], None] | None = None
) -> int:
    """Copy the server's SQLite database to ``target`` while the server keeps running.

    SQLite's online backup copies a consistent snapshot page by page, in steps, so
    writers wait only for a step at a time.  The copy is written beside ``target``
    and renamed into place after an integrity check, so a backup that is killed
    never leaves a file that looks complete.  Returns the number of pages copied.
    """
    source_path = sqlite_file(url)
    if source_path is None:
        raise BackupError(
            "this database is PostgreSQL: back it up with pg_dump, for example "
            f"pg_dump -Fc -f admitone.dump '{make_url(url).set(drivername='postgresql')}'"
        )
    if not source_path.is_file():
        raise BackupError(f"no database at {source_path}; check --database")
    if target.exists():
        raise BackupError(f"{target} exists; a backup never overwrites, choose a new name")
    if not target.parent.is_dir():
        raise BackupError(f"there is no folder {target.parent}; create it or choose another")
    partial = target.with_name(target.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        pages = _copy(source_path, partial, progress)
        partial.rename(target)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"could not write {target} ({exc}); check the disk and retry") from exc
    return pages


def _copy(source_path: Path, partial: Path, progress: Callable[[int, int], None] | None) -> int:
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(partial)
    try:
        source.backup(
            copy,
            pages=1024,
            progress=(lambda _status, left, total: progress(total - left, total))
            if progress is not None
            else None,
        )
        pages: int = copy.execute("PRAGMA page_count").fetchone()[0]
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("the copy failed its integrity check")
    finally:
        copy.close()
        source.close()
    return pages
