"""The allocator settings that keep the kiosk's memory flat take effect on this machine
(the soak benchmark, ``make soak``, shows what they do over an event)."""

from __future__ import annotations

import sys

import pytest

from ui.memory import steady_heap


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_glibc_takes_the_allocator_settings() -> None:
    assert steady_heap() is True
