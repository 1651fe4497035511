"""The sync schedule: interval cycles, push after an admit, catch-up when the network returns."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from scanner import Gate, Mode, preset
from sync.client import RetryPolicy
from sync.scheduler import SyncScheduler
from tests.fault_proxy import FaultProxy
from tests.sync.conftest import World
from tests.waiting import wait_until


def test_scheduler_pushes_after_an_admit_and_catches_up_when_the_network_returns(
    world: World,
) -> None:
    proxy = FaultProxy(world.server.port, fault_rate=0.0)
    proxy.start()
    kiosk = world.kiosk("North Gate", url=proxy.url, retry=RetryPolicy(attempts=1, initial=0.01))
    gate = Gate(kiosk.store, preset(Mode.ENTRY), gate_name=kiosk.gate)
    scheduler = SyncScheduler(kiosk.client, interval=60.0, offline_probe=0.2)
    scheduler.start()
    try:
        wait_until(lambda: scheduler.cycles >= 1)  # the first cycle runs at once
        codes = [t["code"] for t in world.tickets()]
        gate.scan(codes[0], datetime.now(UTC))
        scheduler.notify_scan()
        wait_until(lambda: kiosk.store.pending_count() == 0)  # pushed long before 60 s

        proxy.down = True  # the cable is pulled
        scheduler.sync_now()
        wait_until(lambda: not kiosk.client.online)
        gate.scan(codes[1], datetime.now(UTC))
        scheduler.notify_scan()  # offline: nothing is attempted, nothing is lost
        assert kiosk.store.pending_count() == 1
        assert kiosk.client.status().pending_uploads == 1

        cycles = scheduler.cycles
        proxy.down = False  # the cable is back: the probe notices and catches up at once
        wait_until(lambda: kiosk.client.online and kiosk.store.pending_count() == 0)
        wait_until(lambda: scheduler.cycles > cycles)
    finally:
        started = time.monotonic()
        scheduler.stop()
        stopped_in = time.monotonic() - started
        proxy.stop()
    assert stopped_in < 10
    assert not scheduler._scheduler.running
