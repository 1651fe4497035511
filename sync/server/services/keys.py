"""The issuing keys: list, rotate (a new active key), retire (stop trusting an old one)."""

from __future__ import annotations

from sqlalchemy import select

from sync.server import issuing
from sync.server.errors import NotFound
from sync.server.models import SigningKey
from sync.server.schemas import KeyOut
from sync.server.state import ServerState


def _key_out(key: SigningKey) -> KeyOut:
    return KeyOut(
        kid=key.kid,
        public_key_hex=key.public_key.hex(),
        active=key.active,
        retired=key.retired_at is not None,
    )


def list_keys(state: ServerState) -> list[KeyOut]:
    with state.db.read() as session:
        return [
            _key_out(k) for k in session.scalars(select(SigningKey).order_by(SigningKey.created_at))
        ]


def rotate_key(state: ServerState) -> KeyOut:
    """A new issuing key; tickets signed by older keys keep verifying until retired."""
    with state.db.write() as session:
        return _key_out(issuing.create_key(session, state.keys_dir))


def retire_key(state: ServerState, kid: str) -> KeyOut:
    with state.db.write() as session:
        key = issuing.retire_key(session, kid)
        if key is None:
            raise NotFound(f"no key {kid}")
        return _key_out(key)
