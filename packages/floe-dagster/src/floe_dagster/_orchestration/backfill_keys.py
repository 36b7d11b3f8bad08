"""Which partition keys a named backfill names, and the runs they make (FR-043, FR-044).

A backfill names a ``partition_range`` (of time windows) or a list of ``partitions`` (static,
dynamic or multi keys). Each run covers a contiguous range of keys (Dagster's partition range
tags); in a multi partition, a range of time windows for one key of the other dimension.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dagster import (
    DynamicPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    PartitionKeyRange,
    PartitionsDefinition,
    TimeWindowPartitionsDefinition,
)

from floe_config import Backfill, ConfigIssue, FloeError, IssueCode, KeyPath
from floe_dagster._orchestration.partitions import time_window_of
from floe_dagster._warnings import dagster_internal_warnings_silenced


class BackfillProblem(FloeError, ValueError):
    """Why a backfill's keys cannot be run: one issue, at ``where`` below the backfill's key."""

    def __init__(self, where: KeyPath, code: IssueCode, message: str, hint: str) -> None:
        self.where = where
        super().__init__([ConfigIssue(code=code, path="", message=message, file=None, hint=hint)])


def _time_keys(window: TimeWindowPartitionsDefinition, spec: Backfill, label: str) -> list[str]:
    """The time keys of a backfill's ``partition_range`` (or ``partitions``) in ``window``."""
    every = list(window.get_partition_keys())
    first, last = (every[0], every[-1]) if every else ("none", "none")
    bounds = f"{first} .. {last}" if every else "no complete window yet"
    if window.end is None:  # the last key moves on with the clock
        bounds += ", as of now"

    def check(where: tuple[str | int, ...], key: str) -> None:
        if window.has_partition_key(key):
            return
        try:
            window.start_time_for_partition_key(key)
        except ValueError:
            raise BackfillProblem(
                where,
                IssueCode.INVALID_PARTITION_DATE,
                f"'{key}' is not a key of partition {label} (format '{window.fmt}')",
                f"write it like '{first}'",
            ) from None
        side = "before the first" if every and key < first else "after the last"
        raise BackfillProblem(
            where,
            IssueCode.BACKFILL_OUT_OF_RANGE,
            f"'{key}' is {side} partition of {label} ({bounds})",
            "move the range inside the partition definition (windows that have not ended yet "
            "cannot be backfilled)",
        )

    if spec.partition_range is not None:
        start, end = spec.partition_range.start, spec.partition_range.end
        check(("partition_range", "start"), start)
        check(("partition_range", "end"), end)
        if every.index(start) > every.index(end):
            raise BackfillProblem(
                ("partition_range", "end"),
                IssueCode.START_AFTER_END,
                f"end '{end}' is before start '{start}'",
                "swap start and end",
            )
        with dagster_internal_warnings_silenced():
            return list(window.get_partition_keys_in_range(PartitionKeyRange(start, end)))
    keys = list(spec.partitions or [])
    for index, key in enumerate(keys):
        check(("partitions", index), key)
    return sorted(dict.fromkeys(keys), key=every.index)


def _listed_keys(
    definition: PartitionsDefinition, spec: Backfill, label: str, instance: Any
) -> list[str]:
    """The keys of a backfill over partitions without time (static, dynamic, multi)."""
    if spec.partition_range is not None:
        raise BackfillProblem(
            ("partition_range",),
            IssueCode.BACKFILL_KIND_MISMATCH,
            f"partition {label} has no time dimension; a range does not apply to it",
            "list the keys instead: partitions: [...]",
        )
    if isinstance(definition, DynamicPartitionsDefinition) and instance is None:
        return list(dict.fromkeys(spec.partitions or []))  # checked when submitted
    every = list(definition.get_partition_keys(dynamic_partitions_store=instance))
    keys = list(dict.fromkeys(spec.partitions or []))
    for index, key in enumerate(keys):
        if key not in every:
            shown = ", ".join(every[:8]) + (" ..." if len(every) > 8 else "")
            raise BackfillProblem(
                ("partitions", index),
                IssueCode.UNKNOWN_PARTITION_KEY,
                f"'{key}' is not a key of partition {label} ({shown or 'no keys yet'})",
                "use one of its keys" if every else "add the key to the dynamic partition first",
            )
    return sorted(keys, key=every.index)


def _multi_keys(
    definition: MultiPartitionsDefinition, spec: Backfill, label: str, instance: Any
) -> list[str]:
    """A range over a multi partition's time dimension covers every key of the other one;
    a list holds full keys as Dagster writes them (``2024-01-01|us``)."""
    window = time_window_of(definition)
    if window is None or spec.partition_range is None:
        return _listed_keys(definition, spec, label, instance)
    times = _time_keys(window, spec, label)
    time_name = next(d.name for d in definition.partitions_defs if d.partitions_def is window)
    other = next(d for d in definition.partitions_defs if d.partitions_def is not window)
    others = other.partitions_def.get_partition_keys(dynamic_partitions_store=instance)
    return [str(MultiPartitionKey({time_name: t, other.name: o})) for o in others for t in times]


def backfill_keys(
    definition: PartitionsDefinition, spec: Backfill, label: str, instance: Any = None
) -> list[str]:
    """Every partition key ``spec`` names in ``definition``, in partition order, or the
    ``BackfillProblem`` that says why it cannot (FR-043, FR-044)."""
    if isinstance(definition, TimeWindowPartitionsDefinition):
        return _time_keys(definition, spec, label)
    if isinstance(definition, MultiPartitionsDefinition):
        return _multi_keys(definition, spec, label, instance)
    return _listed_keys(definition, spec, label, instance)


def batches_of(
    definition: PartitionsDefinition, keys: Sequence[str], size: int | None, instance: Any = None
) -> list[tuple[str, ...]]:
    """``keys`` in runs of at most ``size`` (None: all in one), each a contiguous range of the
    definition (in a multi partition: of time windows, for one key of the other dimension)."""
    window = time_window_of(definition)
    if isinstance(definition, MultiPartitionsDefinition) and window is not None:
        time_name = next(d.name for d in definition.partitions_defs if d.partitions_def is window)
        position = {k: i for i, k in enumerate(window.get_partition_keys())}
        lanes: dict[str, list[str]] = {}
        time_of: dict[str, str] = {}
        for key in keys:
            parsed = definition.get_partition_key_from_str(key).keys_by_dimension
            lanes.setdefault(next(v for n, v in parsed.items() if n != time_name), []).append(key)
            time_of[key] = parsed[time_name]
        runs = [
            run
            for lane in lanes.values()
            for run in _contiguous(lane, lambda k: position[time_of[k]], size)
        ]
        return sorted(runs, key=lambda run: position[time_of[run[0]]])  # time first
    if isinstance(definition, DynamicPartitionsDefinition) and instance is None:
        return _chunks(keys, size)  # the instance holds the order; as listed until submitted
    every = definition.get_partition_keys(dynamic_partitions_store=instance)
    index = {k: i for i, k in enumerate(every)}
    return _contiguous(keys, index.__getitem__, size)


def _contiguous(
    keys: Sequence[str], position: Callable[[str], int], size: int | None
) -> list[tuple[str, ...]]:
    """``keys`` cut where two are not neighbours in the definition, then into ``size``."""
    runs: list[tuple[str, ...]] = []
    stretch: list[str] = []
    for key in keys:
        if stretch and position(key) != position(stretch[-1]) + 1:
            runs += _chunks(stretch, size)
            stretch = []
        stretch.append(key)
    return runs + _chunks(stretch, size)


def _chunks(keys: Sequence[str], size: int | None) -> list[tuple[str, ...]]:
    if not keys:
        return []
    step = size or len(keys)
    return [tuple(keys[i : i + step]) for i in range(0, len(keys), step)]
