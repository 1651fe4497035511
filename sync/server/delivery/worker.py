"""The mail worker: a thread in each server process that sends what the outbox holds.

It wakes when an order is committed (``state.mail_wake``) and otherwise every few
seconds, so retries come due on time.  Several processes may run one each: claiming
a row is an UPDATE only one of them wins.
"""

from __future__ import annotations

import logging
import threading

from sync.server.services import outbox
from sync.server.state import ServerState

log = logging.getLogger(__name__)


class MailWorker:
    def __init__(self, state: ServerState) -> None:
        self._state = state
        self._stopped = threading.Event()
        self._interval = min(5.0, max(0.05, state.config.mail_retry_seconds / 2))
        self._thread = threading.Thread(target=self._run, name="admitone-mail", daemon=True)

    def start(self) -> None:
        log.info(
            "sending mail through %s:%d (%s)",
            self._state.config.mail_host,
            self._state.config.mail_port,
            self._state.config.mail_security,
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._state.mail_wake.set()
        self._thread.join(35)

    def _run(self) -> None:
        wake = self._state.mail_wake
        while not self._stopped.is_set():
            try:
                outbox.send_due(self._state)
            except Exception:  # a broken row or database hiccup must not end the worker
                log.exception("the mail worker failed a round; trying again shortly")
            wake.wait(self._interval)
            wake.clear()
