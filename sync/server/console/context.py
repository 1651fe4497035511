"""What every console page needs: who is signed in, their language, CSRF, rendering.

A page declares ``user: SignedIn`` (any account) and checks an action with
``user.require(Action.…)``; a state-changing form is read with :func:`form`, which
refuses it unless it carries the session's CSRF token.  Pages render with
:func:`render`, which hands every template the user, the translator and the token.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from sync.server.console.i18n import COOKIE as LANGUAGE_COOKIE
from sync.server.console.i18n import LANGUAGES, pick_language, translator
from sync.server.deps import State
from sync.server.errors import ServiceError
from sync.server.pricing import money
from sync.server.services.accounts import Action, ConsoleUser, session_user

HERE = Path(__file__).parent
SESSION_COOKIE = "admitone_session"
PREFIX = "/console"

templates = Jinja2Templates(directory=str(HERE / "templates"))


def _when(moment: datetime | None, zone: str = "UTC", pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A time as the venue reads it (the event's zone), with the zone's abbreviation."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.strftime(pattern)} {local.tzname() or ''}".strip()


templates.env.filters["when"] = _when
templates.env.filters["money"] = lambda cents, currency: money(int(cents), currency)
templates.env.globals["PREFIX"] = PREFIX


class LoginRequired(Exception):
    """No (live) session: the page answers with the login page, coming back after."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def language(request: Request) -> str:
    return pick_language(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language", "")
    )


def current_user(request: Request, state: State) -> ConsoleUser | None:
    return session_user(state, request.cookies.get(SESSION_COOKIE, ""))


def signed_in(request: Request, state: State) -> ConsoleUser:
    user = current_user(request, state)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


SignedIn = Annotated[ConsoleUser, Depends(signed_in)]


def require(user: ConsoleUser, action: Action) -> None:
    user.require(action)


class CsrfError(Exception):
    """A state-changing form without this session's token (another site's form)."""


async def form(request: Request, user: ConsoleUser) -> dict[str, str]:
    """The submitted form's fields, after checking its CSRF token against the
    session's (the token also comes as a header, from the page's scripts)."""
    data = await request.form()
    fields = {k: v for k, v in data.items() if isinstance(v, str)}
    sent = fields.pop("csrf", "") or request.headers.get("x-csrf-token", "")
    if not hmac.compare_digest(sent.encode(), user.csrf_token.encode()):
        raise CsrfError()
    return fields


def render(
    request: Request,
    user: ConsoleUser | None,
    name: str,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    lang = language(request)
    return templates.TemplateResponse(
        request,
        name,
        {
            "user": user,
            "t": translator(lang),
            "lang": lang,
            "other_lang": next(x for x in LANGUAGES if x != lang),
            "csrf": user.csrf_token if user else "",
            "Action": Action,
            "path": request.url.path,
            **context,
        },
        status_code=status,
    )


def go(path: str) -> RedirectResponse:
    """After a successful POST: see the result with a GET (no resubmission on reload)."""
    return RedirectResponse(PREFIX + path, status_code=303)


def login_redirect(next_path: str) -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/login?next={quote(next_path)}", status_code=303)


def field_errors(error: Exception) -> dict[str, str]:
    """A validation error's messages by field (pydantic's ``loc``), for the form."""
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        found: dict[str, str] = {}
        for item in error.errors():
            loc = item.get("loc") or ("",)
            key = str(loc[0]) if loc else ""
            message = str(item.get("msg", "")).removeprefix("Value error, ")
            found.setdefault(key, message)
        return found
    if isinstance(error, ServiceError):
        return {"": str(error)}
    return {"": str(error)}


def no_store(response: Response) -> Response:
    """Pages with a person's data are not kept by the browser's cache."""
    response.headers["Cache-Control"] = "no-store"
    return response
