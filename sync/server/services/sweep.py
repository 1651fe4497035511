"""The worker's round over selling: lapsed holds and unpaid orders expire, freed
places go to the waitlist, waiting rooms move on.

Every lapse is also noticed by the next request that looks (a hold's check ignores a
lapsed hold at once); the sweep makes sure that freed seats reach the waitlist even
when nobody is buying, and that a waiting room lets the next visitors in when an
admitted one's time is up.
"""

from __future__ import annotations

from sqlalchemy import select

from sync.server import issuing
from sync.server.models import Event, Hold, QueueEntry, WaitlistEntry, utcnow
from sync.server.services import sales, waiting_room, waitlist
from sync.server.state import ServerState


def sweep(state: ServerState) -> int:
    """One round; the number of waitlist offers made."""
    now = utcnow()
    with state.db.read() as session:
        lapsed = set(
            session.scalars(
                select(Hold.event_id)
                .where(Hold.status.in_(issuing.LIVE_HOLDS), Hold.expires_at <= now)
                .distinct()
            )
        )
        waiting = set(
            session.scalars(
                select(WaitlistEntry.event_id).where(WaitlistEntry.status == "waiting").distinct()
            )
        )
        queued = set(
            session.scalars(
                select(QueueEntry.event_id).where(QueueEntry.status != "done").distinct()
            )
        )
    for event_id in sorted(lapsed - waiting):
        with state.db.write() as session:
            issuing.lock_event(session, event_id)
            sales.expire_lapsed(session, event_id, utcnow())
    offers = sum(waitlist.offer_freed(state, event_id) for event_id in sorted(waiting))
    for event_id in sorted(queued):
        with state.db.write() as session:
            event = session.get(Event, event_id)
            if event is not None:
                waiting_room.advance(state, session, event, utcnow())
    return offers
