"""Answers a server process works out at most so often, not once per request.

In a drop ten thousand waiting pages ask for their place and every buyer in the shop
for the seat map: what they all share (the seat map, the admission rate, whether
anything is left, when the waiting room last let visitors in) is computed once a
second or so per event and process.  Each process keeps its own: nothing here needs
to agree across processes, since every decision about what is free is taken again
in the database."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Memo:
    def __init__(self) -> None:
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._computing: set[Hashable] = set()
        self._lock = threading.Lock()

    def get(self, key: Hashable, max_age: float, compute: Callable[[], T]) -> T:
        """The value under ``key`` if it is younger than ``max_age`` seconds, else a
        fresh one.  One thread computes it; others asking meanwhile get the old value
        (when there is one) rather than computing it again: under load, every thread
        finding a second-old waiting room stale at once would each read it again."""
        now = time.monotonic()
        with self._lock:
            cached = self._values.get(key)
            fresh = cached is not None and now - cached[0] < max_age
            if fresh or (cached is not None and key in self._computing):
                value: T = cached[1]  # type: ignore[index]
                return value
            self._computing.add(key)
        try:
            value = compute()
            with self._lock:
                self._values[key] = (now, value)
        finally:
            with self._lock:
                self._computing.discard(key)
        return value

    def due(self, key: Hashable, every: float) -> bool:
        """True at most once per ``every`` seconds for ``key`` (in this process): the
        caller that gets True does the periodic work, the others skip it."""
        now = time.monotonic()
        with self._lock:
            last = self._values.get(key)
            if last is not None and now - last[0] < every:
                return False
            self._values[key] = (now, None)
            return True
