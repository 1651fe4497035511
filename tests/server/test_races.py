"""Every read-decide-write route, raced by real concurrent clients on both databases.

SQLite's single writer serialises everything, so only PostgreSQL shows a race; each
test still runs on both.  Clients wait behind a barrier and send at one instant,
many rounds; exactly one of them may win each round.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx

from tests.server.conftest import Enrolled, ServerHandle, enrol_device

ROUNDS = 12


def race(
    clients: list[httpx.Client], send: Callable[[httpx.Client], httpx.Response]
) -> list[httpx.Response]:
    """Send one request per client at the same instant; the responses in client order."""
    barrier = threading.Barrier(len(clients))
    answers: list[httpx.Response | None] = [None] * len(clients)

    def run(index: int) -> None:
        barrier.wait()
        answers[index] = send(clients[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(answer is not None for answer in answers)
    return [answer for answer in answers if answer is not None]


def test_two_kiosks_validating_one_code_at_once_admit_it_once(enrolled: Enrolled) -> None:
    server = enrolled.server
    other = enrol_device(server, enrolled.event_id, "kiosk-south", "South Gate")
    kiosks = [server.client(enrolled.token), server.client(other)]
    tickets = [t for t in enrolled.tickets if t["ticket_type"] == "GA"][:ROUNDS]
    try:
        for ticket in tickets:
            body = {"code": ticket["code"]}
            answers = race(kiosks, lambda c: c.post("/validate/scan", json=body))  # noqa: B023
            kinds = sorted(a.json()["kind"] for a in answers)
            assert all(a.status_code == 200 for a in answers)
            assert kinds.count("admitted") == 1, kinds
    finally:
        for kiosk in kiosks:
            kiosk.close()


def _ticket(server: ServerHandle, ticket_id: str) -> dict[str, Any]:
    with server.admin() as admin:
        found: dict[str, Any] = admin.get(f"/tickets/{ticket_id}").json()
        return found


def _valid_descendants(server: ServerHandle, ticket_id: str) -> int:
    """How many valid codes trace back to ``ticket_id`` through transfers."""
    ticket = _ticket(server, ticket_id)
    if ticket["status"] == "valid":
        return 1
    if ticket.get("replaced_by"):
        return _valid_descendants(server, ticket["replaced_by"])
    return 0


def test_two_transfers_of_one_ticket_at_once_make_one_new_code(enrolled: Enrolled) -> None:
    server = enrolled.server
    admins = [server.admin(), server.admin()]
    try:
        for ticket in [t for t in enrolled.tickets if t["ticket_type"] == "GA"][:ROUNDS]:
            path = f"/tickets/{ticket['ticket_id']}/transfer"
            answers = race(
                admins,
                lambda c: c.post(path, json={"holder_name": "New Holder"}),  # noqa: B023
            )
            assert sorted(a.status_code for a in answers) == [200, 409]
            assert _valid_descendants(server, ticket["ticket_id"]) == 1
    finally:
        for admin in admins:
            admin.close()


def test_a_refund_racing_a_transfer_never_leaves_a_refunded_ticket_a_valid_code(
    enrolled: Enrolled,
) -> None:
    server = enrolled.server
    admins = [server.admin(), server.admin()]
    try:
        for ticket in [t for t in enrolled.tickets if t["ticket_type"] == "GA"][:ROUNDS]:
            path = f"/tickets/{ticket['ticket_id']}"

            def send(client: httpx.Client, path: str = path) -> httpx.Response:
                if client is admins[0]:
                    return client.post(f"{path}/refund")
                return client.post(f"{path}/transfer", json={"holder_name": "New Holder"})

            refund, transfer = race(admins, send)
            assert sorted([refund.status_code, transfer.status_code]) == [200, 409]
            final = _ticket(server, ticket["ticket_id"])
            if refund.status_code == 200:
                assert final["status"] == "refunded"
                assert _valid_descendants(server, ticket["ticket_id"]) == 0
            else:
                assert final["status"] == "transferred"
                assert _valid_descendants(server, ticket["ticket_id"]) == 1
    finally:
        for admin in admins:
            admin.close()


def test_two_orders_for_one_seat_at_once_sell_it_once(enrolled: Enrolled) -> None:
    server = enrolled.server
    with server.admin() as admin:
        seat_map = admin.get(f"/events/{enrolled.event_id}/seat-map").json()
    free = [
        s["id"]
        for section in seat_map["sections"]
        for s in section["seats"]
        if s["status"] == "free"
    ][:ROUNDS]
    assert len(free) == ROUNDS
    admins = [server.admin(), server.admin()]
    try:
        for seat in free:
            order = {
                "event_id": enrolled.event_id,
                "buyer_name": "Buyer",
                "items": [{"ticket_type": "VIP", "seat_id": seat, "holder_name": "X"}],
            }
            answers = race(admins, lambda c: c.post("/orders", json=order))  # noqa: B023
            assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    finally:
        for admin in admins:
            admin.close()


def test_one_enrolment_code_enrols_one_kiosk_however_many_try_at_once(
    enrolled: Enrolled,
) -> None:
    from ui.demo.seed import enrol_code

    server = enrolled.server
    clients = [server.client() for _ in range(100)]
    try:
        for _ in range(1):  # the rate limit (5 failures a minute) ends further rounds
            with server.admin() as admin:
                code = enrol_code(admin, enrolled.event_id, "Race Gate")
            answers = race(
                clients,
                lambda c: c.post(
                    "/devices/enrol",
                    json={"code": code, "device_id": f"kiosk-{id(c)}"},  # noqa: B023
                ),
            )
            assert sum(a.status_code == 200 for a in answers) == 1
    finally:
        for client in clients:
            client.close()
