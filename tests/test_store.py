from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import time, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from scanner import Store, StoreCorruptError, StoreError, TicketTypeRecord
from scanner.store import MIGRATIONS, SCHEMA_VERSION
from tests.conftest import NOW, GateFactory, Issue


def test_a_new_store_is_at_the_current_schema_with_a_device_id(tmp_path: Path) -> None:
    with Store.open(tmp_path / "k.db") as store:
        assert store.schema_version == SCHEMA_VERSION
        device_id = store.device_id
    with Store.open(tmp_path / "k.db") as store:
        assert store.device_id == device_id  # stable across restarts


def test_a_schema_1_store_is_migrated_and_keeps_its_journal(tmp_path: Path) -> None:
    """A kiosk updated in the field opens its old store; event days arrive with it."""
    path = tmp_path / "old.db"
    old = Database(path)
    MIGRATIONS[0](old)
    old.table("meta").insert({"key": "schema_version", "value": "1"})
    old.table("events").insert({"event_id": 7, "name": "Fest", "timezone": "UTC"})
    old.table("ticket_types").insert(
        {"event_id": 7, "code": "STUDENT", "name": "Student", "zones": "main"}
    )
    old.conn.close()
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 4
        assert store.quarantine_count() == 0  # schema 3: the quarantine table
        assert store.type_note(7, "STUDENT") == ""  # schema 4: the type's gate note
        store.upsert_ticket_types([TicketTypeRecord(7, "STUDENT", "Student", gate_note="ID")])
        assert store.type_note(7, "STUDENT") == "ID"
        event = store.get_event(7)
        assert event is not None
        assert (event.name, event.day_starts_at) == ("Fest", None)
        store.upsert_events([replace(event, day_starts_at=time(5, 0))])
        stored = store.get_event(7)
        assert stored is not None
        assert stored.day_starts_at == time(5, 0)


def test_a_store_from_a_newer_release_is_refused_with_advice(tmp_path: Path) -> None:
    with Store.open(tmp_path / "k.db") as store:
        store.set_meta("schema_version", str(SCHEMA_VERSION + 1))
    with pytest.raises(StoreError, match="upgrade this kiosk's software"):
        Store.open(tmp_path / "k.db")


def test_a_damaged_file_is_reported_not_used(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    with Store.open(path) as store:
        store.set_setting("gate", "Gate 1")
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the header and the first page's b-tree
    path.write_bytes(bytes(data))
    with pytest.raises(StoreCorruptError, match="move it aside and re-enrol") as caught:
        Store.open(path)
    assert str(path) in str(caught.value)


def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreCorruptError, match="cannot open the kiosk database"):
        Store.open(path)


def test_pending_uploads_are_oldest_first_until_acknowledged(
    issue: Issue, make_gate: GateFactory, store: Store
) -> None:
    gate = make_gate()
    verdicts = [gate.scan(issue()[0], NOW + timedelta(seconds=i)) for i in range(5)]
    pending = store.pending_uploads(limit=3)
    assert [p.scan_id for p in pending] == [v.scan_id for v in verdicts[:3]]
    store.mark_uploaded(p.scan_id for p in pending)
    assert store.pending_count() == 2
    assert [p.scan_id for p in store.pending_uploads()] == [v.scan_id for v in verdicts[3:]]


def test_settings_round_trip_json(store: Store) -> None:
    store.set_setting("checkpoint", {"mode": "vip", "grace": 5})
    assert store.get_setting("checkpoint") == {"mode": "vip", "grace": 5}
    assert store.get_setting("missing", "default") == "default"


def test_a_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    def half_done() -> None:
        with store.transaction() as db:
            db.execute("INSERT INTO meta(key, value) VALUES ('half', 'done')")
            db.execute("INSERT INTO meta(key, value) VALUES ('half', 'again')")

    with pytest.raises(sqlite3.IntegrityError):
        half_done()
    assert store.get_meta("half") is None
