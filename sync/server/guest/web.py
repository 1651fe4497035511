"""The guest's ticket page, ``/t/{token}``: the code full screen for the scanner, the
event, the seat, and giving the ticket to a friend.

No login: the link is the key, so the page is never cached, never indexed, and never
sends its address to another site (``Referrer-Policy: no-referrer``).  The transfer
form needs no CSRF token for the same reason a login form would: another site cannot
post to a link it does not know.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from sync.server.console.i18n import pick_language
from sync.server.delivery.pdf import LABELS, local_time
from sync.server.deps import State
from sync.server.errors import Gone, Invalid, NotFound, ServiceError
from sync.server.services import guest

log = logging.getLogger(__name__)
router = APIRouter()
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
MAX_FORM = 4096

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Your ticket",
        "show": "Show this code at the entrance. Turn your screen brightness up.",
        "void_refunded": "This ticket was refunded: its code no longer admits anyone.",
        "void_transferred": "This ticket was given to someone else: its code no longer "
        "admits anyone.",
        "void_other": "This ticket no longer admits anyone.",
        "given": "Done: this is {name}'s ticket now, and it is on its way to them by e-mail. "
        "The old code no longer admits anyone.",
        "transfer": "Give this ticket to a friend",
        "transfer_hint": "Your friend gets a new code by e-mail; this one stops working "
        "at every gate.",
        "friend_name": "Your friend's name",
        "friend_email": "Your friend's e-mail",
        "understand": "I understand my code stops working",
        "give": "Give the ticket",
        "must_confirm": "Tick the box to confirm: your code stops working.",
        "not_found": "This ticket link is not valid: check it was copied whole.",
        "general": "General admission",
        "apple": "Add to Apple Wallet",
        "google": "Save to Google Wallet",
        "refused": "This cannot be done right now",
    },
    "id": {
        "title": "Tiket Anda",
        "show": "Tunjukkan kode ini di pintu masuk. Naikkan kecerahan layar.",
        "void_refunded": "Tiket ini sudah dikembalikan: kodenya tidak berlaku lagi.",
        "void_transferred": "Tiket ini sudah diberikan kepada orang lain: kodenya tidak "
        "berlaku lagi.",
        "void_other": "Tiket ini tidak berlaku lagi.",
        "given": "Selesai: tiket ini sekarang milik {name} dan sedang dikirim lewat surel. "
        "Kode lama tidak berlaku lagi.",
        "transfer": "Berikan tiket ini kepada teman",
        "transfer_hint": "Teman Anda mendapat kode baru lewat surel; kode ini berhenti "
        "berlaku di semua pintu.",
        "friend_name": "Nama teman Anda",
        "friend_email": "Surel teman Anda",
        "understand": "Saya mengerti kode saya berhenti berlaku",
        "give": "Berikan tiket",
        "must_confirm": "Centang kotak untuk memastikan: kode Anda berhenti berlaku.",
        "not_found": "Tautan tiket ini tidak sah: periksa apakah tersalin utuh.",
        "general": "Tanpa nomor kursi",
        "apple": "Tambahkan ke Apple Wallet",
        "google": "Simpan ke Google Wallet",
        "refused": "Ini tidak bisa dilakukan sekarang",
    },
}


def _language(request: Request) -> str:
    return pick_language(None, request.headers.get("accept-language", ""))


def _page(
    request: Request,
    state: State,
    token: str,
    *,
    status: int = 200,
    error: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    lang = _language(request)
    words = WORDS[lang]
    try:
        shown = guest.ticket_page(state, token)
    except ServiceError:
        return HTMLResponse(
            templates.get_template("not_found.html").render(lang=lang, w=words),
            status_code=404,
            headers=HEADERS,
        )
    ticket = shown.ticket
    apple, google = guest.wallets_offered(state)
    when = local_time(ticket.starts_at, ticket.timezone, lang) if ticket.starts_at else ""
    html = templates.get_template("ticket_page.html").render(
        lang=lang,
        w=words,
        labels=LABELS[lang],
        shown=shown,
        ticket=ticket,
        when=when,
        given=request.query_params.get("given", "")[:200],
        error=error,
        values=values or {},
        apple=apple,
        google=google,
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


@router.get("/t/{token}", response_class=HTMLResponse, include_in_schema=False)
async def ticket_page(token: str, request: Request, state: State) -> Response:
    return await run_in_threadpool(_page, request, state, token[:100])


def _refusal(request: Request, exc: ServiceError) -> Response:
    """A wallet that cannot be made: a plain page that says why (the organiser reads the
    setting to fix in the server's log too)."""
    lang = _language(request)
    status = 410 if isinstance(exc, Gone) else 404 if isinstance(exc, NotFound) else 409
    html = templates.get_template("refused.html").render(lang=lang, w=WORDS[lang], why=str(exc))
    return HTMLResponse(html, status_code=status, headers=HEADERS)


@router.get("/t/{token}/wallet.pkpass", include_in_schema=False)
async def apple_wallet(token: str, request: Request, state: State) -> Response:
    try:
        content = await run_in_threadpool(guest.apple_pass, state, token, _language(request))
    except ServiceError as exc:
        log.warning("no Apple Wallet pass: %s", exc)
        return _refusal(request, exc)
    return Response(
        content,
        media_type="application/vnd.apple.pkpass",
        headers={**HEADERS, "Content-Disposition": 'attachment; filename="ticket.pkpass"'},
    )


@router.get("/t/{token}/google-wallet", include_in_schema=False)
async def google_wallet(token: str, request: Request, state: State) -> Response:
    try:
        link = await run_in_threadpool(guest.google_wallet_link, state, token)
    except ServiceError as exc:
        log.warning("no Google Wallet link: %s", exc)
        return _refusal(request, exc)
    return RedirectResponse(link, status_code=303, headers=HEADERS)


@router.post("/t/{token}/transfer", include_in_schema=False)
async def give_to_friend(token: str, request: Request, state: State) -> Response:
    body = await request.body()
    if len(body) > MAX_FORM:
        return Response("form too large", status_code=413)
    fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    name, email = fields.get("name", ""), fields.get("email", "")
    lang = _language(request)
    if fields.get("understand") != "yes":
        return await run_in_threadpool(
            lambda: _page(
                request,
                state,
                token,
                status=422,
                error=WORDS[lang]["must_confirm"],
                values=fields,
            )
        )
    try:
        new = await run_in_threadpool(guest.give_to_friend, state, token, name, email, lang)
    except ServiceError as exc:
        message, code = str(exc), 422 if isinstance(exc, Invalid) else 409
        return await run_in_threadpool(
            lambda: _page(request, state, token, status=code, error=message, values=fields)
        )
    return RedirectResponse(
        f"/t/{new}?given={quote(name.strip()[:200])}", status_code=303, headers=HEADERS
    )
