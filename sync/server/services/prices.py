"""The organiser's price rules beside the ticket types: prices per section tier and
promo codes.  (A type's own price, early-bird price and steps are on the type.)"""

from __future__ import annotations

from sqlalchemy import select

from sync.server.errors import Invalid, Refused
from sync.server.lookups import require_event
from sync.server.models import PromoCode, Section, TicketType, TierPrice
from sync.server.schemas import PromoCodeIn, PromoCodeOut, TierPriceIn, TierPriceOut
from sync.server.state import ServerState


def set_tier_price(state: ServerState, event_id: int, body: TierPriceIn) -> TierPriceOut:
    """Set (or change) a type's price in one tier; tickets already held keep theirs."""
    with state.db.write() as session:
        require_event(session, event_id)
        if not session.scalar(
            select(TicketType.id).where(
                TicketType.event_id == event_id, TicketType.code == body.ticket_type
            )
        ):
            raise Invalid(f"event {event_id} has no ticket type {body.ticket_type}")
        row = session.scalar(
            select(TierPrice).where(
                TierPrice.event_id == event_id,
                TierPrice.tier == body.tier,
                TierPrice.ticket_type == body.ticket_type,
            )
        )
        if row is None:
            row = TierPrice(event_id=event_id, tier=body.tier, ticket_type=body.ticket_type)
            session.add(row)
        row.price_cents = body.price_cents
        session.flush()
        return TierPriceOut.model_validate(row)


def tier_prices(state: ServerState, event_id: int) -> list[TierPriceOut]:
    with state.db.read() as session:
        require_event(session, event_id)
        rows = session.scalars(
            select(TierPrice)
            .where(TierPrice.event_id == event_id)
            .order_by(TierPrice.tier, TierPrice.ticket_type)
        )
        return [TierPriceOut.model_validate(r) for r in rows]


def venue_tiers(state: ServerState, event_id: int) -> list[str]:
    """The pricing tiers of the event's venue's sections: what a tier price can be for."""
    with state.db.read() as session:
        event = require_event(session, event_id)
        if event.venue_id is None:
            return []
        return list(
            session.scalars(
                select(Section.pricing_tier)
                .where(Section.venue_id == event.venue_id)
                .distinct()
                .order_by(Section.pricing_tier)
            )
        )


def create_promo(state: ServerState, event_id: int, body: PromoCodeIn) -> PromoCodeOut:
    code = body.code.upper()
    with state.db.write() as session:
        require_event(session, event_id)
        if session.scalar(
            select(PromoCode.id).where(PromoCode.event_id == event_id, PromoCode.code == code)
        ):
            raise Refused(f"event {event_id} already has promo code {code}")
        row = PromoCode(event_id=event_id, used=0, **body.model_dump(exclude={"code"}), code=code)
        session.add(row)
        session.flush()
        return PromoCodeOut.model_validate(row)


def promos(state: ServerState, event_id: int) -> list[PromoCodeOut]:
    with state.db.read() as session:
        require_event(session, event_id)
        rows = session.scalars(
            select(PromoCode).where(PromoCode.event_id == event_id).order_by(PromoCode.code)
        )
        return [PromoCodeOut.model_validate(r) for r in rows]
