"""Waiting on a condition with a deadline (never a bare sleep as synchronisation)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

DEADLINE = 30.0
T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float = DEADLINE, what: str = "") -> T:
    """Poll ``condition`` until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"not before the deadline: {what or condition}"
        time.sleep(0.02)  # polling a condition with a deadline
