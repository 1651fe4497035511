"""Alembic environment: migrations run from ``sync.server.migrate`` (no alembic.ini)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

from sync.server.models import Base

config = context.config
target_metadata = Base.metadata
MIGRATION_LOCK = 7_134_001


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = create_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # Several server processes may start at once; one migrates, the others wait.
            connection.execute(text(f"SELECT pg_advisory_lock({MIGRATION_LOCK})"))
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
                connection.commit()
    engine.dispose()


run_migrations_online()
