"""Files that several processes share: an exclusive lock, and writes readers never see half-done.

Every Dagster step may run in its own process, and several runs can overlap, so floe's state
files are written atomically and DuckDB (one writing process per file) is taken in turns.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def file_lock(path: Path, *, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing) for the ``with`` block.

    ``waiting`` is told once if another process holds the lock, before this one waits for it.
    The lock is released when the block ends, or when the process dies.
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


def write_atomically(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` so that a concurrent reader sees the old or the new file,
    never a half-written one; a file that already holds ``text`` is left alone."""
    try:
        if path.read_text() == text:
            return path
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
