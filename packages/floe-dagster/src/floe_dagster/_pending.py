"""What floe.yaml may declare that this floe validates but does not build into Dagster yet.

Nothing is dropped silently: building definitions logs these, and ``floe validate`` lists them
apart from what it counts as built.
"""

from __future__ import annotations

from floe_config import FloeConfig


def not_yet_built(config: FloeConfig) -> list[str]:
    """The validated-only sections ``config`` uses, e.g. ``["partitions (2)", "sensors (1)"]``."""
    orchestration = config.orchestration
    pending = []
    if orchestration.partitions:
        pending.append(f"partitions ({len(orchestration.partitions)})")
    patterns = orchestration.assets.values()
    if any(p.partitions for p in patterns):
        pending.append("assets.*.partitions")
    if any(p.automation_condition for p in patterns):
        pending.append("assets.*.automation_condition")
    if any(p.backfill_policy for p in patterns):
        pending.append("assets.*.backfill_policy")
    if any("partition_selector" in s.model_fields_set for s in orchestration.schedules.values()):
        pending.append("schedules.*.partition_selector")
    if orchestration.sensors:
        pending.append(f"sensors ({len(orchestration.sensors)})")
    if orchestration.backfills:
        pending.append(f"backfills ({len(orchestration.backfills)})")
    return pending
