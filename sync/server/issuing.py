"""Issuing keys and tickets: sign, transfer, refund, each with its change-log entries.

The private key lives in a file (mode 0600) named in the database; no response
ever contains it.  Rotation makes a new active key with a new key id; older keys
keep verifying until an admin retires them, so tickets already sold stay good.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from scanner.keys import generate_key, load_private_key, load_public_key, public_raw
from scanner.ticket import Seat as TicketSeat
from scanner.ticket import TicketClaims, mask_to_zones, new_ticket_id, sign, zones_to_mask
from sync.server import changes
from sync.server.errors import Refused
from sync.server.models import Event, Hold, HoldItem, SigningKey, Ticket, TicketType, utcnow
from sync.server.models import Seat as SeatRow
from sync.server.models import Section as SectionRow
from sync.server.shapes import ticket_columns, ticket_data
from sync.wire import KeyData, RevocationData, TicketData

log = logging.getLogger(__name__)


class IssueError(Refused):
    """A request to issue that cannot be met (unknown type, seat taken…)."""


def key_change(key: SigningKey) -> changes.NewChange:
    data = KeyData(
        kid=key.kid, public_key_hex=key.public_key.hex(), retired=key.retired_at is not None
    )
    return changes.NewChange("key", None, key.kid, data.model_dump(mode="json"))


def create_key(session: Session, keys_dir: Path) -> SigningKey:
    """A new active key; the previous active key stays valid for verification."""
    kid, private_path, public_path = generate_key(keys_dir)
    for old in session.scalars(select(SigningKey).where(SigningKey.active.is_(True))):
        old.active = False
    key = SigningKey(
        kid=kid,
        public_key=public_raw(load_public_key(public_path)),
        private_path=str(private_path),
        active=True,
    )
    session.add(key)
    changes.record(session, [key_change(key)])
    log.info("issuing key %s created in %s", kid, keys_dir)
    return key


def retire_key(session: Session, kid: str) -> SigningKey | None:
    key = session.get(SigningKey, kid)
    if key is None:
        return None
    if key.active:
        raise IssueError("the active key cannot be retired; rotate first")
    if key.retired_at is None:
        key.retired_at = utcnow()
        changes.record(session, [key_change(key)])
    return key


def active_key(
    session: Session, cache: dict[str, Ed25519PrivateKey]
) -> tuple[str, Ed25519PrivateKey]:
    key = session.scalar(select(SigningKey).where(SigningKey.active.is_(True)))
    if key is None:
        raise IssueError("no issuing key: run 'admitone server init' first")
    if key.kid not in cache:
        cache[key.kid] = load_private_key(Path(key.private_path))
    return key.kid, cache[key.kid]


def ticket_change(ticket: Ticket) -> changes.NewChange:
    return changes.NewChange(
        "ticket", ticket.event_id, ticket.ticket_id, ticket_data(ticket).model_dump(mode="json")
    )


def validity_window(
    event: Event, ticket_type: TicketType | None = None
) -> tuple[datetime | None, datetime | None]:
    """Doors open (or six hours before the start) until two hours after the end; a
    ticket type's own window (a day pass of a festival) replaces either end."""
    start = event.doors_open or (event.starts_at - timedelta(hours=6) if event.starts_at else None)
    end = event.ends_at + timedelta(hours=2) if event.ends_at else None
    if ticket_type is not None:
        start = ticket_type.valid_from or start
        end = ticket_type.valid_until or end
    if start is None or end is None or end <= start or end - start > timedelta(days=366):
        return None, None
    start = start.replace(second=0, microsecond=0)
    minutes = -(-(end - start) // timedelta(minutes=1))
    return start, start + timedelta(minutes=minutes)


@dataclass(frozen=True, slots=True)
class TicketRequest:
    ticket_type: str
    holder_name: str = ""
    seat_id: int | None = None
    accessible: bool = False


def seat_count(session: Session, venue_id: int | None) -> int:
    """Seats in a venue (0 without one): a seated event's places."""
    if venue_id is None:
        return 0
    query = (
        select(func.count())
        .select_from(SeatRow)
        .join(SectionRow, SectionRow.id == SeatRow.section_id)
        .where(SectionRow.venue_id == venue_id)
    )
    return int(session.scalar(query) or 0)


def lock_event(session: Session, event_id: int) -> None:
    """Take the event's row lock for this transaction: whatever decides what of the
    event is still free (issuing, holds, purchases) runs one at a time per event."""
    session.execute(select(Event.id).where(Event.id == event_id).with_for_update(key_share=True))


LIVE_HOLDS = ("active", "pending")
"""A buyer choosing, or an order awaiting payment: both keep their seats until
``expires_at``."""


Gone = Literal["sold", "held"]
SOLD: Final = "sold"
HELD: Final = "held"


def seats_gone(
    session: Session, event_id: int, now: datetime, among: Collection[int] | None = None
) -> dict[int, Gone]:
    """Seats not for sale, each ``SOLD`` (a valid ticket holds it) or ``HELD`` (a
    buyer's live hold or an unpaid order keeps it until it lapses); ``among``: only
    these are asked about (a hold of two seats need not read the other 1,998).

    One statement, so one snapshot: a purchase moves a seat from held to sold in one
    commit, and on PostgreSQL two statements (tickets, then holds) could fall either
    side of that commit and see the seat in neither.  That is how a seat was once sold
    twice when purchases stopped taking the event's lock."""
    sold = select(Ticket.seat_id, literal(SOLD)).where(
        Ticket.event_id == event_id, Ticket.status == "valid", Ticket.seat_id.is_not(None)
    )
    held = (
        select(HoldItem.seat_id, literal(HELD))
        .join(Hold, Hold.id == HoldItem.hold_id)
        .where(
            Hold.event_id == event_id,
            Hold.status.in_(LIVE_HOLDS),
            Hold.expires_at > now,
            HoldItem.seat_id.is_not(None),
        )
    )
    if among is not None:
        sold = sold.where(Ticket.seat_id.in_(list(among)))
        held = held.where(HoldItem.seat_id.in_(list(among)))
    gone: dict[int, Gone] = {}
    for seat, why in session.execute(union_all(sold, held)):
        if seat is not None and gone.get(seat) != SOLD:
            gone[seat] = SOLD if why == SOLD else HELD
    return gone


def in_use(session: Session, event_id: int, now: datetime) -> Counter[str]:
    """Tickets of each type sold (valid) or kept by a live hold or unpaid order, counted
    in one statement (one snapshot: see ``seats_gone``) so that a purchase committing
    meanwhile is counted once, not zero times."""
    sold = (
        select(Ticket.ticket_type.label("code"), func.count().label("n"))
        .where(Ticket.event_id == event_id, Ticket.status == "valid")
        .group_by(Ticket.ticket_type)
    )
    held = (
        select(HoldItem.ticket_type.label("code"), func.sum(HoldItem.quantity).label("n"))
        .join(Hold, Hold.id == HoldItem.hold_id)
        .where(Hold.event_id == event_id, Hold.status.in_(LIVE_HOLDS), Hold.expires_at > now)
        .group_by(HoldItem.ticket_type)
    )
    used: Counter[str] = Counter()
    for code, n in session.execute(union_all(sold, held)):
        used[code] += int(n or 0)
    return used


def _check_capacity(
    session: Session,
    event: Event,
    types: dict[str, TicketType],
    requests: list[TicketRequest],
) -> None:
    """No way of issuing (the organiser's orders, a purchase, the door) goes past the
    event's capacity or a type's quota: what is sold and held counts."""
    wanted = Counter(r.ticket_type for r in requests)
    limited = event.capacity or any(t.quota for c, t in types.items() if c in wanted)
    if not limited:
        return
    used = in_use(session, event.id, utcnow())
    if event.capacity and sum(used.values()) + len(requests) > event.capacity:
        left = max(0, event.capacity - sum(used.values()))
        raise IssueError(
            f"the event's capacity is {event.capacity:,} and only {left:,} are left "
            "(sold or held): raise the capacity first, or issue fewer"
        )
    for code, n in wanted.items():
        quota = types[code].quota if code in types else 0
        if quota and used[code] + n > quota:
            left = max(0, quota - used[code])
            raise IssueError(
                f"ticket type {code} has a quota of {quota:,} and only {left:,} are left"
            )


def issue_tickets(
    session: Session,
    *,
    event: Event,
    order_id: int,
    requests: list[TicketRequest],
    key_cache: dict[str, Ed25519PrivateKey],
    reserved: bool = False,
) -> list[Ticket]:
    """Sign and store tickets.  ``reserved``: the places were reserved by a buyer's
    hold that this transaction claimed (``services.sales``); they are this order's
    already, so neither the event's lock nor a count against the capacity is needed
    (a hold was counted when it was made).  The seat checks still run."""
    kid, private_key = active_key(session, key_cache)
    # One issuer per event at a time: which seats are taken is read and then written,
    # and two orders for one seat must not both see it free.  FOR NO KEY UPDATE: it
    # does not wait for (nor deadlock with) rows that merely reference the event, such
    # as this transaction's own order or a kiosk's scans.
    if not reserved:
        lock_event(session, event.id)
    types = {
        t.code: t
        for t in session.scalars(select(TicketType).where(TicketType.event_id == event.id))
    }
    if not reserved:
        _check_capacity(session, event, types, requests)
    wanted = [r.seat_id for r in requests if r.seat_id is not None]
    gone = seats_gone(session, event.id, utcnow(), wanted) if wanted else {}
    issued: list[Ticket] = []
    for request in requests:
        ticket_type = types.get(request.ticket_type)
        if ticket_type is None:
            raise IssueError(
                f"event {event.id} has no ticket type {request.ticket_type!r}; "
                f"it has {sorted(types) or 'none yet'}"
            )
        valid_from, valid_until = validity_window(event, ticket_type)
        seat_row = section_row = None
        if request.seat_id is not None:
            seat_row = session.get(SeatRow, request.seat_id)
            section_row = session.get(SectionRow, seat_row.section_id) if seat_row else None
            if seat_row is None or section_row is None or section_row.venue_id != event.venue_id:
                raise IssueError(f"seat {request.seat_id} is not in this event's venue")
            if gone.get(request.seat_id) == SOLD:
                raise IssueError(f"seat {request.seat_id} is already sold")
            if gone.get(request.seat_id) == HELD:
                raise IssueError(f"seat {request.seat_id} is held by a buyer; try again later")
            gone[request.seat_id] = SOLD
        zones = frozenset(filter(None, ticket_type.zones.split(",")))
        accessible = request.accessible or bool(seat_row and seat_row.accessible)
        claims = TicketClaims(
            ticket_id=new_ticket_id(),
            event_id=event.id,
            ticket_type=ticket_type.code,
            zones=mask_to_zones(zones_to_mask(zones)),
            valid_from=valid_from,
            valid_until=valid_until,
            seat=TicketSeat(section_row.name, seat_row.row, seat_row.number)
            if seat_row and section_row
            else None,
            accessible=accessible,
        )
        description = TicketData(
            ticket_id=claims.ticket_hex,
            event_id=event.id,
            ticket_type=ticket_type.code,
            holder_name=request.holder_name,
            section=section_row.name if section_row else None,
            row=seat_row.row if seat_row else None,
            number=seat_row.number if seat_row else None,
            zones=sorted(zones),
            accessible=accessible,
        )
        ticket = Ticket(
            **ticket_columns(description),
            order_id=order_id,
            seat_id=request.seat_id,
            valid_from=valid_from,
            valid_until=valid_until,
            kid=kid,
            code=sign(claims, private_key),
            issued_at=utcnow(),
        )
        issued.append(ticket)
    session.add_all(issued)
    changes.record(session, [ticket_change(t) for t in issued])
    return issued


def revoke(session: Session, ticket: Ticket, reason: str) -> None:
    if ticket.status != "valid":
        raise IssueError(f"ticket {ticket.ticket_id} is already {ticket.status}")
    ticket.status = reason
    data = RevocationData(ticket_id=ticket.ticket_id, reason=reason, revoked_at=datetime.now(UTC))
    changes.record(
        session,
        [
            changes.NewChange(
                "revocation", ticket.event_id, ticket.ticket_id, data.model_dump(mode="json")
            ),
            ticket_change(ticket),
        ],
    )


def transfer(
    session: Session,
    ticket: Ticket,
    new_holder: str,
    key_cache: dict[str, Ed25519PrivateKey],
) -> Ticket:
    """Revoke the old code and issue a new one (same seat, type and order) to ``new_holder``."""
    event = session.get(Event, ticket.event_id)
    assert event is not None
    seat_id = ticket.seat_id
    revoke(session, ticket, "transferred")
    session.flush()
    (new,) = issue_tickets(
        session,
        event=event,
        order_id=ticket.order_id,
        requests=[TicketRequest(ticket.ticket_type, new_holder, seat_id, ticket.accessible)],
        key_cache=key_cache,
    )
    ticket.replaced_by = new.ticket_id
    return new
