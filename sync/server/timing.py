"""``Server-Timing: app;dur=…`` on every answer: how long the server itself took, from
the request reaching the app to the answer's first byte (waits for a thread, a lock or
the database included; time in the network and in the client's own queue not).

A browser's developer tools show it beside the round trip, and the drop benchmark
reports it beside its own round trips: on a machine where the load generator shares
the cores with the server, the difference says whose time a slow request was."""

from __future__ import annotations

import time
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ServerTiming:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                headers = list(message.get("headers", []))
                headers.append((b"server-timing", f"app;dur={took:.1f}".encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, timed)


def server_ms(headers: Mapping[str, str]) -> float | None:
    """The ``app`` duration of a ``Server-Timing`` header, in milliseconds (None when
    the answer has none)."""
    for part in str(headers.get("server-timing", "")).split(","):
        name, _, params = part.strip().partition(";")
        if name == "app" and params.startswith("dur="):
            try:
                return float(params[4:])
            except ValueError:
                return None
    return None
