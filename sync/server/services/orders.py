"""Orders and tickets: issue (single and bulk), look up, QR images, transfer, refund."""

from __future__ import annotations

import base64
import re

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from sync.server import issuing
from sync.server.delivery import qr
from sync.server.errors import Gone, Invalid
from sync.server.lookups import require_event, require_order, require_ticket
from sync.server.models import Order, Scan, Ticket, utcnow
from sync.server.schemas import (
    MAX_ORDER_TICKETS,
    OrderDetail,
    OrderIn,
    OrderItemIn,
    OrderOut,
    ScanLine,
    TicketDetail,
    TicketHit,
    TicketOut,
    TicketQR,
)
from sync.server.services import outbox
from sync.server.state import ServerState

MAX_TICKETS_PER_ORDER = 100_000


def qr_png(code: str, scale: int = 6) -> bytes:
    return qr.ticket_png(code, scale)


def _count(session: Session, order_id: int) -> int:
    return (
        session.scalar(select(func.count()).select_from(Ticket).where(Ticket.order_id == order_id))
        or 0
    )


def create_order(state: ServerState, body: OrderIn, *, in_parts: bool = False) -> OrderDetail:
    """Issue an order's tickets: one item per seat or holder, or ``quantity`` for bulk.

    The buyer's confirmation mail is queued in the same transaction; ``in_parts``: more
    tickets will follow (``add_to_order``), so the mail waits for them."""
    total = sum(item.quantity for item in body.items)
    if total > MAX_TICKETS_PER_ORDER:
        raise Invalid(f"at most {MAX_TICKETS_PER_ORDER} tickets per order; split it")
    if any(item.seat_id is not None and item.quantity != 1 for item in body.items):
        raise Invalid("an item with a seat_id is one ticket: quantity must be 1")
    with state.db.write() as session:
        event = require_event(session, body.event_id)
        order = Order(
            event_id=event.id,
            buyer_name=body.buyer_name,
            buyer_email=body.buyer_email,
            channel=body.channel,
            currency=event.currency,
            payment_method="comp" if body.channel == "comp" else "",
            paid_at=utcnow(),
        )
        session.add(order)
        session.flush()
        requests = [
            issuing.TicketRequest(item.ticket_type, item.holder_name, item.seat_id, item.accessible)
            for item in body.items
            for _ in range(item.quantity)
        ]
        tickets = issuing.issue_tickets(
            session,
            event=event,
            order_id=order.id,
            requests=requests,
            key_cache=state.private_keys,
        )
        outbox.queue_confirmation(session, order, state.config, in_parts=in_parts)
        session.flush()
        detail = OrderDetail.model_validate(order)
        detail = detail.model_copy(
            update={
                "ticket_count": len(tickets),
                "tickets": [TicketOut.model_validate(t) for t in tickets],
            }
        )
    if not in_parts:
        state.mail_wake.set()
    return detail


def list_orders(
    state: ServerState, *, event_id: int | None, limit: int, offset: int
) -> list[OrderOut]:
    with state.db.read() as session:
        query = select(Order).order_by(Order.id).limit(limit).offset(offset)
        if event_id is not None:
            query = query.where(Order.event_id == event_id)
        return [
            OrderOut.model_validate(o).model_copy(update={"ticket_count": _count(session, o.id)})
            for o in session.scalars(query)
        ]


def get_order(state: ServerState, order_id: int) -> OrderDetail:
    with state.db.read() as session:
        order = require_order(session, order_id)
        tickets = list(session.scalars(select(Ticket).where(Ticket.order_id == order_id)))
        return OrderDetail.model_validate(order).model_copy(
            update={
                "ticket_count": len(tickets),
                "tickets": [TicketOut.model_validate(t) for t in tickets],
            }
        )


def order_tickets(state: ServerState, order_id: int, *, limit: int, offset: int) -> list[TicketQR]:
    """The order's live tickets with their QR images (PNG, base64), a page at a time:
    each image costs a millisecond or two of CPU, and a bulk order of 10,000 drawn
    at once would hold up every kiosk syncing with this process."""
    with state.db.read() as session:
        require_order(session, order_id)
        tickets = session.scalars(
            select(Ticket)
            .where(Ticket.order_id == order_id, Ticket.status == "valid")
            .order_by(Ticket.ticket_id)
            .limit(limit)
            .offset(offset)
        )
        return [
            TicketQR(
                ticket_id=t.ticket_id,
                holder_name=t.holder_name,
                code=t.code,
                qr_png_base64=base64.b64encode(qr_png(t.code)).decode("ascii"),
            )
            for t in tickets
        ]


def get_ticket(state: ServerState, ticket_id: str) -> TicketOut:
    with state.db.read() as session:
        return TicketOut.model_validate(require_ticket(session, ticket_id))


def ticket_png(state: ServerState, ticket_id: str) -> bytes:
    """A live ticket's QR code as a PNG; a void ticket's code is :class:`Gone`."""
    with state.db.read() as session:
        ticket = require_ticket(session, ticket_id)
        if ticket.status != "valid":
            raise Gone(f"ticket {ticket_id} is {ticket.status}; its code is void")
        return qr_png(ticket.code, scale=8)


def transfer_ticket(
    state: ServerState,
    ticket_id: str,
    holder_name: str,
    note: str = "",
    *,
    email: str = "",
    language: str = "en",
) -> TicketOut:
    """Revoke this code and issue a new one to the new holder (returned); with
    ``email``, the new holder's mail is queued in the same transaction."""
    with state.db.write() as session:
        ticket = require_ticket(session, ticket_id, for_update=True)
        new = issuing.transfer(session, ticket, holder_name, state.private_keys)
        ticket.status_note = note.strip()[:200] or None
        if email:
            outbox.queue_transfer(session, new, holder_name, email, state.config, language)
        session.flush()
        out = TicketOut.model_validate(new)
    if email:
        state.mail_wake.set()
    return out


def refund_ticket(
    state: ServerState, ticket_id: str, reason: str = "refunded", note: str = ""
) -> TicketOut:
    """Revoke the ticket (refunded, or blocked); kiosks reject it after their next pull.
    ``note`` says why, in box office's words (kept with the ticket)."""
    with state.db.write() as session:
        ticket = require_ticket(session, ticket_id, for_update=True)
        issuing.revoke(session, ticket, reason)
        ticket.status_note = note.strip()[:200] or None
        session.flush()
        return TicketOut.model_validate(ticket)


def add_to_order(state: ServerState, order_id: int, items: list[OrderItemIn]) -> int:
    """Issue more tickets into an existing order (a bulk order sent in parts, so the
    person issuing sees it progress and no part holds the database for long)."""
    total = sum(item.quantity for item in items)
    if total > MAX_ORDER_TICKETS:
        raise Invalid(f"at most {MAX_ORDER_TICKETS:,} tickets at a time; send fewer")
    with state.db.write() as session:
        order = require_order(session, order_id)
        event = require_event(session, order.event_id)
        requests = [
            issuing.TicketRequest(item.ticket_type, item.holder_name, item.seat_id, item.accessible)
            for item in items
            for _ in range(item.quantity)
        ]
        tickets = issuing.issue_tickets(
            session, event=event, order_id=order.id, requests=requests, key_cache=state.private_keys
        )
        outbox.settle(session, order.id)
        return len(tickets)


SEAT_QUERY = re.compile(r"^\s*([^/\s]{1,16})\s*/\s*([^/\s]{1,16})\s*/\s*(\d{1,9})\s*$")
ORDER_QUERY = re.compile(r"^\s*#?(\d{1,9})\s*$")
TICKET_ID_QUERY = re.compile(r"^\s*([0-9a-fA-F]{6,20})\s*$")


def search_tickets(
    state: ServerState, event_id: int, query: str, *, limit: int = 50
) -> list[TicketHit]:
    """Tickets of an event by what a guest at the box office says: a seat
    (``B/12/7``), an order number (``#123``), a ticket id (or its start), an e-mail,
    or a holder's or buyer's name (any part of it, any case: ``sari`` finds "Dewi
    Sari").  A seat, an order number and a ticket id are found through an index; a
    name is a scan of the event's tickets (56 ms at 100,000: ``make bench``)."""
    query = query.strip()[:200]
    if not query:
        return []
    with state.db.read() as session:
        require_event(session, event_id)
        base = (
            select(Ticket, Order)
            .join(Order, Order.id == Ticket.order_id)
            .where(Ticket.event_id == event_id)
        )
        conditions: list[ColumnElement[bool]] = []
        if seat := SEAT_QUERY.match(query):
            section, row, number = seat.groups()
            conditions.append(
                (Ticket.section == section) & (Ticket.row == row) & (Ticket.number == int(number))
            )
        if order_number := ORDER_QUERY.match(query):
            conditions.append(Ticket.order_id == int(order_number.group(1)))
        if ticket_id := TICKET_ID_QUERY.match(query):
            # A range on the primary key, not LIKE 'abc%' (which neither database
            # answers from a plain index): ids are lower-case hex, "g" follows "f".
            prefix = ticket_id.group(1).lower()
            conditions.append((Ticket.ticket_id >= prefix) & (Ticket.ticket_id < prefix + "g"))
        if "@" in query:
            conditions.append(func.lower(Order.buyer_email) == query.lower())
        elif not conditions or ticket_id:
            # A name (or what may be one: "cafe12" is hex too): part of the holder's or
            # buyer's name.  A seat or an order number is not looked for in names, so
            # those answer from their index alone.
            words = query.lower()
            conditions.append(func.lower(Ticket.holder_name).contains(words, autoescape=True))
            conditions.append(func.lower(Order.buyer_name).contains(words, autoescape=True))
        rows = session.execute(
            base.where(or_(*conditions)).order_by(Ticket.holder_name, Ticket.ticket_id).limit(limit)
        )
        return [
            TicketHit(
                ticket=TicketOut.model_validate(ticket),
                buyer_name=order.buyer_name,
                buyer_email=order.buyer_email,
            )
            for ticket, order in rows
        ]


def ticket_detail(state: ServerState, ticket_id: str) -> TicketDetail:
    """A ticket, its order's buyer, and every scan of it across the gates, in order."""
    with state.db.read() as session:
        ticket = require_ticket(session, ticket_id)
        order = require_order(session, ticket.order_id)
        scans = session.scalars(
            select(Scan).where(Scan.ticket_id == ticket_id).order_by(Scan.scanned_at, Scan.scan_id)
        )
        return TicketDetail(
            ticket=TicketOut.model_validate(ticket),
            buyer_name=order.buyer_name,
            buyer_email=order.buyer_email,
            replaced_by=ticket.replaced_by,
            status_note=ticket.status_note,
            scans=[
                ScanLine(
                    scanned_at=s.scanned_at,
                    gate=s.gate,
                    direction=s.direction,
                    verdict=s.verdict,
                    reason=s.reason,
                    override_by=s.override_by,
                )
                for s in scans
            ],
        )
