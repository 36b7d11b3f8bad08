"""Names floe-dbt no longer owns, kept for one release with a ``DeprecationWarning``.

``file_lock`` and ``warehouse_lock_path`` moved to the lake (``floe_dagster.lake``), beside the
maintenance functions that take the same lock; floe-dbt itself never used them. They are
removed in floe 0.3.
"""

from __future__ import annotations

import fcntl
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MOVED = {"file_lock", "warehouse_lock_path"}


@contextmanager
def _file_lock(path: Path, *, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        if waiting is not None:
            waiting(f"floe: taking {path}")
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _warehouse_lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def moved(name: str) -> Any:
    """The deprecated ``floe_dbt.<name>``, with a warning that says where it lives now."""
    warnings.warn(
        f"floe_dbt.{name} moved to floe_dagster.lake.{name}; floe_dbt's is removed in floe 0.3",
        DeprecationWarning,
        stacklevel=3,
    )
    return {"file_lock": _file_lock, "warehouse_lock_path": _warehouse_lock_path}[name]
