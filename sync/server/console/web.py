"""The console mounted on the server's app: pages under ``/console``, its assets, and
how a refusal reads in a browser (a page, not JSON)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from sync.server.console import pages_auth, pages_doors, pages_events, pages_sales, pages_tickets
from sync.server.console.context import (
    HERE,
    PREFIX,
    CsrfError,
    LoginRequired,
    current_user,
    login_redirect,
    render,
)
from sync.server.deps import http_answer
from sync.server.errors import ServiceError
from sync.server.state import ServerState

PAGES = (pages_auth, pages_events, pages_tickets, pages_doors, pages_sales)


def console_routes() -> Iterator[tuple[str, str]]:
    """Every (method, path) of the console's pages and actions."""
    for pages in PAGES:
        for route in pages.router.routes:
            if isinstance(route, APIRoute):
                for method in sorted(route.methods or ()):
                    yield method, PREFIX + route.path


def mount(app: FastAPI) -> None:
    router = APIRouter(prefix=PREFIX, include_in_schema=False)
    for pages in PAGES:
        router.include_router(pages.router)

    @router.get("")
    @router.get("/")
    def home() -> Response:
        return RedirectResponse(PREFIX + "/events", status_code=303)

    app.include_router(router)
    app.mount(PREFIX + "/static", StaticFiles(directory=HERE / "static"), name="console-static")

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return RedirectResponse(PREFIX + "/events", status_code=303)

    @app.exception_handler(LoginRequired)
    async def _login(_request: Request, exc: LoginRequired) -> Response:
        return login_redirect(exc.next_path)

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, _exc: CsrfError) -> Response:
        return error_page(
            request,
            "This form has expired or came from another page: reload the page and try again.",
            403,
        )


def error_page(request: Request, message: str, status: int) -> HTMLResponse:
    state: ServerState = request.app.state.admitone
    user = current_user(request, state)
    return render(request, user, "error.html", status=status, message=message, back="")


def console_refusal(request: Request, exc: ServiceError) -> HTMLResponse:
    status, _headers = http_answer(exc)
    return error_page(request, str(exc), status)


CONSOLE_PREFIX = PREFIX
