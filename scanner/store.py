"""The kiosk's local SQLite store: manifest, journal, settings, sync cursor.

Durability is the point of this module.  The database runs in WAL mode with
``synchronous=FULL``, so a transaction that has committed has been fsynced:
``record_scan`` returning means the scan survives a power cut.  The file is
checked with ``PRAGMA integrity_check`` on open, and a damaged file is reported
in words a supervisor can act on instead of being half-used.

One connection is shared by the threads of one process behind a lock; SQLite
serialises writers anyway, and one connection keeps the page cache warm for the
hot path (``Gate.scan`` does three indexed reads and one insert).
"""

from __future__ import annotations

import errno
import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlite_utils import Database

from scanner.keys import KeyFileError, Keyring, public_from_raw, public_raw
from scanner.local_secret import LocalSecret
from scanner.manifest import EventRecord, Revocation, TicketRecord, TicketStatus, TicketTypeRecord
from scanner.state import Direction, ScanEvent
from scanner.ticket import Seat

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
META_GATE = "gate"
META_MODE = "mode"
"""The gate's mode now (entry, exit…), for the organiser's view of the kiosk's health."""
"""The meta key of the gate's name: set by enrolment, changed by a supervisor."""


class StoreError(RuntimeError):
    """The store cannot be used; the message says what to do."""


class StoreCorruptError(StoreError):
    pass


class JournalWriteError(StoreError):
    """A scan could not be written (the disk is full, or failing): it was not recorded."""

    def __init__(self, message: str, *, disk_full: bool) -> None:
        super().__init__(message)
        self.disk_full = disk_full


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("store times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _migrate_to_1(db: Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("events").create(
        {
            "event_id": int,
            "name": str,
            "timezone": str,
            "doors_open": str,
            "starts_at": str,
            "ends_at": str,
            "allow_reentry": int,
        },
        pk="event_id",
    )
    db.table("zones").create(
        {"event_id": int, "bit": int, "name": str, "label": str}, pk=("event_id", "bit")
    )
    db.table("ticket_types").create(
        {"event_id": int, "code": str, "name": str, "zones": str}, pk=("event_id", "code")
    )
    db.table("tickets").create(
        {
            "ticket_id": str,
            "event_id": int,
            "ticket_type": str,
            "holder_name": str,
            "section": str,
            "row": str,
            "number": int,
            "zones": str,
            "accessible": int,
            "status": str,
        },
        pk="ticket_id",
    )
    db.table("revocations").create(
        {"ticket_id": str, "reason": str, "revoked_at": str}, pk="ticket_id"
    )
    db.table("public_keys").create({"kid": str, "public_key": bytes, "retired": int}, pk="kid")
    db.table("scans").create(
        {
            "scan_id": str,
            "ticket_id": str,
            "event_id": int,
            "device_id": str,
            "gate": str,
            "zone": str,
            "direction": str,
            "scanned_at": str,
            "verdict": str,
            "reason": str,
            "override_by": str,
            "override_reason": str,
            "local": int,
            "uploaded": int,
        },
        pk="scan_id",
        not_null={"device_id", "gate", "zone", "direction", "scanned_at", "verdict"},
        defaults={"local": 1, "uploaded": 0, "reason": ""},
    )
    db.table("scans").create_index(["ticket_id"])
    db.execute("CREATE INDEX idx_scans_pending ON scans(local, uploaded) WHERE uploaded = 0")
    db.table("audit").create(
        {
            "audit_id": str,
            "at": str,
            "device_id": str,
            "actor": str,
            "action": str,
            "detail": str,
            "uploaded": int,
        },
        pk="audit_id",
        defaults={"uploaded": 0},
    )
    db.table("settings").create({"key": str, "value": str}, pk="key")


def _migrate_to_2(db: Database) -> None:
    db.table("events").add_column("day_starts_at", str)


def _migrate_to_3(db: Database) -> None:
    """Records the server can never take (a field too long for the wire, a scan the
    server refuses) are set aside here with the reason, so one bad record never stops
    the rest from syncing.  ``uploaded = 2`` marks them in their own tables."""
    db.table("quarantine").create(
        {"record_id": str, "kind": str, "reason": str, "at": str}, pk="record_id"
    )


def _migrate_to_4(db: Database) -> None:
    db.table("ticket_types").add_column("gate_note", str, not_null_default="")


MIGRATIONS: list[Callable[[Database], None]] = [
    _migrate_to_1,
    _migrate_to_2,
    _migrate_to_3,
    _migrate_to_4,
]
"""``MIGRATIONS[n]`` takes a store from schema version n to n + 1.  Append only."""


class Store:
    """A kiosk's database.  Open with :meth:`open`; close when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self.db = Database(conn)
        self._lock = threading.RLock()
        self._secret: LocalSecret | None = None

    @classmethod
    def open(cls, path: Path | str, *, check_integrity: bool = True) -> Store:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            if check_integrity:
                problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
                if problems != ["ok"]:
                    conn.close()
                    raise StoreCorruptError(
                        f"the kiosk database {path} is damaged ({problems[0]}). Move it aside "
                        "and re-enrol the kiosk; scans not yet uploaded are in that file."
                    )
        except sqlite3.DatabaseError as exc:
            raise StoreCorruptError(
                f"cannot open the kiosk database {path}: {exc}. If the file is damaged, move "
                "it aside and re-enrol the kiosk."
            ) from exc
        store = cls(path, conn)
        store._migrate()
        return store

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One atomic, durable unit (nested calls join the outer one)."""
        with self._lock, self.db.atomic():
            yield self.db

    # --- schema -----------------------------------------------------------

    @property
    def schema_version(self) -> int:
        if "meta" not in self.db.table_names():
            return 0
        row = self._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        with self._lock:
            version = self.schema_version
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} was written by a newer AdmitOne (schema {version}, this one "
                    f"knows {SCHEMA_VERSION}); upgrade this kiosk's software."
                )
            for target in range(version, SCHEMA_VERSION):
                with self.transaction():
                    MIGRATIONS[target](self.db)
                    self._set_meta("schema_version", str(target + 1))
                log.info("store %s migrated to schema %d", self.path, target + 1)
            if self.get_meta("device_id") is None:
                with self.transaction():
                    self._set_meta("device_id", uuid.uuid4().hex[:12])

    # --- meta and settings --------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self._conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self._set_meta(key, value)

    @property
    def secret(self) -> LocalSecret:
        """The secret file beside this database (``kiosk.db`` → ``kiosk.db.secret``)."""
        if self._secret is None:
            self._secret = LocalSecret(self.path.with_name(self.path.name + ".secret"))
        return self._secret

    def new_device_id(self) -> str:
        """A fresh identity for this kiosk (its old one was revoked by the organiser).
        Scans journalled under the old id keep it: they stay in this journal."""
        device_id = uuid.uuid4().hex[:12]
        self.set_meta("device_id", device_id)
        return device_id

    @property
    def device_id(self) -> str:
        device_id = self.get_meta("device_id")
        assert device_id is not None  # set by _migrate
        return device_id

    def get_setting(self, key: str, default: Any = None) -> Any:
        with self._lock:
            row = self._conn.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, json.dumps(value)),
            )

    # --- manifest -----------------------------------------------------------

    def upsert_events(self, events: Iterable[EventRecord]) -> None:
        rows = [
            {
                "event_id": e.event_id,
                "name": e.name,
                "timezone": e.timezone,
                "doors_open": _iso(e.doors_open),
                "starts_at": _iso(e.starts_at),
                "ends_at": _iso(e.ends_at),
                "allow_reentry": int(e.allow_reentry),
                "day_starts_at": e.day_starts_at.isoformat("minutes") if e.day_starts_at else None,
            }
            for e in events
        ]
        with self.transaction():
            self.db.table("events").upsert_all(rows, pk="event_id")

    def get_event(self, event_id: int) -> EventRecord | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT event_id, name, timezone, doors_open, starts_at, ends_at, allow_reentry, "
                "day_starts_at FROM events WHERE event_id=?",
                (event_id,),
            ).fetchone()
        if row is None:
            return None
        return EventRecord(
            event_id=row[0],
            name=row[1],
            timezone=row[2] or "UTC",
            doors_open=_from_iso(row[3]),
            starts_at=_from_iso(row[4]),
            ends_at=_from_iso(row[5]),
            allow_reentry=bool(row[6]),
            day_starts_at=time.fromisoformat(row[7]) if row[7] else None,
        )

    def event_ids(self) -> list[int]:
        with self._lock:
            return [row[0] for row in self._conn.execute("SELECT event_id FROM events")]

    def upsert_zone(self, event_id: int, bit: int, name: str, label: str = "") -> None:
        with self.transaction():
            self.db.table("zones").upsert(
                {"event_id": event_id, "bit": bit, "name": name, "label": label or name},
                pk=("event_id", "bit"),
            )

    def upsert_ticket_types(self, types: Iterable[TicketTypeRecord]) -> None:
        rows = [
            {
                "event_id": t.event_id,
                "code": t.code,
                "name": t.name,
                "zones": _zones(t.zones),
                "gate_note": t.gate_note,
            }
            for t in types
        ]
        with self.transaction():
            self.db.table("ticket_types").upsert_all(rows, pk=("event_id", "code"))

    def type_note(self, event_id: int, code: str) -> str:
        """The gate note of a ticket type ("" when none, or the type is not synced)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT gate_note FROM ticket_types WHERE event_id = ? AND code = ?",
                (event_id, code),
            ).fetchone()
        return str(row[0] or "") if row else ""

    def upsert_tickets(self, tickets: Iterable[TicketRecord], *, batch_size: int = 5000) -> int:
        """Insert or replace tickets; one transaction for all (call per page)."""
        count = 0
        sql = (
            "INSERT OR REPLACE INTO tickets(ticket_id, event_id, ticket_type, holder_name, "
            "section, row, number, zones, accessible, status) VALUES (?,?,?,?,?,?,?,?,?,?)"
        )
        with self.transaction():
            batch: list[tuple[object, ...]] = []
            for t in tickets:
                batch.append(
                    (
                        t.ticket_id,
                        t.event_id,
                        t.ticket_type,
                        t.holder_name,
                        t.seat.section if t.seat else None,
                        t.seat.row if t.seat else None,
                        t.seat.number if t.seat else None,
                        _zones(t.zones),
                        int(t.accessible),
                        str(t.status),
                    )
                )
                if len(batch) >= batch_size:
                    self._conn.executemany(sql, batch)
                    count += len(batch)
                    batch.clear()
            self._conn.executemany(sql, batch)
            count += len(batch)
        return count

    def get_ticket(self, ticket_id: str) -> TicketRecord | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT ticket_id, event_id, ticket_type, holder_name, section, row, number, "
                "zones, accessible, status FROM tickets WHERE ticket_id=?",
                (ticket_id,),
            ).fetchone()
        if row is None:
            return None
        seat = Seat(row[4], row[5], row[6]) if row[4] is not None else None
        return TicketRecord(
            ticket_id=row[0],
            event_id=row[1],
            ticket_type=row[2],
            holder_name=row[3] or "",
            seat=seat,
            zones=frozenset(filter(None, (row[7] or "").split(","))),
            accessible=bool(row[8]),
            status=TicketStatus(row[9]),
        )

    def ticket_count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM tickets").fetchone()[0])

    def revoke(self, revocations: Iterable[Revocation]) -> None:
        rows = [(r.ticket_id, str(r.reason), _iso(r.revoked_at)) for r in revocations]
        with self.transaction():
            self._conn.executemany(
                "INSERT OR REPLACE INTO revocations(ticket_id, reason, revoked_at) VALUES (?,?,?)",
                rows,
            )

    def get_revocation(self, ticket_id: str) -> Revocation | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT ticket_id, reason, revoked_at FROM revocations WHERE ticket_id=?",
                (ticket_id,),
            ).fetchone()
        if row is None:
            return None
        revoked_at = _from_iso(row[2])
        assert revoked_at is not None
        return Revocation(row[0], TicketStatus(row[1]), revoked_at)

    def add_public_key(self, key: Ed25519PublicKey, *, retired: bool = False) -> str:
        kid = Keyring({"new": key}).add(key)
        with self.transaction():
            self._conn.execute(
                "INSERT OR REPLACE INTO public_keys(kid, public_key, retired) VALUES (?,?,?)",
                (kid, public_raw(key), int(retired)),
            )
        return kid

    def keyring(self) -> Keyring:
        """The keys that verify tickets now (retired keys are left out)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT public_key FROM public_keys WHERE retired = 0"
            ).fetchall()
        ring = Keyring()
        for (raw,) in rows:
            try:
                ring.add(public_from_raw(raw))
            except KeyFileError as exc:  # written by an older AdmitOne: never trust it
                log.error("a stored public key is left out of the keyring: %s", exc)
        return ring

    # --- journal --------------------------------------------------------------

    def record_scan(self, event: ScanEvent) -> None:
        """Append one of this kiosk's scans and fsync it before returning.  Raises
        :class:`JournalWriteError` if it could not be written: then nothing was."""
        try:
            with self.transaction():
                self._conn.execute(_INSERT_SCAN, _scan_row(event, local=True))
        except (sqlite3.OperationalError, OSError) as exc:
            full = "full" in str(exc).lower() or getattr(exc, "errno", None) == errno.ENOSPC
            raise JournalWriteError(
                "the kiosk's disk is full: this scan was not recorded"
                if full
                else f"the kiosk's journal cannot be written: {exc}",
                disk_full=full,
            ) from exc

    def merge_scans(self, events: Iterable[ScanEvent]) -> int:
        """Union other devices' scans into the journal; returns how many were new."""
        rows = [_scan_row(e, local=False) for e in events]
        with self.transaction():
            before = self._conn.total_changes
            self._conn.executemany(_INSERT_SCAN.replace("INSERT", "INSERT OR IGNORE", 1), rows)
            return self._conn.total_changes - before

    def scans_for_ticket(self, ticket_id: str) -> list[ScanEvent]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_SCAN_COLUMNS} FROM scans WHERE ticket_id=?", (ticket_id,)
            ).fetchall()
        return [_scan_from_row(row) for row in rows]

    def get_scan(self, scan_id: str) -> ScanEvent | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_SCAN_COLUMNS} FROM scans WHERE scan_id=?", (scan_id,)
            ).fetchone()
        return _scan_from_row(row) if row else None

    def pending_uploads(self, limit: int = 500) -> list[ScanEvent]:
        """This kiosk's scans the server has not acknowledged, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_SCAN_COLUMNS} FROM scans WHERE local=1 AND uploaded=0 "
                "ORDER BY scanned_at, scan_id LIMIT ?",
                (limit,),
            ).fetchall()
        return [_scan_from_row(row) for row in rows]

    def pending_count(self) -> int:
        with self._lock:
            return int(
                self._conn.execute(
                    "SELECT count(*) FROM scans WHERE local=1 AND uploaded=0"
                ).fetchone()[0]
            )

    def mark_uploaded(self, scan_ids: Iterable[str]) -> None:
        with self.transaction():
            self._conn.executemany(
                "UPDATE scans SET uploaded=1 WHERE scan_id=?", [(s,) for s in scan_ids]
            )

    def quarantine(self, kind: str, record_id: str, reason: str, now: datetime) -> None:
        """Set aside one scan (``kind="scan"``) or audit entry (``"audit"``) the server
        cannot take: kept here with its reason, never offered again."""
        table, key = {"scan": ("scans", "scan_id"), "audit": ("audit", "audit_id")}[kind]
        with self.transaction():
            self._conn.execute(f"UPDATE {table} SET uploaded=2 WHERE {key}=?", (record_id,))
            self._conn.execute(
                "INSERT OR REPLACE INTO quarantine (record_id, kind, reason, at) VALUES (?,?,?,?)",
                (record_id, kind, reason[:500], now.isoformat()),
            )

    def quarantined(self) -> list[dict[str, str]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT record_id, kind, reason, at FROM quarantine ORDER BY at"
            ).fetchall()
        return [dict(zip(("record_id", "kind", "reason", "at"), r, strict=True)) for r in rows]

    def quarantine_count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM quarantine").fetchone()[0])

    def counts_by_verdict(self, *, local_only: bool = True) -> dict[str, int]:
        where = "WHERE local=1" if local_only else ""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT verdict, count(*) FROM scans {where} GROUP BY verdict"
            ).fetchall()
        return {verdict: count for verdict, count in rows}

    def record_audit(self, actor: str, action: str, detail: dict[str, Any], at: datetime) -> str:
        """Journal a supervisor action (mode switch, override, settings change)."""
        audit_id = uuid.uuid4().hex
        with self.transaction():
            self._conn.execute(
                "INSERT INTO audit(audit_id, at, device_id, actor, action, detail) "
                "VALUES (?,?,?,?,?,?)",
                (audit_id, _iso(at), self.device_id, actor, action, json.dumps(detail)),
            )
        return audit_id

    def pending_audit(self, limit: int = 500) -> list[dict[str, Any]]:
        """Supervisor actions the server has not acknowledged yet, oldest first."""
        return self._audit("WHERE uploaded = 0 ORDER BY at LIMIT ?", (limit,))

    def mark_audit_uploaded(self, audit_ids: Iterable[str]) -> None:
        with self.transaction():
            self._conn.executemany(
                "UPDATE audit SET uploaded=1 WHERE audit_id=?", [(a,) for a in audit_ids]
            )

    def audit_log(self) -> list[dict[str, Any]]:
        return self._audit("ORDER BY at", ())

    def _audit(self, tail: str, params: tuple[object, ...]) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT audit_id, at, actor, action, detail FROM audit {tail}", params
            ).fetchall()
        keys = ("audit_id", "at", "actor", "action")
        return [{**dict(zip(keys, r[:4], strict=True)), "detail": json.loads(r[4])} for r in rows]

    def integrity_ok(self) -> bool:
        with self._lock:
            return [r[0] for r in self._conn.execute("PRAGMA integrity_check")] == ["ok"]


def _zones(zones: Iterable[str]) -> str:
    return ",".join(sorted(zones))


_SCAN_COLUMNS = (
    "scan_id, ticket_id, event_id, device_id, gate, zone, direction, scanned_at, verdict, "
    "reason, override_by, override_reason"
)
_INSERT_SCAN = (
    f"INSERT INTO scans({_SCAN_COLUMNS}, local, uploaded) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,0)"
)


def _scan_row(event: ScanEvent, *, local: bool) -> tuple[object, ...]:
    return (
        event.scan_id,
        event.ticket_id,
        event.event_id,
        event.device_id,
        event.gate,
        event.zone,
        str(event.direction),
        _iso(event.scanned_at),
        event.verdict,
        event.reason,
        event.override_by,
        event.override_reason,
        int(local),
    )


def _scan_from_row(row: tuple[Any, ...]) -> ScanEvent:
    scanned_at = _from_iso(row[7])
    assert scanned_at is not None
    return ScanEvent(
        scan_id=row[0],
        ticket_id=row[1],
        event_id=row[2],
        device_id=row[3],
        gate=row[4],
        zone=row[5],
        direction=Direction(row[6]),
        scanned_at=scanned_at,
        verdict=row[8],
        reason=row[9] or "",
        override_by=row[10],
        override_reason=row[11],
    )
