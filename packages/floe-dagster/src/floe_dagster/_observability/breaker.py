"""A dead or slow backend costs one bounded wait, then is skipped for a while, across processes.

Each Dagster step may run in its own process, so the "backend is down" verdict is a file under
the state directory that expires after ``RETRY_AFTER_SECONDS``.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

RETRY_AFTER_SECONDS = 60.0
log = logging.getLogger("floe.observability")


class Breaker:
    """Trips on an error, or once this process has spent ``budget`` seconds waiting on the
    target; a healthy but briefly slow backend keeps receiving everything."""

    def __init__(self, state_dir: Path, target: str, *, budget: float = 4.0) -> None:
        digest = hashlib.sha256(target.encode()).hexdigest()[:16]
        self.target = target
        self.path = state_dir / "observability" / f"unreachable-{digest}"
        self.budget = budget
        self.spent = 0.0

    def charge(self, seconds: float) -> None:
        """Account for time spent waiting on the target; trip past the budget."""
        self.spent += seconds
        if self.spent > self.budget:
            self.trip(f"waited {self.spent:.1f}s in total")

    @property
    def open(self) -> bool:
        try:
            return time.time() - self.path.stat().st_mtime < RETRY_AFTER_SECONDS
        except OSError:
            return False

    def trip(self, reason: str) -> None:
        if not self.open:
            log.warning(
                "floe: %s is unreachable (%s); skipping it for %ds. Runs are not affected.",
                self.target,
                reason,
                RETRY_AFTER_SECONDS,
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(reason)
        except OSError:
            pass
