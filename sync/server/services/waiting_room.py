"""The waiting room for a high-demand drop: the shop holds at most ``shop_limit``
buyers at once; everyone else waits with a signed queue ticket.

Fairness: those who arrive before on-sale are put in a random order (arriving an hour
early, or with a hundred browser tabs, buys nothing), and everyone after on-sale joins
behind them first come, first served.  ``sort_key`` encodes both: ``0:`` and a random
number before on-sale, ``1:`` and the arrival time after.

Visitors are let in at ``admit_rate`` a second at most (a tenth of the shop by
default), so even the first second of a drop reaches the server as a steady stream.
Admitting is serialised per event on its own counter row (not the event row, which
holds and purchases take), so however many visitors ask at once the shop never goes
above its limit.  An admitted visitor may hold seats until ``shop_until``
(``shop_visit_minutes``); leaving (after buying) or running out of time lets the next
one in.
"""

from __future__ import annotations

import math
import secrets
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync.server import issuing
from sync.server.delivery.links import signed, value_of
from sync.server.errors import Forbidden, NotFound
from sync.server.lookups import require_event
from sync.server.models import Counter, Event, QueueEntry, utcnow
from sync.server.schemas import QueueOut
from sync.server.state import ServerState

PURPOSE = "queue"


def _lock(session: Session, event_id: int) -> None:
    """The event's waiting-room lock: its own counter row, made on first use (two
    processes making it at once: one insert wins, the other finds it made)."""
    name = f"queue-{event_id}"
    query = select(Counter.name).where(Counter.name == name).with_for_update()
    if session.execute(query).first() is None:
        try:
            with session.begin_nested():
                session.add(Counter(name=name, value=0))
        except IntegrityError:
            pass
        session.execute(query)


def _admitted_now(session: Session, event_id: int, now: datetime) -> int:
    """Visitors in the shop now."""
    return _count(session, event_id, ("admitted",), QueueEntry.shop_until > now)


def _count(
    session: Session, event_id: int, statuses: tuple[str, ...], *where: ColumnElement[bool]
) -> int:
    query = select(func.count()).select_from(QueueEntry)
    query = query.where(QueueEntry.event_id == event_id, QueueEntry.status.in_(statuses), *where)
    return int(session.scalar(query) or 0)


def admit_rate(state: ServerState, event: Event) -> int:
    """New visitors let in per second: a tenth of the shop by default, so the first
    second of a drop does not bring the whole shop's worth of buyers to the seat map
    at one instant (the server answers them all quickly, one after the other)."""
    configured = state.config.shop_admit_per_second
    return max(1, configured or event.shop_limit // 10)


def _admitted_since(session: Session, event_id: int, since: datetime) -> int:
    """Visitors let in after ``since`` (still inside, or gone)."""
    return _count(session, event_id, ("admitted", "done"), QueueEntry.admitted_at > since)


def refresh_seconds(estimated_wait: int) -> int:
    """How often a waiting visitor's page asks again: a quarter of the estimated wait,
    between 3 and 30 seconds.  Those at the back need not ask every few seconds; the
    polls of ten thousand visitors are most of a drop's load."""
    return max(3, min(30, estimated_wait // 4))


def _visit(state: ServerState) -> timedelta:
    return timedelta(minutes=state.config.shop_visit_minutes)


def advance(state: ServerState, session: Session, event: Event, now: datetime) -> None:
    """Let in as many waiting visitors as the shop has room for (from on-sale on)."""
    if not event.shop_limit or (event.on_sale is not None and now < event.on_sale):
        return  # before on-sale nobody is inside, so nobody's time runs out either
    lapsed = session.scalar(
        select(QueueEntry.id)
        .where(
            QueueEntry.event_id == event.id,
            QueueEntry.status == "admitted",
            QueueEntry.shop_until <= now,
        )
        .limit(1)
    )
    if lapsed is None and _admitted_now(session, event.id, now) >= event.shop_limit:
        return  # full, and nobody's time is up: nothing to do, and no lock taken
    _lock(session, event.id)
    session.execute(
        update(QueueEntry)
        .where(
            QueueEntry.event_id == event.id,
            QueueEntry.status == "admitted",
            QueueEntry.shop_until <= now,
        )
        .values(status="done")
    )
    room = min(
        event.shop_limit - _admitted_now(session, event.id, now),
        admit_rate(state, event) - _admitted_since(session, event.id, now - timedelta(seconds=1)),
    )
    if room <= 0:
        return
    nxt = session.scalars(
        select(QueueEntry.id)
        .where(QueueEntry.event_id == event.id, QueueEntry.status == "waiting")
        .order_by(QueueEntry.sort_key)
        .limit(room)
    ).all()
    if nxt:
        session.execute(
            update(QueueEntry)
            # still waiting: one who left since the SELECT (without the room's lock,
            # see ``leave``) stays gone rather than being let in and taking a place
            .where(QueueEntry.id.in_(nxt), QueueEntry.status == "waiting")
            .values(status="admitted", admitted_at=now, shop_until=now + _visit(state))
        )


def join(state: ServerState, event_id: int) -> QueueOut:
    with state.db.write() as session:
        event = require_event(session, event_id)
        if not event.shop_limit:
            raise NotFound("this event has no waiting room: go straight to the shop")
        now = utcnow()
        early = event.on_sale is None or now < event.on_sale
        key = (
            f"0:{secrets.randbits(62):019d}"
            if early
            else f"1:{int(now.timestamp() * 1_000_000):020d}:{secrets.randbits(20):07d}"
        )
        entry = QueueEntry(
            id=secrets.token_urlsafe(15),
            event_id=event.id,
            arrived_at=now,
            sort_key=key,
            status="waiting",
        )
        session.add(entry)
        session.flush()
        advance(state, session, event, now)
        session.refresh(entry)
        place = Place.of(entry)
    return _out(state, _room(state, event_id), place, now)


def _ticket(state: ServerState, event_id: int, entry_id: str) -> str:
    """A queue ticket: the event and the place, signed (the event is in it so that a
    poll finds its room without asking the database)."""
    return signed(state.link_secret, PURPOSE, f"{event_id}~{entry_id}")


def _read_ticket(state: ServerState, ticket: str) -> tuple[int, str]:
    """(event id, entry id) of a ticket made here, or NotFound."""
    value = value_of(state.link_secret, PURPOSE, ticket)
    event, _, entry_id = (value or "").partition("~")
    if not event.isdigit() or not entry_id:
        raise NotFound("this queue ticket is not valid: join the queue again")
    return int(event), entry_id


def _entry(session: Session, event_id: int, entry_id: str) -> QueueEntry:
    """The place a ticket read by ``_read_ticket`` names, or NotFound."""
    entry = session.get(QueueEntry, entry_id)
    if entry is None or entry.event_id != event_id:
        raise NotFound("this queue ticket is not valid: join the queue again")
    return entry


def _read_place(state: ServerState, event_id: int, entry_id: str) -> Place:
    with state.db.read() as session:
        return Place.of(_entry(session, event_id, entry_id))


ADVANCE_EVERY = 0.2
"""Seconds between one process's attempts to let visitors in for one event.  Every
waiting visitor's page asks every few seconds; ten thousand of them need not each
take the waiting room's lock: a fifth of a second is as prompt as the shop needs."""


def _time_to_advance(state: ServerState, event_id: int) -> bool:
    return state.memo.due(("advance", event_id), ADVANCE_EVERY)


def status(state: ServerState, ticket: str) -> QueueOut:
    """A visitor's place, mostly from this process's picture of the room (``Room``, at
    most ``ROOM_SECONDS`` old: no database at all); now and then (``ADVANCE_EVERY``)
    the poll also lets the next visitors in, as the worker's sweep and every leaving
    buyer do."""
    event_id, entry_id = _read_ticket(state, ticket)
    room = _room(state, event_id)
    place = room.places.get(entry_id)
    if place is not None and not (place.status == "waiting" and _time_to_advance(state, event_id)):
        return _out(state, room, place, utcnow())
    # Not in the picture (joined since it was taken, or done), or time to let visitors
    # in: ask the database.
    place = _read_place(state, event_id, entry_id)
    if place.status == "waiting" and _time_to_advance(state, event_id):
        with state.db.write() as session:
            advance(state, session, require_event(session, event_id), utcnow())
        place = _read_place(state, event_id, entry_id)
    return _out(state, _room(state, event_id), place, utcnow())


def leave(state: ServerState, ticket: str) -> None:
    """The visitor is done (bought, or gave up): their place in the shop goes on."""
    event_id, entry_id = _read_ticket(state, ticket)
    with state.db.write() as session:
        # One who was still waiting (told it is sold out, say: thousands at once in a
        # drop) is one statement.  It holds no lock but that row's, so it cannot
        # deadlock with an advance; when an advance admitted them meanwhile it matches
        # nothing and the visitor leaves the shop below.
        gave_up = session.execute(
            update(QueueEntry)
            .where(
                QueueEntry.id == entry_id,
                QueueEntry.event_id == event_id,
                QueueEntry.status == "waiting",
            )
            .values(status="done")
            .returning(QueueEntry.id)
        ).first()
        if gave_up is not None:
            return
        entry = _entry(session, event_id, entry_id)
        event = require_event(session, event_id)
        inside = entry.status == "admitted"
        if inside:
            # The waiting room's lock before the visitor's row, as ``advance`` takes
            # them: the other order deadlocks with an advance admitting this visitor.
            _lock(session, event.id)
        session.execute(update(QueueEntry).where(QueueEntry.id == entry.id).values(status="done"))
        if inside:  # a place in the shop came free
            advance(state, session, event, utcnow())


def require_admitted(
    state: ServerState, session: Session, event: Event, ticket: str, now: datetime
) -> None:
    """Refuse a hold from anyone the waiting room has not let in (or whose time is up)."""
    try:
        entry: QueueEntry | None = _entry(session, *_read_ticket(state, ticket))
    except NotFound:
        entry = None
    if entry is None or entry.event_id != event.id:
        raise Forbidden("this sale has a waiting room: join the queue first")
    if entry.status != "admitted" or entry.shop_until is None or entry.shop_until <= now:
        raise Forbidden("it is not your turn yet, or your time in the shop is up: see the queue")


def _out(state: ServerState, room: Room, place: Place, now: datetime) -> QueueOut:
    waiting = place.status == "waiting"
    ahead = bisect_left(room.waiting, place.sort_key) if waiting else 0
    return QueueOut(
        sold_out=waiting and room.nothing_left,
        queue_ticket=_ticket(state, room.event_id, place.entry_id),
        status=place.status,
        position=ahead,
        estimated_wait_seconds=_estimate(room, ahead, now) if waiting else 0,
        shop_until=place.shop_until,
        on_sale=room.on_sale,
    )


def _estimate(room: Room, ahead: int, now: datetime) -> int:
    """Seconds until this visitor's turn: those ahead over the rate visitors have been
    let in over the last five minutes (or, before any have, one shop-full per visit)."""
    start = max(now, room.on_sale) if room.on_sale else now
    rounds = (ahead + 1) / max(room.per_second, 1e-6)
    return math.ceil((start - now).total_seconds() + rounds)


@dataclass(frozen=True, slots=True)
class Place:
    entry_id: str
    status: str
    sort_key: str
    shop_until: datetime | None

    @staticmethod
    def of(entry: QueueEntry) -> Place:
        return Place(entry.id, entry.status, entry.sort_key, entry.shop_until)


@dataclass(frozen=True, slots=True)
class Room:
    """One event's waiting room as this process last read it.

    Ten thousand pages ask for their place every few seconds, and each used to cost
    three queries (the entry, the event, a count of those ahead): about half of a
    server process's time in a drop, taken from the buyers holding seats.  Now one
    read a second per event and process gives every place (sorted keys: a visitor's
    position is a bisection) and the figures every page shows.  A place may be a
    second old; what may be bought is still decided in the database
    (``require_admitted``).  (Reading the room again whenever this process let someone
    in or out was tried: in a drop that is many times a second, and it took more CPU
    than the polls it saved.)"""

    event_id: int
    places: dict[str, Place]
    waiting: list[str]
    """Sort keys of those waiting, in order."""
    on_sale: datetime | None
    per_second: float
    nothing_left: bool


ROOM_SECONDS = 1.0


def _room(state: ServerState, event_id: int) -> Room:
    return state.memo.get(("room", event_id), ROOM_SECONDS, lambda: _read_room(state, event_id))


def _read_room(state: ServerState, event_id: int) -> Room:
    with state.db.read() as session:
        event = require_event(session, event_id)
        now = utcnow()
        rows = session.execute(
            select(QueueEntry.id, QueueEntry.status, QueueEntry.sort_key, QueueEntry.shop_until)
            .where(QueueEntry.event_id == event_id, QueueEntry.status.in_(("waiting", "admitted")))
            .order_by(QueueEntry.sort_key)
        ).all()
        places = {row[0]: Place(*row) for row in rows}
        return Room(
            event_id=event_id,
            places=places,
            waiting=[p.sort_key for p in places.values() if p.status == "waiting"],
            on_sale=event.on_sale,
            per_second=_measured_rate(state, session, event, now),
            nothing_left=_all_gone(session, event, now),
        )


def _measured_rate(state: ServerState, session: Session, event: Event, now: datetime) -> float:
    since = now - timedelta(minutes=5)
    if event.on_sale is not None and event.on_sale > since:
        since = event.on_sale  # the sale's first minutes: the rate since it opened
    elapsed = max(1.0, (now - since).total_seconds())
    recent = _admitted_since(session, event.id, since)
    if recent:
        return recent / elapsed
    return min(admit_rate(state, event), event.shop_limit / _visit(state).total_seconds())


def _all_gone(session: Session, event: Event, now: datetime) -> bool:
    in_use = sum(issuing.in_use(session, event.id, now).values())
    seats = 0
    if event.venue_id is not None:
        seats = issuing.seat_count(session, event.venue_id)
    limits = [n for n in (event.capacity, seats) if n]
    return bool(limits) and in_use >= min(limits)
