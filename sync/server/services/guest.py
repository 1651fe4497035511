"""A guest's own ticket page: the ticket behind an unguessable link, and giving it to
a friend from there (no account, no login: the link is the key)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sync.server.delivery import wallets
from sync.server.delivery.links import ticket_of_token, ticket_token
from sync.server.delivery.pdf import PrintableTicket
from sync.server.delivery.qr import ticket_svg
from sync.server.errors import Gone, Invalid, NotFound, Refused
from sync.server.lookups import require_ticket
from sync.server.services import orders
from sync.server.services.delivery import LIVE, printable
from sync.server.state import ServerState

EMAIL = re.compile(r"^[^@\s<>,;]{1,64}@[^@\s<>,;]{1,255}\.[^@\s<>,;.]{2,63}$")


@dataclass(frozen=True, slots=True)
class GuestTicket:
    token: str
    ticket: PrintableTicket
    status: str
    replaced: bool
    qr_svg: str
    """The code as an inline SVG (black on white, quiet zone included): scales to any
    screen without blurring, which a scanner likes better than a resized PNG."""


def _ticket_id(state: ServerState, token: str) -> str:
    ticket_id = ticket_of_token(state.link_secret, token)
    if ticket_id is None:
        raise NotFound("this ticket link is not valid: check it was copied whole")
    return ticket_id


def page_token(state: ServerState, ticket_id: str) -> str:
    return ticket_token(state.link_secret, ticket_id)


def ticket_page(state: ServerState, token: str) -> GuestTicket:
    ticket_id = _ticket_id(state, token)
    with state.db.read() as session:
        ticket = require_ticket(session, ticket_id)
        (shown,) = printable(session, [ticket])
        status, replaced = ticket.status, ticket.replaced_by is not None
    svg = ""
    if status == LIVE:
        svg = ticket_svg(shown.code)
    return GuestTicket(token, shown, status, replaced, svg)


def give_to_friend(state: ServerState, token: str, name: str, email: str, language: str) -> str:
    """Transfer the ticket behind ``token`` to a friend: the old code is revoked (kiosks
    learn it at their next pull), the friend's new code is mailed to them.  Returns the
    new ticket's page token."""
    name, email = name.strip(), email.strip()
    if not name or len(name) > 200:
        raise Invalid("give your friend's name (at most 200 characters)")
    if not EMAIL.match(email) or len(email) > 320:
        raise Invalid("give your friend's e-mail address, like name@example.org")
    ticket_id = _ticket_id(state, token)
    try:
        new = orders.transfer_ticket(
            state,
            ticket_id,
            name,
            "given away from the guest's page",
            email=email,
            language=language,
        )
    except Refused as exc:
        raise Refused(f"this ticket cannot be given away: {exc}") from exc
    return page_token(state, new.ticket_id)


def _live(state: ServerState, token: str) -> PrintableTicket:
    ticket_id = _ticket_id(state, token)
    with state.db.read() as session:
        ticket = require_ticket(session, ticket_id)
        if ticket.status != LIVE:
            raise Gone(f"this ticket is {ticket.status}: it admits no one")
        (shown,) = printable(session, [ticket])
    return shown


def apple_pass(state: ServerState, token: str, language: str) -> bytes:
    """The ticket as an Apple Wallet pass; :class:`Refused` naming the setting to fix
    when the server has no usable pass certificate."""
    try:
        signer = wallets.apple_signer(state.config)
    except wallets.WalletNotSetUp as exc:
        raise Refused(str(exc)) from exc
    return wallets.pkpass(_live(state, token), signer, language)


def google_wallet_link(state: ServerState, token: str) -> str:
    try:
        signer = wallets.google_signer(state.config)
    except wallets.WalletNotSetUp as exc:
        raise Refused(str(exc)) from exc
    return wallets.google_save_link(_live(state, token), signer, datetime.now(UTC))


def wallet_problems(state: ServerState) -> list[str]:
    """What keeps a configured wallet from working (a missing file, a key that is not
    the certificate's), for the console to show before a guest finds out."""
    problems = []
    config = state.config
    for configured, check in (
        (wallets.apple_configured(config), wallets.apple_signer),
        (wallets.google_configured(config), wallets.google_signer),
    ):
        if configured:
            try:
                check(config)
            except wallets.WalletNotSetUp as exc:
                problems.append(str(exc))
    return problems


def wallets_offered(state: ServerState) -> tuple[bool, bool]:
    """(Apple, Google): which buttons the page shows."""
    config = state.config
    return wallets.apple_configured(config), wallets.google_configured(config)
