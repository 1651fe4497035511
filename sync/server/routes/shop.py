"""Selling to buyers: hold seats, then buy them.  No login: a hold's token is the
buyer's claim on it.  Thin: each route hands over to ``services.sales``."""

from __future__ import annotations

from fastapi import APIRouter

from sync.server.deps import State
from sync.server.schemas import HoldIn, HoldOut, OrderDetail, PurchaseIn
from sync.server.services import sales

router = APIRouter()


@router.post("/tickets/hold", response_model=HoldOut, status_code=201, tags=["selling"])
def hold(body: HoldIn, state: State) -> HoldOut:
    """Keep seats (or a quantity of a general-admission type) for ten minutes; the
    answer's ``hold_id`` buys them with ``POST /tickets/purchase``."""
    return sales.hold(state, body)


@router.post("/tickets/purchase", response_model=OrderDetail, status_code=201, tags=["selling"])
def purchase(body: PurchaseIn, state: State) -> OrderDetail:
    """Turn a live hold into an order with its signed tickets (free tickets so far)."""
    return sales.purchase(state, body)
