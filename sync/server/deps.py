"""What a route is handed: this process's state, the caller, and checked path values.

The one place the HTTP side turns a request into the services' terms (as
``full-stack-fastapi-template``'s ``deps.py``): the bearer header becomes a
:class:`~sync.server.principals.Principal`, the app's state a ``ServerState``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from sync.server.errors import (
    Forbidden,
    Gone,
    Invalid,
    NotFound,
    Refused,
    ServiceError,
    Throttled,
    Unauthorized,
)
from sync.server.principals import Principal, principal_for_token
from sync.server.state import ServerState


def server_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.admitone
    return state


State = Annotated[ServerState, Depends(server_state)]
"""The route parameter type that hands a route this process's :class:`ServerState`."""


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def authenticate(request: Request, state: State) -> Principal:
    return principal_for_token(state, bearer_token(request))


def require_admin(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
    if not principal.is_admin:
        raise Forbidden("this needs an admin token; device tokens cannot do it")
    return principal


def require_device(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
    if principal.kind != "device":
        raise Forbidden("this route is for enrolled kiosks; use a device token")
    return principal


AnyPrincipal = Annotated[Principal, Depends(authenticate)]
Admin = Annotated[Principal, Depends(require_admin)]
DevicePrincipal = Annotated[Principal, Depends(require_device)]

IdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="a positive id")]
TicketIdPath = Annotated[str, Path(min_length=1, max_length=64)]
DeviceIdPath = Annotated[str, Path(min_length=1, max_length=64)]


STATUS = {
    NotFound: 404,
    Invalid: 422,
    Refused: 409,
    Gone: 410,
    Forbidden: 403,
    Unauthorized: 401,
    Throttled: 429,
}


def http_answer(error: ServiceError) -> tuple[int, dict[str, str]]:
    """A service's refusal as a status code and headers (its message is the detail)."""
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
    headers: dict[str, str] = {}
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, Throttled):
        headers["Retry-After"] = str(error.retry_after)
    return status, headers
