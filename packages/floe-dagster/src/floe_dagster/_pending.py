"""What floe.yaml may declare that this floe validates but does not build into Dagster yet.

Nothing is dropped silently: building definitions logs these, and ``floe validate`` lists them
apart from what it counts as built.
"""

from __future__ import annotations

from floe_config import FloeConfig


def not_yet_built(config: FloeConfig) -> list[str]:
    """The validated-only sections ``config`` uses, e.g. ``["sensors (1)"]``."""
    orchestration = config.orchestration
    pending = []
    if orchestration.sensors:
        pending.append(f"sensors ({len(orchestration.sensors)})")
    return pending
