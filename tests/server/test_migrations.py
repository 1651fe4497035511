"""Alembic's migrations build exactly the schema the models describe, both ways."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from sync.config import ServerConfig
from sync.server.admin import init
from sync.server.migrate import alembic_config, upgrade
from sync.server.models import Base
from sync.server.principals import Principal
from sync.server.schemas import EventIn, OrderIn, OrderItemIn, TicketTypeIn
from sync.server.services import admissions, catalog, orders, reports
from sync.server.state import open_server_state
from sync.wire import PushRequest, ScanEventWire


def _differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))
    finally:
        engine.dispose()


def test_the_migrated_database_matches_the_models(database_url: str) -> None:
    assert _differences(database_url) == []


def test_every_migration_downgrades_and_upgrades_again(database_url: str) -> None:
    command.downgrade(alembic_config(database_url), "base")
    upgrade(database_url)
    assert _differences(database_url) == []


def test_the_attendance_tables_are_filled_from_scans_stored_before_them(
    database_url: str, tmp_path: Path
) -> None:
    """Migration 0008 backfills ``presence`` and ``scan_counts`` from the scans already
    there: attendance after a downgrade and upgrade is what ingest had kept."""
    config = ServerConfig(keys_dir=str(tmp_path / "keys"))
    init(config, database_url)
    state = open_server_state(config, database_url=database_url)
    try:
        event = catalog.create_event(state, EventIn(name="Backfill"))
        catalog.create_ticket_type(state, event.id, TicketTypeIn(code="GA", name="GA"))
        order = orders.create_order(
            state,
            OrderIn(
                event_id=event.id,
                buyer_name="b",
                items=[OrderItemIn(ticket_type="GA", quantity=20)],
            ),
        )
        rng = random.Random(5)
        start = datetime.now(UTC) - timedelta(hours=2)
        scans = [
            ScanEventWire(
                scan_id=f"{rng.getrandbits(128):032x}",
                ticket_id=rng.choice(order.tickets).ticket_id,
                event_id=event.id,
                device_id="kiosk-b",
                gate=rng.choice(["North", "South"]),
                zone=rng.choice(["main", "main", "vip"]),
                direction=direction,  # type: ignore[arg-type]
                scanned_at=start + timedelta(minutes=rng.randrange(110)),
                verdict=verdict,
            )
            for verdict, direction in (
                rng.choice([("admitted", "in"), ("exited", "out"), ("invalid", "in")])
                for _ in range(150)
            )
        ]
        device = Principal("device", "b", "kiosk-b", "North", frozenset({event.id}))
        admissions.push_scans(state, device, PushRequest(scans=scans))
        kept = reports.event_attendance(state, event.id)
        assert kept.admitted > 0
        assert kept.exits > 0
        command.downgrade(alembic_config(database_url), "0007")
        upgrade(database_url)
        assert reports.event_attendance(state, event.id) == kept
    finally:
        state.db.dispose()
