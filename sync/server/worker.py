"""The server's worker: a thread in each server process that sends what the mail
outbox holds and sweeps selling (lapsed holds and unpaid orders expire, freed places
go to the waitlist, waiting rooms move on).

It wakes when mail was queued (``state.mail_wake``) and otherwise every few seconds,
so retries and lapses come due on time.  Several processes may run one each:
claiming a mail is an UPDATE only one of them wins, and the sweep's every step runs
under the event's lock.
"""

from __future__ import annotations

import logging
import threading
import time

from sync.server.services import outbox, sweep
from sync.server.state import ServerState

log = logging.getLogger(__name__)


class ServerWorker:
    def __init__(self, state: ServerState) -> None:
        self._state = state
        self._stopped = threading.Event()
        config = state.config
        self._interval = min(5.0, max(0.05, config.mail_retry_seconds / 2), config.sweep_seconds)
        self._sweep_every = max(0.05, config.sweep_seconds)
        self._thread = threading.Thread(target=self._run, name="admitone-worker", daemon=True)

    def start(self) -> None:
        config = self._state.config
        if config.mail_host:
            log.info(
                "sending mail through %s:%d (%s)",
                config.mail_host,
                config.mail_port,
                config.mail_security,
            )
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._state.mail_wake.set()
        self._thread.join(35)

    def _run(self) -> None:
        wake = self._state.mail_wake
        swept = 0.0
        while not self._stopped.is_set():
            try:
                if self._state.config.mail_host:
                    outbox.send_due(self._state)
                if time.monotonic() - swept >= self._sweep_every:
                    swept = time.monotonic()
                    sweep.sweep(self._state)
            except Exception:  # a broken row or database hiccup must not end the worker
                log.exception("the server's worker failed a round; trying again shortly")
            wake.wait(self._interval)
            wake.clear()
