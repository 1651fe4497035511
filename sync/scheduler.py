"""When the kiosk syncs: apscheduler jobs around a :class:`SyncClient`.

- a full cycle (heartbeat, push, pull) every ``interval`` seconds;
- a push at once after an admit, when online (``notify_scan``);
- a catch-up cycle at once when the network comes back: while offline, a light
  probe runs every few seconds, and the first probe that succeeds triggers it.

Jobs never overlap (``max_instances=1``) and ``stop`` waits for a running one,
after cutting its retry back-off short.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from sync.client import NotEnrolledError, ServerRejectedError, SyncClient, SyncError

log = logging.getLogger(__name__)


class SyncScheduler:
    def __init__(
        self, client: SyncClient, *, interval: float = 15.0, offline_probe: float = 3.0
    ) -> None:
        self.client = client
        self.interval = interval
        self.offline_probe = offline_probe
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self.cycles = 0
        self.failures = 0

    def start(self) -> None:
        self._scheduler.add_job(
            self._cycle,
            "interval",
            seconds=self.interval,
            id="cycle",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
        self._scheduler.add_job(
            self._probe,
            "interval",
            seconds=self.offline_probe,
            id="probe",
            max_instances=1,
            coalesce=True,
        )
        self._scheduler.start()

    def stop(self) -> None:
        self.client.close()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)

    def sync_now(self) -> None:
        """Run a full cycle as soon as possible (supervisor's "sync now")."""
        self._scheduler.add_job(self._cycle, id="cycle-now", replace_existing=True, max_instances=1)

    def notify_scan(self) -> None:
        """A scan was journalled: push it at once if the server is reachable."""
        if self.client.online:
            self._scheduler.add_job(
                self._push, id="push-now", replace_existing=True, max_instances=1
            )

    def _cycle(self) -> None:
        try:
            self.client.sync_once()
            self.cycles += 1
        except NotEnrolledError:
            log.debug("not enrolled; nothing to sync")
        except ServerRejectedError as exc:
            self.failures += 1
            log.error("%s; the kiosk may need re-enrolling", exc)
        except SyncError as exc:
            self.failures += 1
            log.info("sync cycle failed, kiosk stays offline-capable: %s", exc)

    def _push(self) -> None:
        try:
            self.client.push()
        except SyncError as exc:
            log.info("immediate push failed; the next cycle retries: %s", exc)

    def _probe(self) -> None:
        if self.client.online or not self.client.enrolled:
            return
        try:
            self.client.heartbeat()
        except SyncError:
            return
        log.info("network is back: catching up now")
        self._cycle()
