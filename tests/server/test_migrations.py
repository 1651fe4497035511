"""Alembic's migrations build exactly the schema the models describe, both ways."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from sync.server.migrate import alembic_config, upgrade
from sync.server.models import Base


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
