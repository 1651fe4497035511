"""One bad record never stalls a kiosk's sync: it is set aside with its reason and
everything else still goes up and comes down."""

from __future__ import annotations

import ssl
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.state import Direction, ScanEvent
from tests.sync.conftest import World

NOW = datetime.now(UTC)


def scan(**changes: object) -> ScanEvent:
    values: dict[str, object] = {
        "scan_id": uuid.uuid4().hex,
        "ticket_id": None,
        "event_id": None,
        "device_id": "kiosk",
        "gate": "North",
        "zone": "main",
        "direction": Direction.IN,
        "scanned_at": NOW,
        "verdict": "invalid",
        "reason": "bad_encoding",
    }
    values.update(changes)
    return ScanEvent(**values)  # type: ignore[arg-type]


def test_a_201_character_override_reason_no_longer_stops_every_upload(world: World) -> None:
    """It used to raise before any request, every cycle: nothing uploaded again."""
    kiosk = world.kiosk("North")
    device = kiosk.store.device_id
    bad = scan(device_id=device, verdict="admitted", override_by="sup", override_reason="x" * 201)
    good = [scan(device_id=device) for _ in range(3)]
    for event in [bad, *good]:
        kiosk.store.record_scan(event)
    kiosk.store.record_audit("sup", "override", {"reason": "x" * 201}, NOW)
    pushed, _ = kiosk.client.sync_once()
    assert pushed.stored == 3
    assert kiosk.store.pending_count() == 0
    held = kiosk.store.quarantined()
    assert [(h["record_id"], h["kind"]) for h in held] == [(bad.scan_id, "scan")]
    assert "override_reason" in held[0]["reason"]
    assert kiosk.client.status().quarantined == 1
    # The organiser sees it in the kiosk list (the heartbeat carries the count).
    with world.admin() as admin:
        listed = {d["device_id"]: d for d in admin.get("/devices").json()}
    assert listed[kiosk.store.device_id]["quarantined"] == 1
    # The next cycle runs whole: pushes, pulls, and the quarantined scan stays put.
    kiosk.store.record_scan(scan(device_id=device))
    pushed, _ = kiosk.client.sync_once()
    assert pushed.stored == 1


def test_a_scan_the_server_refuses_is_quarantined_with_its_word(world: World) -> None:
    kiosk = world.kiosk("South")
    # The server refuses an admit it cannot place: of another device, or of a ticket
    # it never issued.  Admits and exits are what other gates need: set aside, visibly.
    other_device = scan(device_id="someone-else", verdict="admitted")
    kiosk.store.record_scan(other_device)
    kiosk.store.record_scan(scan(device_id=kiosk.store.device_id))
    kiosk.store.record_scan(scan(device_id="someone-else"))  # a refusal: kept, not an alarm
    pushed, _ = kiosk.client.sync_once()
    assert (pushed.stored, pushed.rejected) == (1, 2)
    (held,) = kiosk.store.quarantined()
    assert held["record_id"] == other_device.scan_id
    assert held["reason"].startswith("refused by the server")
    assert kiosk.store.pending_count() == 0


text = st.text(max_size=400)
journal_entry = st.builds(
    scan,
    ticket_id=st.one_of(st.none(), text, st.text("0123456789abcdef", min_size=20, max_size=20)),
    event_id=st.one_of(st.none(), st.integers(min_value=-(2**40), max_value=2**40)),
    gate=text,
    zone=text,
    verdict=text,
    reason=text,
    override_by=st.one_of(st.none(), text),
    override_reason=st.one_of(st.none(), text),
    scanned_at=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    direction=st.sampled_from(list(Direction)),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(entries=st.lists(journal_entry, max_size=8), junk_audit=st.lists(text, max_size=3))
def test_any_journal_contents_still_complete_a_sync_cycle(
    world: World, entries: list[ScanEvent], junk_audit: list[str]
) -> None:
    kiosk = getattr(world, "_fuzzed", None) or world.kiosk("Fuzz")
    world._fuzzed = kiosk  # type: ignore[attr-defined]
    device = kiosk.store.device_id
    for entry in entries:
        # A fresh scan id: the kiosk reuses one store across examples.
        kiosk.store.record_scan(replace(entry, device_id=device, scan_id=uuid.uuid4().hex))
    for detail in junk_audit:
        kiosk.store.record_audit(detail[:300] or "x", "note", {"text": detail}, NOW)
    before = kiosk.store.quarantine_count()
    kiosk.client.sync_once()  # completes: no exception, whatever the journal holds
    assert kiosk.store.pending_count() == 0
    assert kiosk.store.pending_audit() == []
    assert kiosk.store.quarantine_count() >= before
    assert kiosk.client.status().last_error == ""


def test_quarantined_records_survive_a_restart(world: World) -> None:
    from scanner import Store

    kiosk = world.kiosk("East")
    kiosk.store.record_scan(scan(device_id=kiosk.store.device_id, gate="g" * 300))
    kiosk.client.sync_once()
    path = kiosk.store.path
    kiosk.store.close()
    with Store.open(path) as again:
        assert again.quarantine_count() == 1
        assert again.pending_count() == 0
    kiosk.store = Store.open(path)  # the fixture closes it


class RefusesPoison(httpx.BaseTransport):
    """The network edge as a stricter server would answer: a body carrying the marker is
    refused whole (422); everything else goes to the real server."""

    def __init__(self, verify: ssl.SSLContext | bool) -> None:
        self.inner = httpx.HTTPTransport(verify=verify)
        self.refused_bodies = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if b"POISON" in request.read():
            self.refused_bodies += 1
            return httpx.Response(422, json={"detail": "gate: not allowed here"})
        return self.inner.handle_request(request)


def test_a_batch_refused_whole_is_halved_until_the_bad_scan_stands_alone(world: World) -> None:
    from sync.client import RetryPolicy, SyncClient

    kiosk = world.kiosk("West")
    edge = RefusesPoison(world.server.verify)
    client = SyncClient(kiosk.store, retry=RetryPolicy(attempts=1, initial=0.01), transport=edge)
    device = kiosk.store.device_id
    good = [scan(device_id=device) for _ in range(9)]
    poison = scan(device_id=device, gate="POISON")
    for event in [*good[:4], poison, *good[4:]]:
        kiosk.store.record_scan(event)
    try:
        pushed = client.push()
    finally:
        edge.inner.close()  # its kept-alive connection would hold up the server's stop
    assert (pushed.stored, pushed.rejected) == (9, 1)
    assert [h["record_id"] for h in kiosk.store.quarantined()] == [poison.scan_id]
    assert edge.refused_bodies >= 2  # the whole batch, then the halves holding it
    assert kiosk.store.pending_count() == 0
