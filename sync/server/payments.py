"""How a buyer pays: the payment providers behind one interface.

A provider says whether it can take an order (a free order needs no payment; a
bank transfer needs time to arrive before the event), and when the money is due.
Paid at once (``due`` is None), the order's tickets are issued in the purchase's own
transaction.  Pending (a date), the order keeps its seats until then and issues
nothing a gate would admit; marking it paid (the box office or the organiser, in the
console or ``POST /orders/{id}/payment``) issues the tickets; the date passing
expires it and frees its seats (``services.sales.sweep``).

A card provider would be one more class here whose ``due`` is a few minutes (the
time a payment page takes) and whose web hook marks the order paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sync.config import ServerConfig
from sync.server.models import Event


class PaymentProvider(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def label(self) -> str: ...

    def offered(self, total_cents: int, event: Event, now: datetime) -> bool:
        """Whether a buyer may choose this for an order of ``total_cents``."""
        ...

    def due(self, event: Event, now: datetime) -> datetime | None:
        """When an unpaid order lapses; None: paid with the purchase itself."""
        ...

    def instructions(self, reference: str, total: str) -> str:
        """What the buyer does next, on their order page and in the mail."""
        ...


@dataclass(frozen=True)
class Free:
    code: str = "free"
    label: str = "Free / complimentary"

    def offered(self, total_cents: int, event: Event, now: datetime) -> bool:
        return total_cents == 0

    def due(self, event: Event, now: datetime) -> datetime | None:
        return None

    def instructions(self, reference: str, total: str) -> str:
        return "Nothing to pay: your tickets are on their way by e-mail."


def _before_start(event: Event, wanted: datetime, margin: timedelta) -> datetime:
    if event.starts_at is None:
        return wanted
    return min(wanted, event.starts_at - margin)


@dataclass(frozen=True)
class BoxOffice:
    """Reserve online, pay at the box office within ``days`` (or before the event ends)."""

    days: float
    code: str = "box_office"
    label: str = "Pay at the box office"

    def offered(self, total_cents: int, event: Event, now: datetime) -> bool:
        due = self.due(event, now)
        return total_cents > 0 and due is not None and due > now

    def due(self, event: Event, now: datetime) -> datetime | None:
        """Within ``days``, and at the latest when the event ends: a guest may still
        pay at the desk once the show has begun."""
        wanted = now + timedelta(days=self.days)
        last = event.ends_at or event.starts_at
        return min(wanted, last) if last is not None else wanted

    def instructions(self, reference: str, total: str) -> str:
        return (
            f"Pay {total} at the box office, quoting reference {reference}; your tickets "
            "are issued when you pay.  Unpaid by the date below, the order lapses and its "
            "seats go back on sale."
        )


@dataclass(frozen=True)
class BankTransfer:
    """Pending until the organiser sees the money and marks the order paid."""

    days: float
    account: str
    code: str = "bank_transfer"
    label: str = "Bank transfer"

    def offered(self, total_cents: int, event: Event, now: datetime) -> bool:
        due = self.due(event, now)
        return total_cents > 0 and bool(self.account) and due is not None and due > now

    def due(self, event: Event, now: datetime) -> datetime | None:
        return _before_start(event, now + timedelta(days=self.days), timedelta(days=1))

    def instructions(self, reference: str, total: str) -> str:
        return (
            f"Transfer {total} to {self.account} with the reference {reference}.  Your "
            "tickets are issued when the money arrives; unpaid by the date below, the "
            "order lapses and its seats go back on sale."
        )


def providers(config: ServerConfig) -> dict[str, PaymentProvider]:
    """The providers this server offers, by code, in the order the shop lists them."""
    every: list[PaymentProvider] = [
        Free(),
        BoxOffice(config.box_office_days),
        BankTransfer(config.bank_transfer_days, config.bank_account),
    ]
    allowed = {code.strip() for code in config.payment_methods.split(",") if code.strip()}
    return {p.code: p for p in every if p.code in allowed}
