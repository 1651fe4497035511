"""What a ticket costs: pure functions over the organiser's price rules, no database.

All money is integer minor units (cents) with the event's currency beside it; never a
float.  The rules, in the order they apply to one ticket:

1. the **list price**: the ticket type's price, or its price in the seat's section
   tier where the organiser set one (front stalls dearer than the balcony);
2. the **early-bird price**, where set, replaces it until ``early_until``;
3. **dynamic pricing**: after every ``step_after`` tickets of the type sold (or held:
   a hundred buyers holding at once cannot all have the old price), the price rises by
   ``step_cents`` (the shop shows the next step, so it never rises silently);
4. a **discount**: the group discount (``group_percent`` off each ticket from
   ``group_min`` tickets in one order) or a promo code, whichever takes more off that
   ticket (they do not stack);
5. the **booking fee** per paid ticket (online sales only).

A price is fixed when the seats are held: the buyer pays what the page showed them,
even if the price steps up while they type their name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sync.server.models import Event, PromoCode, TicketType


@dataclass(frozen=True, slots=True)
class PriceRules:
    """One ticket type's rules, read once per hold."""

    code: str
    name: str
    price_cents: int
    tier_prices: dict[str, int]
    early_price_cents: int | None = None
    early_until: datetime | None = None
    step_after: int = 0
    step_cents: int = 0

    @classmethod
    def of(cls, ticket_type: TicketType, tier_prices: dict[str, int]) -> PriceRules:
        return cls(
            ticket_type.code,
            ticket_type.name,
            ticket_type.price_cents,
            tier_prices,
            ticket_type.early_price_cents,
            ticket_type.early_until,
            ticket_type.step_after,
            ticket_type.step_cents,
        )

    def early(self, now: datetime) -> bool:
        return (
            self.early_price_cents is not None
            and self.early_until is not None
            and now < self.early_until
        )

    def unit_price(self, tier: str | None, sold: int, now: datetime) -> int:
        """The price of the next ticket, ``sold`` of the type being gone already."""
        price = self.tier_prices.get(tier, self.price_cents) if tier else self.price_cents
        if self.early(now):
            assert self.early_price_cents is not None
            price = self.early_price_cents
        if self.step_after > 0 and self.step_cents > 0:
            price += self.step_cents * (sold // self.step_after)
        return price

    def next_step(self, sold: int) -> tuple[int, int] | None:
        """(tickets left at this price, the rise after them), for the shop to show."""
        if self.step_after <= 0 or self.step_cents <= 0:
            return None
        return self.step_after - sold % self.step_after, self.step_cents


@dataclass(frozen=True, slots=True)
class Line:
    """One ticket as priced."""

    ticket_type: str
    seat_id: int | None
    label: str
    price_cents: int
    discount_cents: int = 0
    fee_cents: int = 0

    @property
    def total_cents(self) -> int:
        return self.price_cents - self.discount_cents + self.fee_cents


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal_cents: int
    discount_cents: int
    fees_cents: int

    @property
    def total_cents(self) -> int:
        return self.subtotal_cents - self.discount_cents + self.fees_cents


def promo_discount(promo: PromoCode | None, line: Line) -> int:
    if promo is None or (promo.ticket_type and promo.ticket_type != line.ticket_type):
        return 0
    if promo.kind == "percent":
        return line.price_cents * min(100, promo.amount) // 100
    return min(line.price_cents, promo.amount)


def promo_problem(promo: PromoCode | None, now: datetime) -> str | None:
    """Why a code cannot be used now (None: it can, as far as its window and uses go)."""
    if promo is None:
        return "this promo code is not known for this event: check its spelling"
    if promo.valid_from and now < promo.valid_from:
        return "this promo code is not valid yet"
    if promo.valid_until and now >= promo.valid_until:
        return "this promo code has expired"
    if promo.max_uses and promo.used >= promo.max_uses:
        return "this promo code has been used up"
    return None


def price_order(
    lines: list[Line], event: Event, promo: PromoCode | None, *, online: bool
) -> tuple[list[Line], Totals]:
    """Discounts and fees on held lines (whose ``price_cents`` are already fixed)."""
    group = event.group_min > 0 and event.group_percent > 0 and len(lines) >= event.group_min
    priced: list[Line] = []
    for line in lines:
        by_group = line.price_cents * min(100, event.group_percent) // 100 if group else 0
        discount = max(by_group, promo_discount(promo, line))
        paid = line.price_cents - discount
        fee = event.fee_cents if online and paid > 0 else 0
        priced.append(
            Line(line.ticket_type, line.seat_id, line.label, line.price_cents, discount, fee)
        )
    totals = Totals(
        sum(p.price_cents for p in priced),
        sum(p.discount_cents for p in priced),
        sum(p.fee_cents for p in priced),
    )
    return priced, totals


def amount(cents: int, currency: str, *, grouped: bool = False) -> str:
    """Minor units as an exact decimal string (never through a float): ``1250`` EUR is
    ``12.50``; a currency without minor units in practice (IDR, JPY) is whole."""
    comma = "," if grouped else ""
    if currency.upper() in ZERO_DECIMAL:
        return f"{cents:{comma}}"
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:{comma}}.{part:02d}"


def money(cents: int, currency: str) -> str:
    """``12.50 EUR``, for people to read."""
    return f"{amount(cents, currency, grouped=True)} {currency}"


ZERO_DECIMAL = frozenset({"IDR", "JPY", "KRW", "VND", "CLP", "ISK"})
