"""Shared fixtures: a real issuing key, a real SQLite store on disk, gates."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # Qt tests run without a screen

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.pg import PostgresCluster
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner import (
    Checkpoint,
    EventRecord,
    Gate,
    Mode,
    Seat,
    Store,
    TicketClaims,
    TicketRecord,
    new_ticket_id,
    preset,
    sign,
)
from scanner.keys import new_private_key
from ui.demo.scene import forged_copy

EVENT = EventRecord(
    event_id=42,
    name="Harbour Nights",
    timezone="Asia/Jakarta",
    allow_reentry=False,
)
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def issuer() -> Ed25519PrivateKey:
    """An issuing key as the product makes them (no code begins with a space or '-')."""
    return new_private_key()


@pytest.fixture
def store(tmp_path: Path, issuer: Ed25519PrivateKey) -> Iterator[Store]:
    with Store.open(tmp_path / "kiosk.db") as opened:
        opened.upsert_events([EVENT])
        opened.add_public_key(issuer.public_key())
        yield opened


def make_claims(**changes: object) -> TicketClaims:
    values: dict[str, object] = {
        "ticket_id": new_ticket_id(),
        "event_id": EVENT.event_id,
        "ticket_type": "GA",
        "zones": frozenset({"main"}),
        "valid_from": NOW - timedelta(hours=2),
        "valid_until": NOW + timedelta(hours=8),
    }
    values.update(changes)
    return TicketClaims(**values)  # type: ignore[arg-type]


def valid_now() -> dict[str, Any]:
    """A validity window around the real clock, for tests whose gate reads the wall
    clock (live pipelines, child processes) rather than a fixed ``NOW``."""
    now = datetime.now(UTC)
    return {"valid_from": now - timedelta(hours=2), "valid_until": now + timedelta(hours=8)}


def record_for(claims: TicketClaims, holder: str = "Sari Wulandari") -> TicketRecord:
    return TicketRecord(
        claims.ticket_hex,
        claims.event_id,
        claims.ticket_type,
        holder,
        claims.seat,
        claims.zones,
        claims.accessible,
    )


class Issue:
    """Sign a ticket and put it in the store's manifest, as a sync would."""

    def __init__(self, store: Store, issuer: Ed25519PrivateKey) -> None:
        self.store = store
        self.issuer = issuer

    def __call__(self, *, in_manifest: bool = True, **changes: Any) -> tuple[str, TicketClaims]:
        claims = make_claims(**changes)
        if in_manifest:
            self.store.upsert_tickets([record_for(claims)])
        return sign(claims, self.issuer), claims


@pytest.fixture
def issue(store: Store, issuer: Ed25519PrivateKey) -> Issue:
    return Issue(store, issuer)


GateFactory = Callable[..., Gate]


@pytest.fixture
def make_gate(store: Store) -> GateFactory:
    def factory(
        checkpoint: Checkpoint | Mode = Mode.ENTRY, gate_name: str = "Gate 1", **kwargs: object
    ) -> Gate:
        if isinstance(checkpoint, Mode):
            checkpoint = preset(checkpoint)
        return Gate(store, checkpoint, gate_name=gate_name, **kwargs)  # type: ignore[arg-type]

    return factory


SEAT = Seat("B", "12", 7)


forge = forged_copy
"""A genuine code with one signature bit flipped (``ui.demo.scene.forged_copy``)."""


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster | None]:
    """A throwaway PostgreSQL cluster for the session (``tests/pg.py``), with a migrated
    template database; CI must have it, a laptop without PostgreSQL skips."""
    from sync.server.migrate import upgrade
    from tests.pg import PostgresCluster, PostgresUnavailableError

    try:
        cluster = PostgresCluster()
        cluster.start()
    except PostgresUnavailableError as exc:
        if os.environ.get("CI"):
            raise  # CI must run the PostgreSQL half of the suite
        pytest.skip(f"{exc} (skipped on this laptop only; CI installs PostgreSQL)")
    cluster.execute("CREATE DATABASE template_admitone")
    upgrade(cluster.url("template_admitone"))
    yield cluster
    cluster.stop()
