"""What one server process holds: configuration, the database, key cache.

Nothing here is shared state that several processes would need to agree on:
everything that must agree lives in the database, so any number of server
processes can run behind a load balancer on one PostgreSQL database.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Depends, Request

from sync.config import ServerConfig
from sync.server.db import Database


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


def server_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.admitone
    return state


State = Annotated[ServerState, Depends(server_state)]
"""The route parameter type that hands a route this process's :class:`ServerState`."""
