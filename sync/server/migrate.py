"""Run Alembic migrations programmatically (on start, or ``admitone server migrate``)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from sync.server.db import sqlite_file

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")
    log.info("database migrated to head")


def revision(url: str, message: str) -> None:
    """For developers: autogenerate a migration from the models."""
    command.revision(alembic_config(url), message=message, autogenerate=True)


class SchemaError(ValueError):
    """The database is missing, unreachable or not at this program's schema (a
    ValueError, so the command line reports it as an error, not a traceback)."""


def check_current(url: str) -> None:
    """Refuse, with what to do, a database the administrative commands cannot use.

    They must not create an empty SQLite file where a typo in ``--database``
    pointed, nor fail with a traceback on a database never initialised."""
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise SchemaError(
            f"no database at {path}: pass the server's --database, "
            "or run 'admitone server init' first"
        )
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise SchemaError(f"cannot reach the database ({exc.orig}); check --database") from exc
    finally:
        engine.dispose()
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    if current is None:
        raise SchemaError("the database has no AdmitOne tables: run 'admitone server init' first")
    if current != head:
        raise SchemaError(
            f"the database is at schema {current} and this version needs {head}: "
            "run 'admitone server migrate'"
        )
