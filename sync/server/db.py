"""Engines and sessions for SQLite (default) and PostgreSQL.

SQLite: WAL, ``synchronous=FULL`` (an acknowledged scan is on disk), foreign
keys, a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions: a
deferred transaction that later wants to write can deadlock against another
writer and fail at once with "database is locked", whatever the timeout.

PostgreSQL: plain ``READ COMMITTED``; the change-log counter row serialises the
writers that must be ordered (see ``changes.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker


def sqlite_file(url: str) -> Path | None:
    """The file behind an SQLite URL; None for any other database (or in-memory)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=8,
            max_overflow=16,
            **kwargs,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: a 100k manifest's hot pages
            cursor.execute("PRAGMA mmap_size=268435456")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get("immediate", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, **kwargs)


class Database:
    """The engine and the two kinds of session routes use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(immediate=True), expire_on_commit=False
        )
        # SQLite has one writer at a time anyway.  Queueing this process's writers on
        # a lock wakes the next one the moment the previous commits, where SQLite's
        # busy handler would poll with sleeps of up to 100 ms: that was the tail
        # latency of 50 kiosks pushing at once.  Other processes still meet the
        # busy timeout.
        self._write_lock = threading.Lock() if url.startswith("sqlite") else None

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction, committed on success and rolled back on any error."""
        with self._write_lock or nullcontext(), self._writer() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
