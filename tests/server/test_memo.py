"""The per-process memo behind the waiting room's and the shop's once-a-second answers."""

from __future__ import annotations

import threading
from itertools import count

from sync.server.memo import Memo


def test_a_memo_answers_from_memory_until_its_value_is_too_old() -> None:
    memo, computed = Memo(), count(1)
    assert memo.get("map", 3600, lambda: next(computed)) == 1
    assert memo.get("map", 3600, lambda: next(computed)) == 1  # young enough: no new work
    assert memo.get("other", 3600, lambda: next(computed)) == 2  # keys do not mix
    assert memo.get("map", 0, lambda: next(computed)) == 3  # too old for this caller


def test_periodic_work_is_due_once_per_period() -> None:
    memo = Memo()
    assert [memo.due("advance", 3600) for _ in range(3)] == [True, False, False]
    assert memo.due("advance", 0)  # a period of nothing: always due


def test_while_one_thread_computes_the_others_get_the_old_value() -> None:
    """Under load every thread finds a value stale at the same moment: one computes it,
    the rest answer with the old one instead of all reading the database at once."""
    memo = Memo()
    assert memo.get("room", 3600, lambda: "old") == "old"
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(30)
        return "new"

    computing = threading.Thread(target=memo.get, args=("room", 0, slow))
    computing.start()
    assert started.wait(30)
    assert memo.get("room", 0, lambda: "again") == "old"  # not computed a second time
    release.set()
    computing.join(30)
    assert memo.get("room", 3600, lambda: "again") == "new"
