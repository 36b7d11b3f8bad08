"""The collector pauses for a build, and a process that builds twice keeps nothing frozen twice."""

from __future__ import annotations

import gc

from floe_dagster._gc import collector_paused


def test_the_collector_pauses_and_comes_back() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        first = [[] for _ in range(1000)]
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    del first
    with collector_paused():
        pass
    assert gc.get_freeze_count() <= frozen  # the first build's garbage was freed, not re-frozen
    gc.unfreeze()


def test_a_caller_who_manages_the_collector_is_left_alone() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
