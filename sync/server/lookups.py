"""Finding a row or answering 404: shared by the routes and the server's console
commands, so no route module needs to import another."""

from __future__ import annotations

from fastapi import HTTPException
from sqlalchemy.orm import Session

from sync.server.models import Event


def get_event_or_404(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise HTTPException(404, f"no event {event_id}")
    return event
