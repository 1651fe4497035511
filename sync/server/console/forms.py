"""Turning a form's text fields into the API's request models.

The forms validate with the API's own models (``sync.server.schemas``): the
console only turns what a browser sends (``datetime-local`` without an offset,
checkboxes, comma lists, a row range such as ``A-Z``) into the values those
models take, and leaves every rule to them.  A value it cannot even read is
passed on as it is, so the model names the field that is wrong.
"""

from __future__ import annotations

import string
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sync.server.schemas import EventIn, OrderIn, SectionIn, TicketTypeIn, VenueIn

MAX_ROWS = 200


def local_moment(text: str, zone: str) -> datetime | str | None:
    """A ``datetime-local`` value read in the event's time zone."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))
    except (ValueError, ZoneInfoNotFoundError):
        return text


def local_input(moment: datetime | None, zone: str) -> str:
    """A stored moment as a ``datetime-local`` field shows it, in the event's zone."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def _words(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def expand_rows(text: str) -> list[str]:
    """``A-Z`` → A … Z, ``1-20`` → 1 … 20, ``AA,AB`` as written; mixed freely."""
    rows: list[str] = []
    for part in _words(text):
        first, dash, last = part.partition("-")
        first, last = first.strip(), last.strip()
        if dash and first.isdigit() and last.isdigit():
            rows.extend(str(n) for n in range(int(first), int(last) + 1))
        elif dash and len(first) == len(last) == 1 and first.isalpha() and last.isalpha():
            letters = string.ascii_uppercase
            a, b = letters.find(first.upper()), letters.find(last.upper())
            if a < 0 or b < 0 or b < a:
                rows.append(part)  # let the model refuse it by name
            else:
                rows.extend(letters[a : b + 1])
        else:
            rows.append(part)
        if len(rows) > MAX_ROWS:
            break
    return rows


def event_in(fields: dict[str, str], model: type[EventIn] = EventIn) -> EventIn:
    zone = fields.get("timezone", "UTC").strip() or "UTC"
    values: dict[str, Any] = {
        "name": fields.get("name", "").strip(),
        "timezone": zone,
        "allow_reentry": fields.get("allow_reentry") == "on",
        "capacity": fields.get("capacity", "").strip() or 0,
    }
    venue = fields.get("venue_id", "").strip()
    values["venue_id"] = venue or None
    for name in ("doors_open", "starts_at", "ends_at"):
        values[name] = local_moment(fields.get(name, ""), zone)
    values["day_starts_at"] = fields.get("day_starts_at", "").strip() or None
    # Selling: only what the form sent (a form without these leaves them as they are).
    if "status" in fields:
        values["status"] = fields["status"]
    if "on_sale" in fields:
        values["on_sale"] = local_moment(fields["on_sale"], zone)
    if "currency" in fields:
        values["currency"] = fields["currency"].strip().upper() or "EUR"
    for name, default in SELLING_NUMBERS.items():
        if name in fields:
            values[name] = fields[name].strip() or default
    return model.model_validate(values)


SELLING_NUMBERS = {
    "hold_minutes": 10,
    "fee_cents": 0,
    "group_min": 0,
    "group_percent": 0,
    "shop_limit": 0,
}


def ticket_type_in(fields: dict[str, str], zone: str) -> TicketTypeIn:
    return TicketTypeIn.model_validate(
        {
            "code": fields.get("code", "").strip().upper(),
            "name": fields.get("name", "").strip(),
            "zones": _words(fields.get("zones", "")) or ["main"],
            "price_cents": fields.get("price_cents", "").strip() or 0,
            "valid_from": local_moment(fields.get("valid_from", ""), zone),
            "valid_until": local_moment(fields.get("valid_until", ""), zone),
            "early_price_cents": fields.get("early_price_cents", "").strip() or None,
            "early_until": local_moment(fields.get("early_until", ""), zone),
            "quota": fields.get("quota", "").strip() or 0,
            "step_after": fields.get("step_after", "").strip() or 0,
            "step_cents": fields.get("step_cents", "").strip() or 0,
            # A browser sends an unticked box as nothing: absent means not in the shop,
            # but a form that has no such box at all (an older page) keeps the default.
            "public": fields.get("public") == "on" if "public_shown" in fields else True,
            "gate_note": fields.get("gate_note", "").strip(),
        }
    )


def venue_in(fields: dict[str, str]) -> VenueIn:
    return VenueIn.model_validate(
        {
            "name": fields.get("name", "").strip(),
            "address": fields.get("address", "").strip(),
            "latitude": fields.get("latitude", "").strip() or None,
            "longitude": fields.get("longitude", "").strip() or None,
        }
    )


def section_in(fields: dict[str, str]) -> SectionIn:
    kind = fields.get("kind", "seated")
    values: dict[str, Any] = {
        "name": fields.get("name", "").strip(),
        "kind": kind,
        "capacity": fields.get("capacity", "").strip() or 0,
    }
    if kind == "seated":
        values["seats"] = {
            "rows": expand_rows(fields.get("rows", "")),
            "seats_per_row": fields.get("seats_per_row", "").strip() or 0,
            "accessible": [s.upper() for s in _words(fields.get("accessible", ""))],
            "companion": [s.upper() for s in _words(fields.get("companion", ""))],
        }
    return SectionIn.model_validate(values)


def order_in(fields: dict[str, str], event_id: int, *, quantity: int | None = None) -> OrderIn:
    return OrderIn.model_validate(
        {
            "event_id": event_id,
            "buyer_name": fields.get("buyer_name", "").strip(),
            "buyer_email": fields.get("buyer_email", "").strip(),
            "items": [
                {
                    "ticket_type": fields.get("ticket_type", ""),
                    "quantity": quantity
                    if quantity is not None
                    else (fields.get("quantity", "").strip() or 1),
                    "holder_name": fields.get("holder_name", "").strip(),
                }
            ],
        }
    )
