"""An event's page (its ticket types, issuing and search), as every form on it comes
back to it: with the errors of the form that failed beside their fields."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from sync.server.console.context import render
from sync.server.principals import Principal
from sync.server.services import catalog
from sync.server.services.accounts import ConsoleUser
from sync.server.state import ServerState

ORGANISER = Principal("admin", "console")
"""The services' view for a signed-in account: every event (roles limit actions)."""


def render_event_page(
    request: Request,
    state: ServerState,
    user: ConsoleUser,
    event_id: int,
    *,
    type_errors: dict[str, str] | None = None,
    type_values: dict[str, str] | None = None,
    order_errors: dict[str, str] | None = None,
    order_values: dict[str, str] | None = None,
) -> Response:
    event = catalog.get_event(state, ORGANISER, event_id)
    failed = bool(type_errors or order_errors)
    return render(
        request,
        user,
        "event.html",
        status=422 if failed else 200,
        event=event,
        types=catalog.list_ticket_types(state, ORGANISER, event_id),
        availability=catalog.availability(state, event_id),
        type_errors=type_errors or {},
        type_values=type_values or {},
        order_errors=order_errors or {},
        order_values=order_values or {},
    )
