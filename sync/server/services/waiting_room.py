"""The waiting room for a high-demand drop: the shop holds at most ``shop_limit``
buyers at once; everyone else waits with a signed queue ticket.

Fairness: those who arrive before on-sale are put in a random order (arriving an hour
early, or with a hundred browser tabs, buys nothing), and everyone after on-sale joins
behind them first come, first served.  ``sort_key`` encodes both: ``0:`` and a random
number before on-sale, ``1:`` and the arrival time after.

Admitting is serialised per event on its own counter row (not the event row, which
holds and purchases take), so however many visitors ask at once the shop never goes
above its limit.  An admitted visitor may hold seats until ``shop_until``
(``shop_visit_minutes``); leaving (after buying) or running out of time lets the next
one in.
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sync.server.delivery.links import link_secret, signed, value_of
from sync.server.errors import Forbidden, NotFound
from sync.server.lookups import require_event
from sync.server.models import Counter, Event, QueueEntry, utcnow
from sync.server.schemas import QueueOut
from sync.server.state import ServerState

PURPOSE = "queue"


def _lock(session: Session, event_id: int) -> None:
    name = f"queue-{event_id}"
    row = session.execute(
        select(Counter).where(Counter.name == name).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        session.add(Counter(name=name, value=0))
        session.flush()
        session.execute(select(Counter).where(Counter.name == name).with_for_update())


def _admitted_now(session: Session, event_id: int, now: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(QueueEntry)
            .where(
                QueueEntry.event_id == event_id,
                QueueEntry.status == "admitted",
                QueueEntry.shop_until > now,
            )
        )
        or 0
    )


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
    room = event.shop_limit - _admitted_now(session, event.id, now)
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
            .where(QueueEntry.id.in_(nxt))
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
        return _out(state, session, event, entry, now)


def _entry(state: ServerState, session: Session, ticket: str) -> QueueEntry:
    entry_id = value_of(link_secret(state.keys_dir), PURPOSE, ticket)
    entry = session.get(QueueEntry, entry_id) if entry_id else None
    if entry is None:
        raise NotFound("this queue ticket is not valid: join the queue again")
    return entry


def status(state: ServerState, ticket: str) -> QueueOut:
    with state.db.write() as session:
        entry = _entry(state, session, ticket)
        event = require_event(session, entry.event_id)
        now = utcnow()
        advance(state, session, event, now)
        session.refresh(entry)
        return _out(state, session, event, entry, now)


def leave(state: ServerState, ticket: str) -> None:
    """The visitor is done (bought, or gave up): their place in the shop goes on."""
    with state.db.write() as session:
        entry = _entry(state, session, ticket)
        entry.status = "done"
        event = require_event(session, entry.event_id)
        advance(state, session, event, utcnow())


def require_admitted(
    state: ServerState, session: Session, event: Event, ticket: str, now: datetime
) -> None:
    """Refuse a hold from anyone the waiting room has not let in (or whose time is up)."""
    try:
        entry = _entry(state, session, ticket) if ticket else None
    except NotFound:
        entry = None
    if entry is None or entry.event_id != event.id:
        raise Forbidden("this sale has a waiting room: join the queue first")
    if entry.status != "admitted" or entry.shop_until is None or entry.shop_until <= now:
        raise Forbidden("it is not your turn yet, or your time in the shop is up: see the queue")


def _out(
    state: ServerState, session: Session, event: Event, entry: QueueEntry, now: datetime
) -> QueueOut:
    ahead = 0
    if entry.status == "waiting":
        ahead = int(
            session.scalar(
                select(func.count())
                .select_from(QueueEntry)
                .where(
                    QueueEntry.event_id == event.id,
                    QueueEntry.status == "waiting",
                    QueueEntry.sort_key < entry.sort_key,
                )
            )
            or 0
        )
    return QueueOut(
        queue_ticket=signed(link_secret(state.keys_dir), PURPOSE, entry.id),
        status=entry.status,
        position=ahead,
        estimated_wait_seconds=_estimate(state, session, event, ahead, now)
        if entry.status == "waiting"
        else 0,
        shop_until=entry.shop_until,
        on_sale=event.on_sale,
    )


def _estimate(state: ServerState, session: Session, event: Event, ahead: int, now: datetime) -> int:
    """Seconds until this visitor's turn: those ahead over the rate visitors have left
    the shop in the last five minutes (or, before any have, one shop-full per visit)."""
    start = max(now, event.on_sale) if event.on_sale else now
    recent = int(
        session.scalar(
            select(func.count())
            .select_from(QueueEntry)
            .where(
                QueueEntry.event_id == event.id,
                QueueEntry.admitted_at > now - timedelta(minutes=5),
            )
        )
        or 0
    )
    per_second = recent / 300 if recent else event.shop_limit / _visit(state).total_seconds()
    rounds = (ahead + 1) / max(per_second, 1e-6)
    return math.ceil((start - now).total_seconds() + rounds)
