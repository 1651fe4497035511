"""Selling: a buyer holds seats (or a quantity) for the event's hold time, then buys
what the hold keeps, paying through one of the providers (``payments``).

Every decision about what is free is taken under the event's row lock (the same lock
issuing takes), so two buyers can never hold one seat, nor together go past the
event's capacity or a type's quota: on PostgreSQL the lock serialises them, on SQLite
the single writer does.  A purchase needs no such lock: it only turns what its hold
already keeps into tickets (``_live_hold``).  A hold that lapsed is ignored by every check at once
and marked expired by the next one (or the worker's sweep), so its seats come free by
themselves.

An order paid at once (free) issues its tickets in the purchase's transaction.  One
awaiting payment (box office, bank transfer) keeps its hold, now ``pending`` until the
payment is due, and issues nothing a gate would admit; marking it paid issues the
tickets, the due date passing expires it (``sweep``) and frees its seats for the
waitlist.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sync.server import issuing
from sync.server.errors import Gone, Invalid, NotFound, Refused
from sync.server.lookups import require_event, require_order
from sync.server.models import (
    Event,
    Hold,
    HoldItem,
    Order,
    OrderLine,
    PromoCode,
    Seat,
    Section,
    Ticket,
    TicketType,
    TierPrice,
    WaitlistEntry,
    utcnow,
)
from sync.server.payments import PaymentProvider, providers
from sync.server.pricing import Line, PriceRules, Totals, money, price_order, promo_problem
from sync.server.schemas import (
    DoorSaleIn,
    DoorSaleOut,
    HoldIn,
    HoldItemIn,
    HoldOut,
    PricedLine,
    PurchaseIn,
    PurchaseOut,
    QuoteIn,
    QuoteOut,
    TicketOut,
)
from sync.server.services import admissions, outbox, waiting_room
from sync.server.state import ServerState

SELLING = ("on_sale", "sold_out")
"""Event statuses in which the public may hold seats."""


def locked_event(session: Session, event_id: int) -> Event:
    """The event (NotFound when there is none), its lock taken for this transaction."""
    event = require_event(session, event_id)
    issuing.lock_event(session, event_id)
    return event


def stock(session: Session, event_id: int, now: datetime) -> Counter[str]:
    """Tickets of each type gone: sold, or kept by a live hold or an unpaid order."""
    return issuing.in_use(session, event_id, now)


def rules(session: Session, event_id: int) -> dict[str, tuple[TicketType, PriceRules]]:
    tiers: dict[str, dict[str, int]] = {}
    for tier_price in session.scalars(select(TierPrice).where(TierPrice.event_id == event_id)):
        tiers.setdefault(tier_price.ticket_type, {})[tier_price.tier] = tier_price.price_cents
    return {
        t.code: (t, PriceRules.of(t, tiers.get(t.code, {})))
        for t in session.scalars(select(TicketType).where(TicketType.event_id == event_id))
    }


def expire_lapsed(session: Session, event_id: int, now: datetime) -> None:
    """Mark this event's lapsed holds expired, with the orders awaiting payment on them
    (their promo-code uses given back).

    One conditional UPDATE: on PostgreSQL it waits for a purchase that has claimed a
    hold in the very moment it lapsed, and then leaves it alone (bought, not lapsed).
    That wait is what keeps a seat from being sold twice when a hold runs out during
    its own purchase, so everything that decides what is free calls this first."""
    lapsed = session.execute(
        update(Hold)
        .where(
            Hold.event_id == event_id,
            Hold.status.in_(issuing.LIVE_HOLDS),
            Hold.expires_at <= now,
        )
        .values(status="expired")
        .returning(Hold.id, Hold.order_id)
    ).all()
    for hold_id, order_id in lapsed:
        if order_id is not None:  # an order awaiting payment on this hold
            order = session.get(Order, order_id)
            if order is not None and order.status == "pending":
                order.status = "expired"
                _give_back_promo(session, order)
        session.execute(
            update(WaitlistEntry)
            .where(WaitlistEntry.hold_id == hold_id, WaitlistEntry.status == "offered")
            .values(status="lapsed")
        )


def _give_back_promo(session: Session, order: Order) -> None:
    if order.promo_code:
        session.execute(
            update(PromoCode)
            .where(
                PromoCode.event_id == order.event_id,
                PromoCode.code == order.promo_code,
                PromoCode.used > 0,
            )
            .values(used=PromoCode.used - 1)
        )


def _seat_places(
    session: Session, event: Event, seat_ids: list[int]
) -> dict[int, tuple[Seat, Section]]:
    if not seat_ids:
        return {}
    rows = session.execute(
        select(Seat, Section)
        .join(Section, Section.id == Seat.section_id)
        .where(Seat.id.in_(seat_ids), Section.venue_id == event.venue_id)
    )
    return {seat.id: (seat, section) for seat, section in rows}


def make_hold(
    session: Session,
    event: Event,
    items: list[HoldItemIn],
    now: datetime,
    expires: datetime,
    *,
    public: bool = True,
    priced: dict[str, tuple[TicketType, PriceRules]] | None = None,
) -> HoldOut:
    """Hold ``items`` under the event's lock (taken here once the lookups are done):
    checks seats, capacity and quotas, fixes each ticket's price.  ``public``: only types on sale in
    the shop (a waitlist offer is for what its person asked for).  ``priced``: the
    event's types and price rules when the caller has them (``selling_rules``)."""
    priced = priced if priced is not None else rules(session, event.id)
    for item in items:
        if item.ticket_type not in priced or (public and not priced[item.ticket_type][0].public):
            raise Invalid(f"event {event.id} sells no ticket type {item.ticket_type!r}")
    wanted = [i.seat_id for i in items if i.seat_id is not None]
    places = _seat_places(session, event, wanted)
    outside = [s for s in wanted if s not in places]
    if outside:
        raise Invalid(f"seat {outside[0]} is not in this event's venue")
    # What is free is decided from here on, one buyer at a time (the lookups above
    # need no lock, so the lock is held as briefly as possible).
    issuing.lock_event(session, event.id)
    expire_lapsed(session, event.id, now)  # and wait for a purchase of one lapsing now
    if wanted:
        taken = issuing.seats_gone(session, event.id, now, wanted)
        clash = [s for s in wanted if s in taken]
        if clash:
            raise Refused(f"seat {clash[0]} is taken: choose another")
    by_type = Counter[str]()
    for item in items:
        by_type[item.ticket_type] += item.quantity
    # Counting what is gone reads every ticket of the event: only when a limit or a
    # price step depends on it (a seated sale's seats were checked one by one above).
    counts = event.capacity or any(priced[c][0].quota or priced[c][1].step_after for c in by_type)
    gone = stock(session, event.id, now) if counts else Counter[str]()
    count = sum(i.quantity for i in items)
    if event.capacity and sum(gone.values()) + count > event.capacity:
        raise Refused("sold out: not that many tickets are left")
    for code, quantity in by_type.items():
        quota = priced[code][0].quota
        if quota and gone[code] + quantity > quota:
            raise Refused(f"sold out: not that many {priced[code][0].name} tickets are left")
    token = secrets.token_urlsafe(18)
    session.add(Hold(id=token, event_id=event.id, created_at=now, expires_at=expires))
    session.flush()
    lines: list[PricedLine] = []
    counted = Counter(gone)  # held ones count: N holders cannot all get the old price
    for item in items:
        ticket_type, price_rules = priced[item.ticket_type]
        tier = label = None
        if item.seat_id is not None:
            seat, section = places[item.seat_id]
            tier = section.pricing_tier
            label = f"{ticket_type.name}, {section.name} row {seat.row} seat {seat.number}"
        for _ in range(item.quantity):
            price = price_rules.unit_price(tier, counted[item.ticket_type], now)
            counted[item.ticket_type] += 1
            lines.append(
                PricedLine(
                    ticket_type=item.ticket_type,
                    seat_id=item.seat_id,
                    label=label or ticket_type.name,
                    price_cents=price,
                )
            )
            session.add(
                HoldItem(
                    hold_id=token,
                    ticket_type=item.ticket_type,
                    seat_id=item.seat_id,
                    quantity=1,
                    price_cents=price,
                    label=label or ticket_type.name,
                )
            )
    return HoldOut(
        hold_id=token,
        event_id=event.id,
        expires_at=expires,
        items=items,
        currency=event.currency,
        lines=lines,
    )


def hold_minutes(state: ServerState, event: Event) -> float:
    return state.config.hold_minutes or float(event.hold_minutes)


SELLING_RULES_SECONDS = 1.0
"""How old the event and its price rules a hold starts from may be (per process): an
organiser's change reaches the shop within a second.  In a drop every hold read the
event, its types and its tier prices again (three of a hold's dozen round trips to
the database, made while the machine is busiest); what is free, and what is gone for
price steps and limits, is still read under the lock for every hold."""


def selling_rules(
    state: ServerState, event_id: int
) -> tuple[Event, dict[str, tuple[TicketType, PriceRules]]]:
    def read() -> tuple[Event, dict[str, tuple[TicketType, PriceRules]]]:
        with state.db.read() as session:
            return require_event(session, event_id), rules(session, event_id)

    return state.memo.get(("selling", event_id), SELLING_RULES_SECONDS, read)


def hold(state: ServerState, body: HoldIn) -> HoldOut:
    """Keep the items for this buyer for the event's hold time, or refuse with what is
    taken; an event with a waiting room first wants the buyer's admitted queue ticket."""
    event, priced = selling_rules(state, body.event_id)
    with state.db.write() as session:  # make_hold takes the event's lock
        now = utcnow()
        if event.status not in SELLING:
            raise Refused("this event is not on sale")
        if event.on_sale is not None and now < event.on_sale:
            raise Refused(f"this event goes on sale at {event.on_sale.isoformat()}")
        if event.shop_limit:
            waiting_room.require_admitted(state, session, event, body.queue_ticket, now)
        expires = now + timedelta(minutes=hold_minutes(state, event))
        return make_hold(session, event, body.items, now, expires, priced=priced)


def _live_hold(
    session: Session, hold_id: str, now: datetime, *, claim: bool = False
) -> tuple[Hold, Event]:
    """The hold, if it is live.  ``claim``: take it for this transaction (a purchase).

    Claiming is one conditional UPDATE: of two purchases of one hold only one matches,
    the other waits for its row lock and then finds it bought.  No event lock is
    needed: the hold's places are counted as taken until the purchase commits them as
    tickets, and whoever asks what is free reads holds and tickets in one statement
    (``issuing.seats_gone``, ``issuing.in_use``), so it sees them either held or sold,
    never neither, and ``expire_lapsed`` waits for the claim instead of lapsing it."""
    found = session.get(Hold, hold_id)
    if found is None:
        raise NotFound("no such hold: hold the seats first")
    if claim:
        claimed = session.execute(
            update(Hold)
            .where(Hold.id == hold_id, Hold.status == "active", Hold.expires_at > now)
            .values(status="buying")
        )
        session.refresh(found)
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            event = session.get(Event, found.event_id)
            assert event is not None
            return found, event
    if found.status in ("purchased", "pending", "buying"):
        raise Refused("this hold was already bought")
    if found.status != "active" or found.expires_at <= now:
        raise Gone("this hold has expired and its seats are free again: hold them again")
    event = session.get(Event, found.event_id)
    assert event is not None
    return found, event


def _held_lines(session: Session, hold_id: str) -> list[Line]:
    items = session.scalars(
        select(HoldItem).where(HoldItem.hold_id == hold_id).order_by(HoldItem.id)
    ).all()
    return [
        Line(item.ticket_type, item.seat_id, item.label, item.price_cents)
        for item in items
        for _ in range(item.quantity)
    ]


def _promo(session: Session, event_id: int, code: str, now: datetime) -> PromoCode | None:
    """The promo code the buyer typed (None for none), or Invalid with why not."""
    code = code.strip().upper()
    if not code:
        return None
    promo = session.scalar(
        select(PromoCode).where(PromoCode.event_id == event_id, PromoCode.code == code)
    )
    problem = promo_problem(promo, now)
    if problem:
        raise Invalid(problem)
    return promo


def _priced(lines: Sequence[Line | OrderLine]) -> list[PricedLine]:
    return [PricedLine.model_validate(line) for line in lines]


def _add_order(
    session: Session, order: Order, found: Hold, lines: list[Line], attendees: list[str]
) -> None:
    """Store the order with a priced line per ticket (each attendee's name, or the
    buyer's), and tie the hold to it."""
    session.add(order)
    session.flush()
    for n, line in enumerate(lines):
        session.add(
            OrderLine(
                order_id=order.id,
                ticket_type=line.ticket_type,
                seat_id=line.seat_id,
                attendee_name=(attendees[n] if n < len(attendees) else "") or order.buyer_name,
                price_cents=line.price_cents,
                discount_cents=line.discount_cents,
                fee_cents=line.fee_cents,
                label=line.label,
            )
        )
    found.order_id = order.id


def _offered(state: ServerState, total: int, event: Event, now: datetime) -> list[str]:
    return [
        code
        for code, provider in providers(state.config).items()
        if provider.offered(total, event, now)
    ]


def quote(state: ServerState, body: QuoteIn) -> QuoteOut:
    """What the held tickets cost with this promo code, and how the buyer may pay: the
    checkout page shows it before anything is bought."""
    with state.db.write() as session:
        now = utcnow()
        found, event = _live_hold(session, body.hold_id, now)
        problem = None
        try:
            promo = _promo(session, event.id, body.promo_code, now)
        except Invalid as exc:
            promo, problem = None, str(exc)
        lines, totals = price_order(_held_lines(session, found.id), event, promo, online=True)
        return QuoteOut(
            currency=event.currency,
            lines=_priced(lines),
            subtotal_cents=totals.subtotal_cents,
            discount_cents=totals.discount_cents,
            fees_cents=totals.fees_cents,
            total_cents=totals.total_cents,
            promo_problem=problem,
            payment_methods=_offered(state, totals.total_cents, event, now),
        )


def _use_promo(session: Session, promo: PromoCode) -> None:
    """Count one use, or refuse: one conditional UPDATE, so however many buyers race
    for a code's last use, exactly one gets it (whatever lock the caller holds)."""
    used = session.execute(
        update(PromoCode)
        .where(
            PromoCode.id == promo.id,
            (PromoCode.max_uses == 0) | (PromoCode.used < PromoCode.max_uses),
        )
        .values(used=PromoCode.used + 1)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise Refused("this promo code has been used up")


def purchase(state: ServerState, body: PurchaseIn) -> PurchaseOut:
    """Turn a live hold into an order: paid at once (its tickets issued) or pending
    until the payment is due (its seats kept, no tickets)."""
    with state.db.write() as session:
        now = utcnow()
        found, event = _live_hold(session, body.hold_id, now, claim=True)
        promo = _promo(session, event.id, body.promo_code, now)
        lines, totals = price_order(_held_lines(session, found.id), event, promo, online=True)
        provider = _provider(state, body.payment_method, totals, event, now)
        if promo is not None:
            _use_promo(session, promo)
        due = provider.due(event, now)
        order = Order(
            event_id=event.id,
            buyer_name=body.buyer_name,
            buyer_email=body.buyer_email,
            status="pending" if due else "paid",
            channel="online",
            currency=event.currency,
            subtotal_cents=totals.subtotal_cents,
            discount_cents=totals.discount_cents,
            fees_cents=totals.fees_cents,
            total_cents=totals.total_cents,
            payment_method=provider.code,
            payment_due=due,
            paid_at=None if due else now,
            promo_code=promo.code if promo else None,
            reference=secrets.token_hex(6).upper(),
        )
        _add_order(session, order, found, lines, body.attendees)
        session.execute(
            update(WaitlistEntry)
            .where(WaitlistEntry.hold_id == found.id, WaitlistEntry.status == "offered")
            .values(status="bought")
        )
        tickets: list[TicketOut] = []
        instructions = provider.instructions(
            order.reference or "", money(order.total_cents, order.currency)
        )
        if due is None:
            tickets = _settle(state, session, order, found, reserved=True)
        else:
            found.status = "pending"
            found.expires_at = due
            outbox.queue_notice(
                session,
                recipient=order.buyer_email,
                name=order.buyer_name,
                subject=f"{event.name}: your order {order.reference} awaits payment",
                body=f"Hello {order.buyer_name},\n\n{instructions}\n\n"
                f"Pay by: {due.isoformat(timespec='minutes')}\n",
                config=state.config,
                order_id=order.id,
            )
        out = _purchase_out(session, order, instructions, tickets)
    state.mail_wake.set()
    return out


def _provider(
    state: ServerState, code: str, totals: Totals, event: Event, now: datetime
) -> PaymentProvider:
    offered = providers(state.config)
    provider = offered.get(code)
    if provider is None:
        raise Invalid(f"no payment method {code!r}; this shop takes {sorted(offered)}")
    if not provider.offered(totals.total_cents, event, now):
        if code == "free":
            raise Invalid(
                f"this order costs {money(totals.total_cents, event.currency)}: choose how to pay"
            )
        raise Invalid(f"{provider.label} is not possible for this order; choose another way")
    return provider


def _settle(
    state: ServerState, session: Session, order: Order, found: Hold, *, reserved: bool = False
) -> list[TicketOut]:
    """Issue the paid order's tickets from its lines (the hold is done with first: its
    own seats must not count as held against it).  ``reserved``: the hold was claimed
    in this transaction, so its places are this order's without the event's lock."""
    event = session.get(Event, order.event_id)
    assert event is not None
    found.status = "purchased"
    session.flush()
    lines = session.scalars(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
    ).all()
    requests = [
        issuing.TicketRequest(line.ticket_type, line.attendee_name, line.seat_id) for line in lines
    ]
    tickets = issuing.issue_tickets(
        session,
        event=event,
        order_id=order.id,
        requests=requests,
        key_cache=state.private_keys,
        reserved=reserved,
    )
    for line, ticket in zip(lines, tickets, strict=True):
        line.ticket_id = ticket.ticket_id
    order.status = "paid"
    order.paid_at = order.paid_at or utcnow()
    outbox.queue_confirmation(session, order, state.config)
    session.flush()
    return [TicketOut.model_validate(t) for t in tickets]


def _purchase_out(
    session: Session, order: Order, instructions: str, tickets: list[TicketOut]
) -> PurchaseOut:
    lines = session.scalars(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
    ).all()
    return PurchaseOut(
        order_id=order.id,
        reference=order.reference or "",
        status=order.status,
        currency=order.currency,
        lines=_priced(lines),
        subtotal_cents=order.subtotal_cents,
        discount_cents=order.discount_cents,
        fees_cents=order.fees_cents,
        total_cents=order.total_cents,
        payment_method=order.payment_method,
        payment_due=order.payment_due,
        instructions=instructions,
        tickets=tickets,
    )


def mark_paid(state: ServerState, order_id: int) -> PurchaseOut:
    """The money arrived (at the box office, by bank): issue the order's tickets."""
    with state.db.write() as session:
        order = require_order(session, order_id)
        event = locked_event(session, order.event_id)
        session.refresh(order)
        now = utcnow()
        if order.status == "paid":
            raise Refused(f"order {order_id} is already paid")
        found = session.scalar(select(Hold).where(Hold.order_id == order.id))
        if order.status == "expired" or (found is not None and found.expires_at <= now):
            expire_lapsed(session, event.id, now)
            raise Gone(
                f"order {order_id} lapsed unpaid and its seats went back on sale: "
                "refund the money or sell the buyer new tickets"
            )
        if order.status != "pending" or found is None:
            raise Refused(f"order {order_id} is not awaiting payment")
        tickets = _settle(state, session, order, found)
        out = _purchase_out(session, order, "Paid: the tickets are issued.", tickets)
    state.mail_wake.set()
    return out


def order_page(state: ServerState, reference: str) -> tuple[PurchaseOut, Event]:
    """The buyer's view of their order, by its reference (``/shop/orders/{ref}``)."""
    with state.db.read() as session:
        order = session.scalar(select(Order).where(Order.reference == reference.upper()))
        if order is None:
            raise NotFound("no such order: check the reference")
        event = session.get(Event, order.event_id)
        assert event is not None
        provider = providers(state.config).get(order.payment_method)
        instructions = (
            provider.instructions(order.reference or "", money(order.total_cents, order.currency))
            if provider and order.status == "pending"
            else ""
        )
        tickets = session.scalars(
            select(Ticket).where(Ticket.order_id == order.id).order_by(Ticket.ticket_id)
        ).all()
        out = _purchase_out(
            session, order, instructions, [TicketOut.model_validate(t) for t in tickets]
        )
        session.expunge(event)
        return out, event


DOOR_GATE = "Box office"


def sell_at_door(state: ServerState, body: DoorSaleIn) -> DoorSaleOut:
    """Sell at the box office: the same checks as a hold (seats, capacity, quotas, at
    the list price, no booking fee), the tickets issued, and with ``admit`` each one
    admitted through the one check path in the same transaction: a guest at the desk
    is inside the moment they pay, and the gate dashboard counts them."""
    with state.db.write() as session:
        event = locked_event(session, body.event_id)
        now = utcnow()
        if event.status in ("cancelled", "finished"):
            raise Refused(f"this event is {event.status}")
        expire_lapsed(session, event.id, now)
        held = make_hold(session, event, body.items, now, now + timedelta(minutes=1), public=False)
        found = session.get(Hold, held.hold_id)
        assert found is not None
        comp = body.payment == "comp"
        lines = [
            Line(
                line.ticket_type,
                line.seat_id,
                line.label,
                line.price_cents,
                line.price_cents if comp else 0,
            )
            for line in _held_lines(session, found.id)
        ]
        subtotal = sum(line.price_cents for line in lines)
        discount = sum(line.discount_cents for line in lines)
        order = Order(
            event_id=event.id,
            buyer_name=body.buyer_name,
            buyer_email=body.buyer_email,
            status="paid",
            channel="comp" if comp else "box_office",
            currency=event.currency,
            subtotal_cents=subtotal,
            discount_cents=discount,
            fees_cents=0,
            total_cents=subtotal - discount,
            payment_method=body.payment,
            paid_at=now,
            reference=secrets.token_hex(6).upper(),
        )
        _add_order(session, order, found, lines, [])
        tickets = _settle(state, session, order, found)
        admitted = (
            admissions.admit_at_desk(session, [t.code for t in tickets], event.id, DOOR_GATE)
            if body.admit
            else []
        )
        out = DoorSaleOut(
            order_id=order.id,
            currency=order.currency,
            total_cents=order.total_cents,
            tickets=tickets,
            admissions=admitted,
        )
    state.mail_wake.set()
    return out
