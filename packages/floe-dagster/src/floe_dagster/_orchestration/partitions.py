"""Partitions (FR-011..014): floe.yaml's ``orchestration.partitions`` as Dagster definitions.

- ``time_window`` -> ``TimeWindowPartitionsDefinition`` (cron, timezone, fmt; ``end`` in
  floe.yaml is the last window's key, inclusive; Dagster's ``end`` is exclusive);
- ``static`` -> ``StaticPartitionsDefinition``; ``dynamic`` -> ``DynamicPartitionsDefinition``
  named after the floe.yaml key; ``multi`` -> ``MultiPartitionsDefinition`` of two dimensions.

Identical definitions are one object: Dagster compares partitions definitions when it builds
jobs and asset graphs, and distinct copies cost load time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from croniter import croniter
from dagster import (
    AllPartitionMapping,
    DynamicPartitionsDefinition,
    MultiPartitionsDefinition,
    PartitionMapping,
    PartitionsDefinition,
    StaticPartitionsDefinition,
    TimeWindowPartitionsDefinition,
)

from floe_config import (
    DynamicPartitions,
    FloeConfig,
    MultiPartitions,
    PartitionRef,
    StaticPartitions,
    TimeWindowPartitions,
)
from floe_dagster._warnings import dagster_internal_warnings_silenced

Partition = TimeWindowPartitions | StaticPartitions | MultiPartitions | DynamicPartitions


def exclusive_end(window: TimeWindowPartitions) -> str | None:
    """Dagster's ``end`` for floe's inclusive ``end``: the key of the window after it."""
    if window.end is None:
        return None
    fmt = window.effective_fmt
    zone = ZoneInfo(window.timezone)
    last = datetime.strptime(window.end, fmt).replace(tzinfo=zone)
    following: datetime = croniter(window.cron_schedule, last).get_next(datetime)
    return following.strftime(fmt)


class _Builder:
    def __init__(self, config: FloeConfig) -> None:
        self.named = config.orchestration.partitions
        self.by_value: dict[str, PartitionsDefinition] = {}

    def build(self, name: str | None, definition: Partition | PartitionRef) -> PartitionsDefinition:
        if isinstance(definition, PartitionRef):
            return self.build(definition.name, self.named[definition.name])
        identity = json.dumps(
            [name if definition.type == "dynamic" else None, definition.model_dump()],
            sort_keys=True,
            default=str,
        )
        if identity in self.by_value:
            return self.by_value[identity]
        made: PartitionsDefinition
        with dagster_internal_warnings_silenced():
            if isinstance(definition, TimeWindowPartitions):
                made = TimeWindowPartitionsDefinition(
                    start=definition.start,
                    end=exclusive_end(definition),
                    cron_schedule=definition.cron_schedule,
                    timezone=definition.timezone,
                    fmt=definition.effective_fmt,
                )
            elif isinstance(definition, StaticPartitions):
                made = StaticPartitionsDefinition(list(definition.partition_keys))
            elif isinstance(definition, DynamicPartitions):
                made = DynamicPartitionsDefinition(name=name)
            else:
                made = MultiPartitionsDefinition(
                    {dim: self.build(dim, d) for dim, d in definition.dimensions.items()}
                )
        self.by_value[identity] = made
        return made


def build_partitions(config: FloeConfig) -> dict[str, PartitionsDefinition]:
    """Every named partition of ``config`` as a Dagster definition, identical ones shared."""
    builder = _Builder(config)
    return {name: builder.build(name, d) for name, d in config.orchestration.partitions.items()}


def time_window_of(
    definition: PartitionsDefinition | None,
) -> TimeWindowPartitionsDefinition | None:
    """The time dimension of a partitions definition, if it has one."""
    if isinstance(definition, TimeWindowPartitionsDefinition):
        return definition
    if isinstance(definition, MultiPartitionsDefinition):
        for dimension in definition.partitions_defs:
            if isinstance(dimension.partitions_def, TimeWindowPartitionsDefinition):
                return dimension.partitions_def
    return None


def default_mapping(
    child: PartitionsDefinition | None, parent: PartitionsDefinition | None
) -> PartitionMapping | None:
    """How a child's partitions depend on a parent with other partitions, where Dagster's own
    default would be invalid: every partition of the child on all of the parent's.

    Dagster's default (None here) is right for the same definition (identity), two time
    windows (the overlapping windows) and a multi partition and one of its dimensions; for
    anything else it would pair keys by name (identity), which the definitions cannot satisfy.
    """
    if child is None or parent is None or child == parent:
        return None
    both_time = isinstance(child, TimeWindowPartitionsDefinition) and isinstance(
        parent, TimeWindowPartitionsDefinition
    )
    if both_time or _is_dimension_of(child, parent) or _is_dimension_of(parent, child):
        return None
    return AllPartitionMapping()


def _is_dimension_of(single: PartitionsDefinition, multi: PartitionsDefinition) -> bool:
    if not isinstance(multi, MultiPartitionsDefinition):
        return False
    return any(d.partitions_def == single for d in multi.partitions_defs)


def has_dynamic(definition: PartitionsDefinition) -> bool:
    """Whether ``definition`` (or a dimension of it) keeps its keys in the instance."""
    dimensions = [d.partitions_def for d in getattr(definition, "partitions_defs", [])]
    return any(isinstance(d, DynamicPartitionsDefinition) for d in [definition, *dimensions])


def describe(definition: PartitionsDefinition) -> str:
    """A partitions definition in a few words, for ``floe validate``."""
    if isinstance(definition, TimeWindowPartitionsDefinition):
        return f"time windows '{definition.cron_schedule}' {definition.timezone}"
    if isinstance(definition, StaticPartitionsDefinition):
        return "static keys"
    if isinstance(definition, DynamicPartitionsDefinition):
        return f"dynamic '{definition.name}'"
    if isinstance(definition, MultiPartitionsDefinition):
        names = " x ".join(d.name for d in definition.partitions_defs)
        return f"multi {names}"
    return type(definition).__name__


def names_by_definition(partitions: Mapping[str, PartitionsDefinition]) -> dict[int, str]:
    """id(definition) -> the first floe.yaml name that builds it (for naming multi-assets)."""
    found: dict[int, str] = {}
    for name, definition in partitions.items():
        found.setdefault(id(definition), name)
    return found
