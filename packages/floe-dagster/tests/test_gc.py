"""The collector pauses for a build and for floe's imports, a process that builds twice keeps
nothing frozen twice, and full collections after a build keep their pace."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap

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


def _fresh(code: str) -> list[str]:
    """What ``code`` prints, run in a fresh process (the collector's state is the process's)."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


FULL_PASSES = """
    import gc
    from floe_dagster._gc import collector_paused, imports_paused
    full = []
    gc.callbacks.append(lambda phase, info: full.append(info["generation"]) if phase == "start" else None)
"""


def test_what_imports_froze_is_not_thawed_and_collected_by_the_first_build() -> None:
    printed = _fresh(
        FULL_PASSES
        + """
    with imports_paused():
        import json
    frozen = gc.get_freeze_count()
    with collector_paused():
        built = [[] for _ in range(1000)]
    print(frozen > 0, full.count(2), gc.get_freeze_count() >= frozen)
    with collector_paused():
        pass
    print(full.count(2))
    """
    )
    assert printed[:3] == ["True", "0", "True"]  # the first build paid no full collection
    assert int(printed[3]) >= 1  # a second build frees what the first one froze


def test_after_a_build_full_collections_wait_ten_times_as_long_unless_the_process_chose() -> None:
    printed = _fresh(
        FULL_PASSES
        + """
    print(gc.get_threshold() == (700, 10, 10))
    with collector_paused():
        pass
    print(*gc.get_threshold(), sep=",")
    """
    )
    assert printed == ["True", "700,10,100"]
    chosen = _fresh(
        FULL_PASSES
        + """
    gc.set_threshold(5000, 20, 20)
    with collector_paused():
        pass
    print(*gc.get_threshold(), sep=",")
    """
    )
    assert chosen == ["5000,20,20"]
