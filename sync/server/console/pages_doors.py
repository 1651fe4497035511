"""The doors, live; kiosks (enrolment codes, revocation, audit); keys; exports.

The dashboard is a server-rendered panel that a server-sent event stream replaces
whenever the figures change.  The stream asks the database (never this process's
memory) what changed, once a second: a push that reached another server process
on the same database shows here within the next second.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import segno
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from sync.server.console.context import (
    PREFIX,
    SignedIn,
    form,
    go,
    language,
    no_store,
    render,
    require,
    templates,
)
from sync.server.console.event_page import ORGANISER
from sync.server.console.i18n import translator
from sync.server.deps import DeviceIdPath, IdPath, State, TicketIdPath
from sync.server.errors import Invalid, ServiceError
from sync.server.schemas import Doors
from sync.server.services import catalog, devices, keys, reports
from sync.server.services.accounts import Action
from sync.trust import enrolment_qr_text

router = APIRouter()
STREAM_SECONDS = 300
"""A stream ends after this long and the browser opens a new one (EventSource does):
no connection outlives a server shutdown by more than a moment."""


def bars_svg(points: list[tuple[str, int]], *, label: str) -> str:
    """Admits per quarter hour as bars; the last 32 quarters (eight hours)."""
    points = points[-32:]
    if not points:
        return ""
    top = max(v for _, v in points) or 1
    width, height = 640, 160
    bar = min(width / len(points), 48.0)
    parts = []
    for i, (name, value) in enumerate(points):
        h = round(value / top * (height - 30))
        x = i * bar
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{height - 18 - h}" width="{max(bar - 2, 1):.1f}" '
            f'height="{h}" fill="#1d4ed8"><title>{name}: {value}</title></rect>'
        )
        if i % max(1, len(points) // 8) == 0:
            parts.append(
                f'<text x="{x + 1:.1f}" y="{height - 4}" font-size="11" fill="#5c6b80">'
                f"{name}</text>"
            )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{label}">{"".join(parts)}</svg>'
    )


def _panel(request: Request, doors: Doors, zone: str) -> str:
    t = translator(language(request))
    tz = ZoneInfo(zone)
    chart = bars_svg(
        [
            (q.start.astimezone(tz).strftime("%H:%M"), q.admitted)
            for q in doors.attendance.by_quarter_hour
        ],
        label=t("by_quarter"),
    )
    return templates.get_template("_doors_panel.html").render(
        doors=doors, t=t, zone=zone, chart=chart, now=datetime.now(UTC), PREFIX=PREFIX
    )


@router.get("/events/{event_id}/doors", response_class=HTMLResponse)
def doors_page(event_id: IdPath, request: Request, state: State, user: SignedIn) -> Response:
    event = catalog.get_event(state, ORGANISER, event_id)
    panel = _panel(request, reports.doors(state, event_id), event.timezone)
    return no_store(render(request, user, "doors.html", event=event, panel=panel))


@router.get("/events/{event_id}/doors/stream")
async def doors_stream(
    event_id: IdPath, request: Request, state: State, user: SignedIn
) -> StreamingResponse:
    event = await run_in_threadpool(catalog.get_event, state, ORGANISER, event_id)

    async def updates() -> AsyncIterator[str]:
        last: tuple[object, ...] | None = None
        started = asyncio.get_running_loop().time()
        yield "retry: 1000\n\n"
        while asyncio.get_running_loop().time() - started < STREAM_SECONDS:
            if await request.is_disconnected():
                return
            version = await run_in_threadpool(reports.doors_version, state, event_id)
            if version != last:
                last = version
                doors = await run_in_threadpool(reports.doors, state, event_id)
                html = _panel(request, doors, event.timezone)
                yield "event: doors\n" + "".join(f"data: {line}\n" for line in html.splitlines())
                yield "\n"
            else:
                yield ": still here\n\n"
            await asyncio.sleep(1.0)

    return StreamingResponse(
        updates(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


# --- kiosks -------------------------------------------------------------------------


def _kiosks_page(
    request: Request, state: State, user: SignedIn, *, code: object = None, error: str = ""
) -> Response:
    return no_store(
        render(
            request,
            user,
            "kiosks.html",
            status=422 if error else 200,
            kiosks=devices.all_devices(state),
            events=catalog.list_events(state, ORGANISER),
            code=code,
            error=error,
            server_url=str(request.base_url).rstrip("/"),
        )
    )


@router.get("/kiosks", response_class=HTMLResponse)
def kiosks_page(request: Request, state: State, user: SignedIn) -> Response:
    return _kiosks_page(request, state, user)


@router.post("/kiosks/enrol-code", response_class=HTMLResponse)
async def make_enrol_code(request: Request, state: State, user: SignedIn) -> Response:
    require(user, Action.SET_UP)
    fields = await form(request, user)
    try:
        event_id = int(fields.get("event_id", "0") or 0)
        server_url = fields.get("server_url", "").strip().rstrip("/")
        if not server_url.startswith(("https://", "http://")) or len(server_url) > 300:
            raise Invalid("give the server's address as the kiosks reach it, https://…")
        code = await run_in_threadpool(
            devices.create_enrolment_code, state, event_id, fields.get("gate", "")
        )
    except (ServiceError, ValueError) as exc:
        message = str(exc)
        return await run_in_threadpool(lambda: _kiosks_page(request, state, user, error=message))
    payload = enrolment_qr_text(server_url, code.code)
    qr = segno.make_qr(payload, error="m").svg_inline(scale=6, border=4, title=code.gate)
    return await run_in_threadpool(
        lambda: _kiosks_page(request, state, user, code={"out": code, "qr": qr, "payload": payload})
    )


@router.post("/kiosks/{device_id}/revoke", response_class=HTMLResponse)
async def revoke_kiosk(
    device_id: DeviceIdPath, request: Request, state: State, user: SignedIn
) -> Response:
    require(user, Action.SET_UP)
    await form(request, user)
    await run_in_threadpool(devices.revoke, state, device_id)
    return go("/kiosks")


@router.get("/kiosks/{device_id}/audit", response_class=HTMLResponse)
def kiosk_audit(
    device_id: DeviceIdPath,
    request: Request,
    state: State,
    user: SignedIn,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> Response:
    entries = reports.audit_log(state, device_id=device_id, limit=limit)
    return no_store(render(request, user, "audit.html", device_id=device_id, entries=entries))


# --- keys ---------------------------------------------------------------------------


@router.get("/keys", response_class=HTMLResponse)
def keys_page(request: Request, state: State, user: SignedIn) -> Response:
    require(user, Action.ADMINISTER)
    error = request.query_params.get("error", "")[:300]
    return render(request, user, "keys.html", keys=keys.list_keys(state), error=error)


@router.post("/keys/rotate", response_class=HTMLResponse)
async def rotate_key(request: Request, state: State, user: SignedIn) -> Response:
    require(user, Action.ADMINISTER)
    fields = await form(request, user)
    if fields.get("confirm") != "on":
        return go("/keys?error=tick+%E2%80%9CI+am+sure%E2%80%9D+first")
    await run_in_threadpool(keys.rotate_key, state)
    return go("/keys")


@router.post("/keys/{kid}/retire", response_class=HTMLResponse)
async def retire_key(kid: TicketIdPath, request: Request, state: State, user: SignedIn) -> Response:
    require(user, Action.ADMINISTER)
    fields = await form(request, user)
    if fields.get("confirm") != "on":
        return go("/keys?error=tick+%E2%80%9CI+am+sure%E2%80%9D+first")
    try:
        await run_in_threadpool(keys.retire_key, state, kid)
    except ServiceError as exc:
        return render(
            request, user, "keys.html", status=409, keys=keys.list_keys(state), error=str(exc)
        )
    return go("/keys")


# --- exports --------------------------------------------------------------------------

EXPORTS = {
    "attendance": reports.attendance_csv,
    "scans": reports.scans_csv,
    "conflicts": reports.conflicts_csv,
}


@router.get("/events/{event_id}/export/{kind}.csv")
async def export_csv(
    event_id: IdPath, kind: str, state: State, user: SignedIn
) -> StreamingResponse:
    require(user, Action.SELL)
    make = EXPORTS.get(kind)
    if make is None:
        raise Invalid(f"no export {kind!r}; there are {', '.join(EXPORTS)}")
    lines: Iterator[str] = await run_in_threadpool(make, state, event_id)
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="event-{event_id}-{kind}.csv"',
            "Cache-Control": "no-store",
        },
    )
