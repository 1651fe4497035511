"""A demo catalogue made through the public API: venue, sections, seats, event, tickets.

Used by ``make demo`` and by the tests, so both go through the same routes an
organiser's tools would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx


class SeedError(RuntimeError):
    pass


def _ok(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise SeedError(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text}"
        )
    return response.json()


@dataclass
class DemoCatalogue:
    venue_id: int
    event_id: int
    order_id: int
    tickets: list[dict[str, Any]] = field(default_factory=list)

    def by_type(self, code: str) -> list[dict[str, Any]]:
        return [t for t in self.tickets if t["ticket_type"] == code]


def seed_demo(
    admin: httpx.Client,
    *,
    general: int = 200,
    name: str = "Harbour Nights 2026",
    timezone: str = "Asia/Jakarta",
    now: datetime | None = None,
    allow_reentry: bool = True,
    day_starts_at: str | None = None,
) -> DemoCatalogue:
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    venue = _ok(
        admin.post(
            "/venues",
            json={
                "name": "Harbour Arena",
                "address": "Pier 4",
                "latitude": -6.1045,
                "longitude": 106.8805,
            },
        )
    )
    _ok(
        admin.post(
            f"/venues/{venue['id']}/sections",
            json={
                "name": "FLOOR",
                "kind": "standing",
                "capacity": 5000,
                "pricing_tier": "standard",
            },
        )
    )
    _ok(
        admin.post(
            f"/venues/{venue['id']}/sections",
            json={
                "name": "A",
                "kind": "seated",
                "pricing_tier": "premium",
                "seats": {
                    "rows": ["1", "2", "3"],
                    "seats_per_row": 10,
                    "accessible": ["1/1", "1/2"],
                },
            },
        )
    )
    event = _ok(
        admin.post(
            "/events",
            json={
                "name": name,
                "venue_id": venue["id"],
                "timezone": timezone,
                "doors_open": (now - timedelta(hours=1)).isoformat(),
                "starts_at": now.isoformat(),
                "ends_at": (now + timedelta(hours=5)).isoformat(),
                "capacity": 5030,
                "status": "on_sale",
                "allow_reentry": allow_reentry,
                "day_starts_at": day_starts_at,
            },
        )
    )
    _ok(
        admin.post(
            f"/events/{event['id']}/ticket-types",
            json={"code": "GA", "name": "General admission", "zones": ["main"]},
        )
    )
    _ok(
        admin.post(
            f"/events/{event['id']}/ticket-types",
            json={"code": "VIP", "name": "VIP with lounge", "zones": ["main", "vip"]},
        )
    )
    seat_map = _ok(admin.get(f"/events/{event['id']}/seat-map"))
    seats = [
        s for section in seat_map["sections"] if section["name"] == "A" for s in section["seats"]
    ]
    items: list[dict[str, Any]] = []
    if general:
        items.append({"ticket_type": "GA", "quantity": general, "holder_name": "Guest"})
    items += [
        {
            "ticket_type": "VIP",
            "seat_id": seat["id"],
            "holder_name": f"VIP {seat['row']}-{seat['number']}",
        }
        for seat in seats[:6]
    ]
    order = _ok(
        admin.post(
            "/orders",
            json={"event_id": event["id"], "buyer_name": "Demo Box Office", "items": items},
        )
    )
    return DemoCatalogue(venue["id"], event["id"], order["id"], order["tickets"])


def enrol_code(admin: httpx.Client, event_id: int, gate: str) -> str:
    code: str = _ok(admin.post(f"/events/{event_id}/enrol-codes", json={"gate": gate}))["code"]
    return code
