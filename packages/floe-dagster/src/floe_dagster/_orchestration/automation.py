"""Automation conditions (FR-036..040) from floe.yaml, and the sensor that evaluates them.

- ``eager``: Dagster's ``AutomationCondition.eager()`` (materialize after upstream updates).
- ``on_cron``: Dagster's ``AutomationCondition.on_cron(cron, timezone)``; without its own cron,
  the cron and timezone of the asset's time partitions.
- ``on_missing``, floe's definition: every missing partition (or the missing asset) whose
  upstream is there is requested, once: not in progress, and not after a failed attempt.
  Dagster's own ``on_missing()`` waits for *newly* missing partitions and looks at the latest
  time window only, so it never fills what was missing when the sensor started.

floe ships one automation sensor, RUNNING, over exactly the assets that have a condition:
Dagster's implicit one starts STOPPED, and a condition that never runs is a silent no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dagster import (
    AssetKey,
    AssetSelection,
    AutomationCondition,
    AutomationConditionSensorDefinition,
    DefaultSensorStatus,
    PartitionsDefinition,
)

from floe_config import EagerCondition, OnCronCondition, OnMissingCondition
from floe_dagster._orchestration.partitions import time_window_of

AUTOMATION_SENSOR = "floe_automation_sensor"
AUTOMATION_INTERVAL_SECONDS = 15


def on_missing() -> AutomationCondition[Any]:
    """floe's ``on_missing``: fill every missing partition once its upstream is there."""
    condition = (
        AutomationCondition.missing()
        & ~AutomationCondition.any_deps_missing()
        & ~AutomationCondition.in_progress()
        & ~AutomationCondition.execution_failed()
    )
    return condition.with_label("on_missing (floe: every missing partition, once)")


def automation_condition(
    spec: EagerCondition | OnCronCondition | OnMissingCondition,
    partitions_def: PartitionsDefinition | None,
) -> AutomationCondition[Any]:
    """The Dagster condition of one floe.yaml ``automation_condition``."""
    if isinstance(spec, EagerCondition):
        return AutomationCondition.eager()
    if isinstance(spec, OnMissingCondition):
        return on_missing()
    cron, timezone = spec.cron_schedule, spec.timezone
    if cron is None:
        window = time_window_of(partitions_def)
        if window is None:  # floe-config refused this; a pattern elsewhere changed partitions
            raise ValueError("on_cron without a cron_schedule needs time partitions")
        cron, timezone = window.cron_schedule, timezone or window.timezone
    return AutomationCondition.on_cron(cron, timezone or "UTC")


def automation_sensor(keys: Sequence[AssetKey]) -> AutomationConditionSensorDefinition:
    """The automation sensor over ``keys``, RUNNING from the start."""
    return AutomationConditionSensorDefinition(
        AUTOMATION_SENSOR,
        target=AssetSelection.assets(*keys),
        default_status=DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=AUTOMATION_INTERVAL_SECONDS,
        description="Evaluates the automation conditions of floe.yaml's assets patterns",
    )
