"""What the server checks before any route reads a request body.

FastAPI reads and parses a body before it runs a route's dependencies, so a 50 MB
upload to ``/sync/scans`` with no token used to be held in memory and parsed
(RSS 113 MB → 1.5 GB, every other request stalled) before the 401.  This ASGI
layer runs first:

1. a route that needs a token gets its ``Authorization`` checked (the same
   :func:`~sync.server.deps.authenticate`, through its cache) before one byte of
   the body is read: no token or a bad one is a 401 at once;
2. a declared ``Content-Length`` over the route's limit is a 413 at once;
3. the body is then read up to the limit, and a body that streams past it (no or a
   false length) is a 413 the moment it does: memory never holds more than the
   limit.  The route gets the bytes read, replayed.
"""

from __future__ import annotations

import json

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.server.errors import ServiceError
from sync.server.state import ServerState

KIB = 1024
DEFAULT_LIMIT = 64 * KIB
LIMITS = {
    "/api/v1/sync/scans": 4 * 1024 * KIB,  # 1,000 scans of at most ~2 KB each
    "/api/v1/sync/audit": 4 * 1024 * KIB,
    "/api/v1/orders": 4 * 1024 * KIB,  # 10,000 tickets' holder names
}
OPEN_PATHS = (
    "/api/v1/devices/enrol",
    "/api/v1/tickets/hold",
    "/api/v1/tickets/quote",
    "/api/v1/tickets/purchase",
)
"""The API routes that take no token: a kiosk enrolling has none yet, and buyers have
no account (a hold's own token is their claim on it)."""
OPEN_PREFIX = "/api/v1/shop/"
"""The public shop's reads, waitlist and waiting room: no account either."""
BODY_METHODS = {"POST", "PUT", "PATCH"}


def body_limit(path: str) -> int:
    return LIMITS.get(path.rstrip("/"), DEFAULT_LIMIT)


class RequestGuard:
    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if (
            path.startswith("/api/")
            and path.rstrip("/") not in OPEN_PATHS
            and not path.startswith(OPEN_PREFIX)
        ):
            refusal = await self._authenticate(scope, headers)
            if refusal is not None:
                await _answer(send, *refusal)
                return
        limit = body_limit(path)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _answer(send, 413, _too_large(limit))
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _answer(send, 413, _too_large(limit))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _authenticate(
        self, scope: Scope, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], dict[str, str]] | None:
        from starlette.requests import Request

        from sync.server.deps import authenticate, http_answer

        request = Request({**scope, "headers": scope["headers"]})
        try:
            await anyio.to_thread.run_sync(authenticate, request, self.state)
        except ServiceError as exc:
            status, answer_headers = http_answer(exc)
            return status, {"detail": str(exc)}, answer_headers
        return None


def _too_large(limit: int) -> dict[str, str]:
    return {
        "detail": f"the request body is larger than this route takes ({limit // KIB} KiB); "
        "send less per request"
    }


async def _answer(
    send: Send, status: int, body: dict[str, str], headers: dict[str, str] | None = None
) -> None:
    payload = json.dumps(body).encode("utf-8")
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (b"connection", b"close"),
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})
