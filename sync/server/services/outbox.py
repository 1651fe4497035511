"""The mail outbox: order confirmations queued with the order, sent by a worker.

A confirmation is a row written in the order's own transaction, so an order never
exists without its mail or the other way round.  The worker claims due rows with a
lease (an UPDATE that only one process can win, so two server processes never send
the same row), builds the mail from what the order holds *now* (a ticket refunded in
between is named as void, an order with nothing left is cancelled, not mailed), and
hands it to the SMTP server.  An unreachable server means a retry with back-off, a
refused address means failed with the server's words; the console shows both and can
send again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import ColumnElement, and_, false, or_, select, update
from sqlalchemy.orm import Session

from sync.config import ServerConfig
from sync.server.delivery import mail
from sync.server.delivery.links import ticket_path
from sync.server.delivery.pdf import tickets_pdf
from sync.server.errors import Invalid
from sync.server.lookups import require_order
from sync.server.models import Event, Order, OutboxMail, Ticket, utcnow
from sync.server.services.delivery import LIVE, printable
from sync.server.state import ServerState

log = logging.getLogger(__name__)

CONFIRMATION = "order_confirmation"
TRANSFER = "ticket_transfer"
NOTICE = "notice"
LEASE = timedelta(minutes=5)
BULK_SETTLE = timedelta(seconds=30)
"""A confirmation waits this long after the last part of an order issued in parts."""


@dataclass(frozen=True, slots=True)
class MailLine:
    """One mail of an order, as the console lists it."""

    id: int
    recipient: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime


def queue_confirmation(
    session: Session,
    order: Order,
    config: ServerConfig,
    language: str | None = None,
    *,
    in_parts: bool = False,
) -> OutboxMail | None:
    """Queue ``order``'s confirmation in the caller's transaction; None without an
    address to send it to.  ``in_parts``: the order's tickets are still being issued,
    so the mail waits (``settle``) for the rest."""
    if not order.buyer_email:
        return None
    row = OutboxMail(
        kind=CONFIRMATION,
        order_id=order.id,
        recipient=order.buyer_email,
        recipient_name=order.buyer_name,
        language=language or config.mail_language,
        status="pending",
        attempts=0,
        next_attempt_at=utcnow() + (BULK_SETTLE if in_parts else timedelta()),
        message_id=mail.new_message_id(config),
    )
    session.add(row)
    return row


def queue_transfer(
    session: Session,
    ticket: Ticket,
    name: str,
    address: str,
    config: ServerConfig,
    language: str,
) -> OutboxMail:
    """Queue the mail that gives ``ticket`` (just transferred) to its new holder, in
    the transfer's own transaction."""
    row = OutboxMail(
        kind=TRANSFER,
        order_id=ticket.order_id,
        ticket_id=ticket.ticket_id,
        recipient=address,
        recipient_name=name,
        language=language,
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
        message_id=mail.new_message_id(config),
    )
    session.add(row)
    return row


def queue_notice(
    session: Session,
    *,
    recipient: str,
    name: str,
    subject: str,
    body: str,
    config: ServerConfig,
    order_id: int | None = None,
) -> OutboxMail | None:
    """Queue a plain-text notice in the caller's transaction (None without an address)."""
    if not recipient:
        return None
    row = OutboxMail(
        kind=NOTICE,
        order_id=order_id,
        recipient=recipient,
        recipient_name=name,
        subject=subject[:200],
        body=body,
        language=config.mail_language,
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
        message_id=mail.new_message_id(config),
    )
    session.add(row)
    return row


def settle(session: Session, order_id: int) -> None:
    """More tickets joined the order: its pending confirmation waits for the rest."""
    session.execute(
        update(OutboxMail)
        .where(OutboxMail.order_id == order_id, OutboxMail.status == "pending")
        .values(next_attempt_at=utcnow() + BULK_SETTLE)
    )


def resend(state: ServerState, order_id: int, language: str | None = None) -> MailLine:
    with state.db.write() as session:
        order = require_order(session, order_id)
        row = queue_confirmation(session, order, state.config, language)
        if row is None:
            raise Invalid(f"order {order_id} has no e-mail address to send to")
        session.flush()
        line = _line(row)
    state.mail_wake.set()
    return line


def order_mail(state: ServerState, order_id: int) -> list[MailLine]:
    with state.db.read() as session:
        require_order(session, order_id)
        rows = session.scalars(
            select(OutboxMail).where(OutboxMail.order_id == order_id).order_by(OutboxMail.id)
        ).all()
        return [_line(row) for row in rows]


def _line(row: OutboxMail) -> MailLine:
    return MailLine(
        row.id,
        row.recipient,
        row.status,
        row.attempts,
        row.last_error,
        row.created_at,
        row.sent_at,
        row.next_attempt_at,
    )


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(OutboxMail.status == "pending", OutboxMail.next_attempt_at <= now),
        and_(OutboxMail.status == "sending", OutboxMail.lease_until < now),
    )


def claim_due(state: ServerState, limit: int = 20) -> list[int]:
    """Rows due now, each claimed for this worker by a lease no other can take."""
    now = utcnow()
    claimed = []
    with state.db.write() as session:
        due = session.scalars(
            select(OutboxMail.id).where(_due(now)).order_by(OutboxMail.id).limit(limit)
        ).all()
        for row_id in due:
            won = session.execute(
                update(OutboxMail)
                .where(OutboxMail.id == row_id, _due(now))
                .values(status="sending", lease_until=now + LEASE)
            )
            if won.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(row_id)
    return claimed


def send_due(state: ServerState) -> int:
    """Send what is due; the number of mails handed to the SMTP server."""
    if not state.config.mail_host:
        return 0
    sent = 0
    for row_id in claim_due(state):
        sent += deliver(state, row_id)
    return sent


@dataclass(frozen=True, slots=True)
class _Draft:
    """One mail as built from what its tickets were at one moment."""

    message: EmailMessage | None  # None: nothing left to send
    statuses: dict[str, str]  # ticket id -> status, as the draft saw them
    recipient: str


def _draft(state: ServerState, row_id: int) -> _Draft | None:
    config = state.config
    with state.db.read() as session:
        row = session.get(OutboxMail, row_id)
        if row is None or row.status != "sending":
            return None
        if row.kind == NOTICE:
            message = mail.notice_message(
                row.subject or "",
                row.body or "",
                row.recipient_name,
                row.recipient,
                mail.sender_of(config),
                row.message_id,
            )
            return _Draft(message, {}, row.recipient)
        order = session.get(Order, row.order_id)
        assert order is not None
        event = session.get(Event, order.event_id)
        assert event is not None
        tickets = session.scalars(
            select(Ticket).where(_scope(row)).order_by(Ticket.ticket_id)
        ).all()
        statuses = {t.ticket_id: t.status for t in tickets}
        live = [t for t in tickets if t.status == LIVE]
        pages = printable(session, live)
        recipient = row.recipient
        if not pages:
            return _Draft(None, statuses, recipient)
        links = {}
        if config.public_url:
            base = config.public_url.rstrip("/")
            links = {p.ticket_id: base + ticket_path(state.link_secret, p.ticket_id) for p in pages}
        confirmation = mail.Confirmation(
            order_id=order.id,
            buyer_name=row.recipient_name or order.buyer_name,
            recipient=recipient,
            language=row.language,
            event_name=event.name,
            live=pages,
            void=[t.ticket_id for t in tickets if t.status != LIVE],
            links=links,
            pdf=tickets_pdf(pages, row.language),
            message_id=row.message_id,
            transfer=row.kind == TRANSFER,
        )
    return _Draft(
        mail.confirmation_message(confirmation, mail.sender_of(config)), statuses, recipient
    )


def _scope(row: OutboxMail) -> ColumnElement[bool]:
    if row.kind == NOTICE:
        return false()  # a notice's text is fixed: no ticket to re-read
    if row.ticket_id is not None:
        return Ticket.ticket_id == row.ticket_id
    return Ticket.order_id == row.order_id


def _statuses_now(state: ServerState, row_id: int) -> dict[str, str]:
    with state.db.read() as session:
        row = session.get(OutboxMail, row_id)
        assert row is not None
        return {
            ticket_id: status
            for ticket_id, status in session.execute(
                select(Ticket.ticket_id, Ticket.status).where(_scope(row))
            )
        }


def deliver(state: ServerState, row_id: int) -> bool:
    """Build and send one claimed mail; record what happened.

    Building (the PDF above all) takes a moment in which a ticket may be refunded: the
    tickets' statuses are read again just before the mail leaves, and a changed one
    means building again, so a mail never calls valid a ticket refunded before it left.
    """
    draft = _draft(state, row_id)
    for _ in range(3):
        if draft is None or draft.statuses == _statuses_now(state, row_id):
            break
        draft = _draft(state, row_id)
    if draft is None:
        return False
    if draft.message is None:
        _finish(state, row_id, "cancelled", "no ticket in the order admits anyone any more")
        return False
    try:
        mail.send(draft.message, state.config)
    except mail.MailRefused as exc:
        log.warning("mail %d to %s refused: %s", row_id, draft.recipient, exc)
        _finish(state, row_id, "failed", str(exc))
        return False
    except mail.MailUnavailable as exc:
        log.info("mail %d to %s not sent yet: %s", row_id, draft.recipient, exc)
        _retry_later(state, row_id, str(exc))
        return False
    _finish(state, row_id, "sent", None)
    return True


def _finish(state: ServerState, row_id: int, status: str, error: str | None) -> None:
    with state.db.write() as session:
        row = session.get(OutboxMail, row_id)
        assert row is not None
        row.status = status
        row.attempts += status != "cancelled"
        row.last_error = error[:500] if error else None
        row.lease_until = None
        if status == "sent":
            row.sent_at = utcnow()


def _retry_later(state: ServerState, row_id: int, error: str) -> None:
    config = state.config
    with state.db.write() as session:
        row = session.get(OutboxMail, row_id)
        assert row is not None
        row.attempts += 1
        row.last_error = error[:500]
        row.lease_until = None
        if row.attempts >= config.mail_attempts:
            row.status = "failed"
            return
        wait = min(
            config.mail_retry_seconds * 2 ** (row.attempts - 1), config.mail_retry_longest_seconds
        )
        row.status = "pending"
        row.next_attempt_at = utcnow() + timedelta(seconds=wait)
