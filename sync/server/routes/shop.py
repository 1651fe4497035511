"""Selling to buyers: the public shop's API.  No login: a hold's token is the buyer's
claim on it, a queue ticket is signed, a waitlist place has its own token.  Thin:
each route hands over to the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import anyio
from fastapi import APIRouter, Path, Response

from sync.server.deps import IdPath, State
from sync.server.schemas import (
    HoldIn,
    HoldOut,
    PurchaseIn,
    PurchaseOut,
    QueueOut,
    QuoteIn,
    QuoteOut,
    SeatMap,
    WaitlistIn,
    WaitlistOut,
)
from sync.server.services import sales, shop, waiting_room, waitlist
from sync.server.state import ServerState

router = APIRouter()
Token = Annotated[str, Path(min_length=8, max_length=100)]


@router.post("/tickets/hold", response_model=HoldOut, status_code=201, tags=["selling"])
def hold(body: HoldIn, state: State) -> HoldOut:
    """Keep seats (or a quantity of a general-admission type) for the event's hold
    time, each at the price shown now; the answer's ``hold_id`` buys them with
    ``POST /tickets/purchase``.  An event with a waiting room wants the buyer's
    admitted ``queue_ticket``."""
    return sales.hold(state, body)


@router.post("/tickets/quote", response_model=QuoteOut, tags=["selling"])
def quote(body: QuoteIn, state: State) -> QuoteOut:
    """What a live hold costs with a promo code, fees included, and the ways to pay."""
    return sales.quote(state, body)


@router.post("/tickets/purchase", response_model=PurchaseOut, status_code=201, tags=["selling"])
def purchase(body: PurchaseIn, state: State) -> PurchaseOut:
    """Turn a live hold into an order: paid at once (free) with its signed tickets, or
    pending (box office, bank transfer) with no tickets until it is marked paid."""
    return sales.purchase(state, body)


@router.get(
    "/shop/events/{event_id}/seat-map",
    response_model=SeatMap,
    response_class=Response,
    responses={200: {"model": SeatMap}},
    tags=["selling"],
)
def seat_map(event_id: IdPath, state: State) -> Response:
    """Seats free, held and sold, for an event on sale (never who holds them); at most
    a second old."""
    return Response(shop.public_seat_map_json(state, event_id), media_type="application/json")


@router.post("/shop/waitlist", response_model=WaitlistOut, status_code=201, tags=["selling"])
def join_waitlist(body: WaitlistIn, state: State) -> WaitlistOut:
    """Wait for a sold-out type: freed places are offered in turn, by e-mail."""
    return waitlist.join(state, body)


@router.get("/shop/waitlist/{token}", response_model=WaitlistOut, tags=["selling"])
def waitlist_place(token: Token, state: State) -> WaitlistOut:
    return waitlist.status(state, token)


@router.delete("/shop/waitlist/{token}", response_model=WaitlistOut, tags=["selling"])
def leave_waitlist(token: Token, state: State) -> WaitlistOut:
    return waitlist.leave(state, token)


Arg = TypeVar("Arg")
Answer = TypeVar("Answer")


async def _in_waiting_room_lane(
    state: ServerState, work: Callable[[ServerState, Arg], Answer], arg: Arg
) -> Answer:
    """Run a waiting-room request in the waiting room's own few threads
    (``waiting_room_threads``), not the pool every other route shares: in a drop the
    queue's polls outnumber the shop's requests a hundred to one, and a hold must not
    wait behind them for a thread."""
    return await anyio.to_thread.run_sync(work, state, arg, limiter=state.waiting_room_lane)


@router.post(
    "/shop/events/{event_id}/queue", response_model=QueueOut, status_code=201, tags=["selling"]
)
async def join_queue(event_id: IdPath, state: State) -> QueueOut:
    """Enter an event's waiting room: a signed queue ticket, a place, a wait."""
    return await _in_waiting_room_lane(state, waiting_room.join, event_id)


@router.get("/shop/queue/{ticket}", response_model=QueueOut, tags=["selling"])
async def queue_place(ticket: Token, state: State) -> QueueOut:
    return await _in_waiting_room_lane(state, waiting_room.status, ticket)


@router.delete("/shop/queue/{ticket}", status_code=204, tags=["selling"])
async def leave_queue(ticket: Token, state: State) -> Response:
    """Done shopping: the place in the shop goes to the next visitor."""
    await _in_waiting_room_lane(state, waiting_room.leave, ticket)
    return Response(status_code=204)
