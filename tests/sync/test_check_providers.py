"""One check path, two providers: a kiosk offline (its synced store) and the server online
(its database) give the same verdict and reason for every pinned ticket vector and
every multi-day case, through ``scanner.check.check_code``.

The facts are made once, on the server, through its services (events, ticket types,
orders, another gate's pushed scans); the kiosk learns them the way a gate does, by
enrolling and pulling the signed manifest over HTTPS.  Then each case is put to both
providers with the same checkpoint and instant.  The server's first online check
folded a ticket's scans without its event's days, so a pass admitted yesterday was
"needs exit first" online and "admitted" at the kiosk: the multi-day cases fail there.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from scanner import Mode, Store, preset
from scanner.check import CheckResult, OfflineCheckProvider
from scanner.checkpoint import Checkpoint
from scanner.keys import public_from_raw
from scanner.ticket import Rejection, TicketClaims, decode_unverified, key_id_of
from scanner.verdict import VerdictKind
from sync.client import RetryPolicy, SyncClient
from sync.config import ServerConfig
from sync.server import changes
from sync.server.issuing import key_change
from sync.server.models import Event, SigningKey
from sync.server.principals import Principal
from sync.server.schemas import EventIn, OrderIn, OrderItemIn, TicketTypeIn
from sync.server.services import admissions, catalog, devices, orders
from sync.server.services.admissions import OnlineCheckProvider
from sync.server.state import ServerState, open_server_state
from sync.wire import PushRequest, ScanEventWire
from tests.live_server import ServerProcess
from tests.pg import PostgresCluster

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "tickets.json").read_text()
)
VECTOR_NOW = datetime.fromisoformat(VECTORS["gate"]["now"])
JAKARTA = ZoneInfo("Asia/Jakarta")
GATE_A = "gate-a-device"


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Jakarta in November 2026 (the festival's days begin at 05:00 there)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=JAKARTA)


@dataclass
class World:
    server: ServerProcess
    state: ServerState
    kiosk: Store
    codes: dict[str, list[str]]
    """Ticket codes by event: "festival" (re-entry, days), "fair" (days, no re-entry),
    "vector" (event 42, one day)."""


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp(f"providers-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{workdir / 'server.db'}"
    else:
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        name = f"providers_{os.getpid()}"
        cluster.execute(f"CREATE DATABASE {name}")
        url = cluster.url(name)
    server = ServerProcess(url, workdir)
    server.init()
    server.start()
    state = open_server_state(ServerConfig(keys_dir=str(workdir / "keys")), database_url=url)
    try:
        codes = _make_facts(state)
        with Store.open(workdir / "kiosk.db") as kiosk:
            client = SyncClient(kiosk, retry=RetryPolicy(attempts=2, initial=0.05))
            for event_id in sorted({42, *_event_ids(state)}):
                enrolment = devices.create_enrolment_code(state, event_id, "Gate B")
                client.enrol(server.url, enrolment.code)
            client.pull()
            yield World(server, state, kiosk, codes)
    finally:
        state.db.dispose()
        server.stop()


def _event_ids(state: ServerState) -> list[int]:
    return [e.id for e in catalog.list_events(state, Principal("admin", "test"))]


def _make_facts(state: ServerState) -> dict[str, list[str]]:
    # The vectors name event 42 and are signed by the vectors' issuer: both go in as
    # rows (with their change-log entries, so kiosks receive them like any other).
    issuer = bytes.fromhex(VECTORS["keys"]["issuer"]["public_hex"])
    with state.db.write() as session:
        event = Event(id=42, name="Vector Night", timezone="UTC")
        key = SigningKey(
            kid=key_id_of(public_from_raw(issuer)),
            public_key=issuer,
            private_path="/nowhere",
            active=False,
        )
        session.add_all([event, key])
        session.flush()
        changes.record(session, [catalog.event_change(event), key_change(key)])
    festival, fair = (
        catalog.create_event(
            state,
            EventIn(
                name=name,
                timezone="Asia/Jakarta",
                starts_at=local(23, 10),
                ends_at=local(25, 23),
                allow_reentry=reentry,
                day_starts_at=time(5, 0),
            ),
        )
        for name, reentry in (("Harbour Festival", True), ("Three-day Fair", False))
    )
    codes: dict[str, list[str]] = {}
    for label, event_id in (("festival", festival.id), ("fair", fair.id), ("vector", 42)):
        catalog.create_ticket_type(state, event_id, TicketTypeIn(code="PASS", name="Pass"))
        order = orders.create_order(
            state,
            OrderIn(
                event_id=event_id,
                buyer_name="Box office",
                items=[OrderItemIn(ticket_type="PASS", quantity=12)],
            ),
        )
        codes[label] = [t.code for t in order.tickets]
    return codes


def _claims(code: str) -> TicketClaims:
    decoded = decode_unverified(code)
    assert not isinstance(decoded, Rejection)
    return decoded[1]


def _push_history(world: World, code: str, moves: list[tuple[str, datetime]]) -> None:
    """Another gate's scans of this ticket reach the server (as its push would) and the
    kiosk (as its next pull does)."""
    claims = _claims(code)
    scans = [
        ScanEventWire(
            scan_id=uuid.uuid4().hex,
            ticket_id=claims.ticket_hex,
            event_id=claims.event_id,
            device_id=GATE_A,
            gate="Gate A",
            zone="main",
            direction=direction,  # type: ignore[arg-type]
            scanned_at=at,
            verdict="admitted" if direction == "in" else "exited",
        )
        for direction, at in moves
    ]
    gate_a = Principal("device", "Gate A", GATE_A, "Gate A", frozenset(_event_ids(world.state)))
    acks = admissions.push_scans(world.state, gate_a, PushRequest(scans=scans)).acks
    assert {a.status for a in acks} == {"stored"}
    SyncClient(world.kiosk, retry=RetryPolicy(attempts=2, initial=0.05)).pull()


def _both(
    world: World, code: str, checkpoint: Checkpoint, now: datetime
) -> tuple[CheckResult, CheckResult]:
    offline = OfflineCheckProvider(world.kiosk).check(code, checkpoint, now)
    with world.state.db.read() as session:
        served = world.kiosk.event_ids()
        online = OnlineCheckProvider(session, served).check(code, checkpoint, now)
    return offline, online


def _same(offline: CheckResult, online: CheckResult) -> None:
    assert (online.kind, online.reason) == (offline.kind, offline.reason)
    assert online.record == offline.record
    assert online.event == offline.event
    if offline.first_used is None:
        assert online.first_used is None
    else:
        assert online.first_used is not None
        assert (online.first_used.scan_id, online.first_used.scanned_at) == (
            offline.first_used.scan_id,
            offline.first_used.scanned_at,
        )


@pytest.mark.parametrize("name", [v["name"] for v in VECTORS["vectors"]])
def test_every_pinned_vector_gets_one_answer_offline_and_online(world: World, name: str) -> None:
    vector = next(v for v in VECTORS["vectors"] if v["name"] == name)
    offline, online = _both(world, vector["text"], preset(Mode.ENTRY), VECTOR_NOW)
    _same(offline, online)
    assert str(offline.kind) == vector["gate"]


# (event, earlier moves at Gate A, mode, when checked, expected verdict, expected reason)
MULTI_DAY_CASES: dict[str, tuple[str, list[tuple[str, datetime]], Mode, datetime, str, str]] = {
    "admitted yesterday, in again today": (
        "festival",
        [("in", local(23, 12))],
        Mode.ENTRY,
        local(24, 12),
        "admitted",
        "",
    ),
    "admitted today, not out": (
        "festival",
        [("in", local(24, 10))],
        Mode.ENTRY,
        local(24, 12),
        "needs_exit_first",
        "",
    ),
    "out and back today": (
        "festival",
        [("in", local(24, 10)), ("out", local(24, 11))],
        Mode.ENTRY,
        local(24, 12),
        "admitted",
        "reentry",
    ),
    "admitted at 04:30 is yesterday by 06:00": (
        "festival",
        [("in", local(24, 4, 30))],
        Mode.ENTRY,
        local(24, 6),
        "admitted",
        "",
    ),
    "leaving today after yesterday's admit": (
        "festival",
        [("in", local(23, 12))],
        Mode.EXIT,
        local(24, 12),
        "exited",
        "was_not_inside",
    ),
    "no re-entry, admitted yesterday": (
        "fair",
        [("in", local(23, 12))],
        Mode.ENTRY,
        local(24, 12),
        "admitted",
        "",
    ),
    "no re-entry, out and back today": (
        "fair",
        [("in", local(24, 10)), ("out", local(24, 11))],
        Mode.ENTRY,
        local(24, 12),
        "already_used",
        "",
    ),
    "one-day event, admitted earlier": (
        "vector",
        [("in", local(23, 19))],
        Mode.ENTRY,
        local(23, 21),
        "already_used",
        "",
    ),
}


@pytest.mark.parametrize("case", list(MULTI_DAY_CASES))
def test_multi_day_cases_get_one_answer_offline_and_online(world: World, case: str) -> None:
    label, moves, mode, now, kind, reason = MULTI_DAY_CASES[case]
    index = list(MULTI_DAY_CASES).index(case)
    code = world.codes[label][index]  # a ticket of its own for each case
    _push_history(world, code, moves)
    offline, online = _both(world, code, preset(mode), now)
    _same(offline, online)
    assert (str(offline.kind), offline.reason) == (kind, reason)
    assert offline.kind is not VerdictKind.NOT_IN_MANIFEST
    assert offline.record is not None
    assert offline.record.ticket_id == _claims(code).ticket_hex


def test_another_events_ticket_is_unknown_to_both(world: World) -> None:
    """A kiosk of the festival knows nothing of another event's guest; the server's view
    for that kiosk holds no more (no holder, no history reaches the answer)."""
    code = world.codes["fair"][-1]
    festival_only = [e for e in world.kiosk.event_ids() if e != _claims(code).event_id]
    with world.state.db.read() as session:
        online = OnlineCheckProvider(session, festival_only).check(
            code, preset(Mode.ENTRY), local(24, 12)
        )
    assert online.kind is VerdictKind.WRONG_EVENT
    assert online.record is None
    assert online.event is None
    assert online.first_used is None


def test_the_first_use_a_supervisor_sees_is_todays(world: World) -> None:
    code = world.codes["festival"][-2]
    _push_history(world, code, [("in", local(23, 12)), ("in", local(24, 9))])
    offline, online = _both(world, code, preset(Mode.ENTRY), local(24, 12) + timedelta(minutes=1))
    _same(offline, online)
    assert offline.first_used is not None
    assert offline.first_used.scanned_at == local(24, 9)
