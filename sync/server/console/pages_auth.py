"""Signing in and out, passwords, the language, and (for owners) the accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sync.server.console.context import (
    PREFIX,
    SESSION_COOKIE,
    SignedIn,
    current_user,
    form,
    go,
    render,
    require,
)
from sync.server.console.i18n import COOKIE as LANGUAGE_COOKIE
from sync.server.console.i18n import LANGUAGES
from sync.server.deps import State
from sync.server.errors import ServiceError, Throttled
from sync.server.services import accounts
from sync.server.services.accounts import Action, Role

router = APIRouter()


def _safe_next(target: str) -> str:
    """Only a path of this console: never another site (an open redirect)."""
    if target.startswith(PREFIX + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return PREFIX + "/events"


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, state: State, next: Annotated[str, Query(max_length=500)] = ""
) -> Response:
    if current_user(request, state) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, None, "login.html", next=next, errors={}, email="")


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, state: State) -> Response:
    data = await request.form()
    email = str(data.get("email", ""))[:320]
    password = str(data.get("password", ""))[:500]
    target = _safe_next(str(data.get("next", "")))
    client = request.client.host if request.client else "unknown"
    try:
        token, _user = await run_in_threadpool(
            accounts.login, state, email, password, client=client
        )
    except ServiceError as exc:
        status = 429 if isinstance(exc, Throttled) else 401
        return render(
            request,
            None,
            "login.html",
            status=status,
            next=target,
            errors={"": str(exc)},
            email=email,
        )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="lax",
        path=PREFIX,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
    )
    return response


@router.post("/logout")
async def logout(request: Request, state: State, user: SignedIn) -> Response:
    await form(request, user)
    await run_in_threadpool(accounts.logout, state, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse(PREFIX + "/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


@router.post("/logout-everywhere")
async def logout_everywhere(request: Request, state: State, user: SignedIn) -> Response:
    await form(request, user)
    await run_in_threadpool(accounts.logout_everywhere, state, user.account_id)
    response = RedirectResponse(PREFIX + "/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


@router.get("/language")
def choose_language(
    to: Annotated[str, Query(max_length=5)], next: Annotated[str, Query(max_length=500)] = ""
) -> Response:
    response = RedirectResponse(
        next if next.startswith(PREFIX) and not next.startswith("//") else PREFIX + "/login",
        status_code=303,
    )
    if to in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, to, samesite="lax", path=PREFIX, max_age=365 * 86400)
    return response


@router.get("/password", response_class=HTMLResponse)
def password_page(request: Request, user: SignedIn) -> Response:
    return render(request, user, "password.html", errors={}, done=False)


@router.post("/password", response_class=HTMLResponse)
async def change_password(request: Request, state: State, user: SignedIn) -> Response:
    fields = await form(request, user)
    try:
        await run_in_threadpool(
            accounts.change_password,
            state,
            user.account_id,
            fields.get("current", ""),
            fields.get("new", ""),
        )
    except ServiceError as exc:
        return render(request, user, "password.html", status=422, errors={"": str(exc)})
    return go("/password?done=1")


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, state: State, user: SignedIn) -> Response:
    require(user, Action.ADMINISTER)
    return render(
        request,
        user,
        "accounts.html",
        accounts=accounts.list_accounts(state),
        roles=list(Role),
        errors={},
        values={},
    )


@router.post("/accounts", response_class=HTMLResponse)
async def create_account(request: Request, state: State, user: SignedIn) -> Response:
    require(user, Action.ADMINISTER)
    fields = await form(request, user)
    try:
        role = Role(fields.get("role", ""))
        await run_in_threadpool(
            lambda: accounts.create_account(
                state,
                fields.get("email", ""),
                fields.get("password", ""),
                role,
                name=fields.get("name", ""),
            )
        )
    except (ServiceError, ValueError) as exc:
        return render(
            request,
            user,
            "accounts.html",
            status=422,
            accounts=accounts.list_accounts(state),
            roles=list(Role),
            errors={"": str(exc)},
            values=fields,
        )
    return go("/accounts")


@router.post("/accounts/{account_id}", response_class=HTMLResponse)
async def change_account(
    account_id: int, request: Request, state: State, user: SignedIn
) -> Response:
    require(user, Action.ADMINISTER)
    fields = await form(request, user)
    action = fields.get("action", "")
    if action == "role":
        await run_in_threadpool(accounts.set_role, state, account_id, Role(fields.get("role", "")))
    elif action in ("disable", "enable"):
        await run_in_threadpool(accounts.set_disabled, state, account_id, action == "disable")
    elif action == "sign_out":
        await run_in_threadpool(accounts.logout_everywhere, state, account_id)
    return go("/accounts")
