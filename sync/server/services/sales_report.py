"""Sales figures for the organiser: tickets sold and revenue by day, ticket type,
section, channel and promo code; capacity used and the waitlist's length; a CSV.

Sold means issued and not refunded (a transferred ticket was sold once; its
replacement is not counted again).  Revenue is what the buyer paid for each such
ticket, discount off, in minor units; booking fees are reported apart.  Days are the
event's local days of payment.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sync.server.lookups import require_event
from sync.server.models import Order, OrderLine, Ticket, utcnow
from sync.server.pricing import amount
from sync.server.services import sales, waitlist
from sync.server.state import ServerState

REFUNDED = "refunded"


@dataclass(frozen=True, slots=True)
class SaleRow:
    day: str
    ticket_type: str
    section: str
    channel: str
    promo_code: str
    tickets: int
    revenue_cents: int
    fees_cents: int


@dataclass(frozen=True, slots=True)
class SalesReport:
    event_id: int
    currency: str
    capacity: int
    in_use: int
    """Sold plus held and awaiting payment."""
    waitlist: int
    pending_orders: int
    rows: list[SaleRow] = field(default_factory=list)

    def by(self, key: str) -> dict[str, tuple[int, int]]:
        """Tickets and revenue by one of day, ticket_type, section, channel, promo_code."""
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in self.rows:
            total = totals[getattr(row, key)]
            total[0] += row.tickets
            total[1] += row.revenue_cents
        return {k: (v[0], v[1]) for k, v in sorted(totals.items())}

    @property
    def tickets(self) -> int:
        return sum(r.tickets for r in self.rows)

    @property
    def revenue_cents(self) -> int:
        return sum(r.revenue_cents for r in self.rows)

    @property
    def fees_cents(self) -> int:
        return sum(r.fees_cents for r in self.rows)


def report(state: ServerState, event_id: int) -> SalesReport:
    with state.db.read() as session:
        event = require_event(session, event_id)
        zone = ZoneInfo(event.timezone)
        tickets = {
            t.ticket_id: t
            for t in session.scalars(select(Ticket).where(Ticket.event_id == event_id))
        }
        orders = {o.id: o for o in session.scalars(select(Order).where(Order.event_id == event_id))}
        cells: dict[tuple[str, str, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        priced: set[str] = set()
        lines = session.scalars(
            select(OrderLine)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.event_id == event_id, OrderLine.ticket_id.is_not(None))
        )
        for line in lines:
            ticket = tickets.get(line.ticket_id or "")
            priced.add(line.ticket_id or "")
            if ticket is None or ticket.status == REFUNDED:
                continue
            order = orders[line.order_id]
            cell = cells[_key(order, ticket, zone)]
            cell[0] += 1
            cell[1] += line.price_cents - line.discount_cents
            cell[2] += line.fee_cents
        replacements = {t.replaced_by for t in tickets.values() if t.replaced_by}
        for ticket in tickets.values():
            # Tickets issued without a priced line: the organiser's and comp orders.
            # A transfer's new ticket stands for the old one, already counted.
            if ticket.ticket_id in priced or ticket.status == REFUNDED:
                continue
            if ticket.ticket_id in replacements:
                continue
            cells[_key(orders[ticket.order_id], ticket, zone)][0] += 1
        rows = [
            SaleRow(*key, tickets=n, revenue_cents=revenue, fees_cents=fees)
            for key, (n, revenue, fees) in sorted(cells.items())
        ]
        pending = sum(1 for o in orders.values() if o.status == "pending")
        return SalesReport(
            event_id=event_id,
            currency=event.currency,
            capacity=event.capacity,
            in_use=sum(sales.stock(session, event_id, utcnow()).values()),
            waitlist=waitlist.waiting_count(session, event_id),
            pending_orders=pending,
            rows=rows,
        )


def _key(order: Order, ticket: Ticket, zone: ZoneInfo) -> tuple[str, str, str, str, str]:
    when = order.paid_at or order.created_at
    return (
        when.astimezone(zone).date().isoformat(),
        ticket.ticket_type,
        ticket.section or "general",
        order.channel,
        order.promo_code or "",
    )


def report_csv(state: ServerState, event_id: int) -> str:
    figures = report(state, event_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "day",
            "ticket_type",
            "section",
            "channel",
            "promo_code",
            "tickets",
            "revenue",
            "fees",
            "currency",
        ]
    )
    for row in figures.rows:
        writer.writerow(
            [
                row.day,
                row.ticket_type,
                row.section,
                row.channel,
                row.promo_code,
                row.tickets,
                amount(row.revenue_cents, figures.currency),
                amount(row.fees_cents, figures.currency),
                figures.currency,
            ]
        )
    return out.getvalue()
