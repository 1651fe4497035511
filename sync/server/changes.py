"""The change log kiosks pull, with a cursor that only moves forward.

Every change gets its ``seq`` from the ``counters`` row, taken with
``UPDATE … RETURNING`` inside the writer's transaction.  The row lock that
update takes is held until commit, so writers receive numbers in commit order:
no reader can page past ``seq = n`` and later find a committed change below it,
which an autoincrement column under concurrent PostgreSQL writers would allow.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Text, cast, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync.server.models import ChangeRow, Counter
from sync.trust import PAGE_LIFETIME

COUNTER = "changes"


@dataclass(frozen=True, slots=True)
class NewChange:
    kind: str
    event_id: int | None
    entity_id: str
    data: dict[str, Any]
    origin_device: str | None = None


def ensure_counter(session: Session) -> None:
    if session.get(Counter, COUNTER) is None:
        try:
            with session.begin_nested():
                session.add(Counter(name=COUNTER, value=0))
        except IntegrityError:
            pass  # another process created it first


def record(session: Session, changes: Sequence[NewChange]) -> None:
    if not changes:
        return
    top = session.execute(
        update(Counter)
        .where(Counter.name == COUNTER)
        .values(value=Counter.value + len(changes))
        .returning(Counter.value)
    ).scalar_one()
    first = top - len(changes) + 1
    session.execute(
        insert(ChangeRow),
        [
            {
                "seq": first + n,
                "event_id": c.event_id,
                "kind": c.kind,
                "entity_id": c.entity_id,
                "origin_device": c.origin_device,
                "data": c.data,
            }
            for n, c in enumerate(changes)
        ],
    )


def lock(session: Session) -> None:
    """Take the change log's lock now (PostgreSQL row lock; SQLite writers are serial)."""
    session.execute(select(Counter.value).where(Counter.name == COUNTER).with_for_update())


def page_json(
    session: Session,
    *,
    event_ids: Collection[int],
    device_id: str | None,
    cursor: int,
    limit: int,
    lifetime: timedelta = PAGE_LIFETIME,
) -> bytes:
    """Changes after ``cursor`` for these events (and global ones such as keys),
    leaving out the device's own scans, which it already has.

    The JSON bytes of a :class:`ManifestPage`, built without ORM
    objects or models: every kiosk pulls every few seconds, and the stored change
    data is already JSON, so it is spliced in as it is."""
    query = (
        select(ChangeRow.seq, ChangeRow.kind, ChangeRow.event_id, cast(ChangeRow.data, Text))
        .where(ChangeRow.seq > cursor)
        .where(or_(ChangeRow.event_id.in_(list(event_ids)), ChangeRow.event_id.is_(None)))
        .order_by(ChangeRow.seq)
        .limit(limit + 1)
    )
    if device_id is not None:
        query = query.where(
            or_(ChangeRow.origin_device.is_(None), ChangeRow.origin_device != device_id)
        )
    rows = session.execute(query).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    items = ",".join(
        f'{{"seq":{seq},"kind":{json.dumps(kind)},"event_id":{_json_int(event)},"data":{data}}}'
        for seq, kind, event, data in rows
    )
    last = rows[-1][0] if rows else cursor
    moment = datetime.now(UTC)
    now = json.dumps(moment.isoformat())
    expires = json.dumps((moment + lifetime).isoformat())
    return (
        f'{{"changes":[{items}],"cursor":{int(last)},"has_more":{"true" if has_more else "false"},'
        f'"server_time":{now},"device_id":{json.dumps(device_id)},"from_cursor":{int(cursor)},'
        f'"expires_at":{expires}}}'
    ).encode()


def _json_int(value: int | None) -> str:
    return "null" if value is None else str(int(value))
