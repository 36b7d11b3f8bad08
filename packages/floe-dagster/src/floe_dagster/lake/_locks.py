"""Files several processes take turns on: an exclusive ``flock``, released when the block ends or
the process dies.

Every Dagster step may run in its own process, and runs overlap: DuckDB takes one writing
process per file (dbt steps and ``analyze`` take turns on the warehouse's lock), and the
observability files are appended under a lock so that lines never interleave.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def file_lock(path: Path, *, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing) for the ``with`` block.

    ``waiting`` is told once if another process holds the lock, before this one waits for it,
    and again when it has it.

    >>> with file_lock(Path("/tmp/example.lock")):  # doctest: +SKIP
    ...     append_a_line()
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting(f"floe: waiting for {path} (another run holds it)")
            started = time.monotonic()
            fcntl.flock(handle, fcntl.LOCK_EX)
            if waiting is not None:
                waiting(f"floe: got {path} after {time.monotonic() - started:.1f}s")
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def warehouse_lock_path(database: Path) -> Path:
    """The lock file the writers of a DuckDB warehouse take turns on (DuckDB allows one
    writing process per file): dbt steps and maintenance hold it while they write."""
    return database.with_name(database.name + ".lock")
