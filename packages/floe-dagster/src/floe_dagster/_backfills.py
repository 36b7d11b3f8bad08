"""Named backfills (FR-041..044): which partitions, in which runs, checked against the real
partitions definitions before anything runs.

A backfill's ``batch_size`` is how many partitions one run covers. Dagster's daemon splits a
backfill into runs by the assets' backfill policies, so floe makes ``batch_size`` the policy of
the partitioned assets the backfill's job materializes (``BackfillPolicy.multi_run(batch_size)``,
for a dbt multi-asset: all of its models). The UI's backfills of those assets then batch the
same way. A pattern that gives those assets another policy, or two backfills that disagree, is
an error. Without ``batch_size`` a backfill runs as the assets' policies say (one partition a
run without a policy, dagster-dbt's ``single_run`` for time-partitioned dbt models).

Each run covers a contiguous range of keys (Dagster's partition range tags); in a multi
partition, a range of time windows for one key of the other dimension.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dagster import (
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    DynamicPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    PartitionKeyRange,
    PartitionsDefinition,
    TimeWindowPartitionsDefinition,
)

from floe_config import Backfill, FloeConfig, IssueCode
from floe_config import BackfillPolicy as PolicySpec
from floe_dagster._asset_settings import AssetSettings
from floe_dagster._jobs import JobAssets
from floe_dagster._partitions import describe, time_window_of
from floe_dagster._problems import Problems
from floe_dagster._warnings import dagster_internal_warnings_silenced


@dataclass(frozen=True)
class BackfillPlan:
    """One named backfill, resolved: its partition keys in order and the runs they make."""

    name: str
    spec: Backfill
    assets: frozenset[AssetKey]
    partitions_def: PartitionsDefinition
    keys: tuple[str, ...]
    batches: tuple[tuple[str, ...], ...]

    @property
    def runs(self) -> int:
        return len(self.batches)

    @property
    def largest_batch(self) -> int:
        return max((len(b) for b in self.batches), default=0)


class BackfillProblem(ValueError):
    def __init__(self, where: tuple[str | int, ...], code: IssueCode, message: str, hint: str):
        super().__init__(message)
        self.where, self.code, self.message, self.hint = where, code, message, hint


def _definition_name(settings: AssetSettings | None, definition: PartitionsDefinition) -> str:
    for name, candidate in (settings.partitions if settings else {}).items():
        if candidate is definition or candidate == definition:
            return f"'{name}'"
    return describe(definition)


def _time_keys(window: TimeWindowPartitionsDefinition, spec: Backfill, label: str) -> list[str]:
    """The time keys of a backfill's ``partition_range`` (or ``partitions``) in ``window``."""
    every = list(window.get_partition_keys())
    first, last = (every[0], every[-1]) if every else ("none", "none")
    bounds = f"{first} .. {last}" if every else "no complete window yet"

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
            f"'{key}' is {side} partition of {label} ({bounds}, as of now)",
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


def _policy_size(policy: BackfillPolicy | None) -> int | None:
    """Partitions per run under ``policy`` (None: any number)."""
    if policy is None:
        return 1
    return policy.max_partitions_per_run


def with_batch_policies(
    config: FloeConfig,
    assets: Sequence[Any],
    *,
    job_assets: Mapping[str, JobAssets],
    settings: AssetSettings | None,
    problems: Problems,
) -> list[Any]:
    """``assets`` with each explicit ``batch_size`` as the backfill policy of the partitioned
    assets its backfill's job materializes (see the module)."""
    wanted: dict[int, tuple[str, int]] = {}  # id(assets definition) -> (backfill, size)
    by_key = {
        k: item
        for item in assets
        if isinstance(item, AssetsDefinition) and item.is_executable
        for k in item.keys
    }
    for name, spec in config.orchestration.backfills.items():
        job = job_assets.get(spec.job)
        if spec.batch_size is None or job is None or job.partitions_def is None:
            continue
        here = ("orchestration", "backfills", name, "batch_size")
        for key in sorted(job.keys, key=lambda k: k.to_user_string()):
            item = by_key.get(key)
            if item is None or item.partitions_def is None:
                continue
            pattern_policy = settings.policy_spec(key) if settings else None
            fits = pattern_policy is None or (
                pattern_policy.type == "multi_run"
                and (pattern_policy.max_partitions_per_run or 1) == spec.batch_size
            )
            if not fits:
                problems.add(
                    config,
                    here,
                    IssueCode.BACKFILL_BATCH_CONFLICT,
                    f"backfill '{name}' runs {spec.batch_size} partition(s) a run, but an "
                    f"assets pattern gives '{key.to_user_string()}' the backfill policy "
                    f"{_spec_text(pattern_policy)}; Dagster's daemon batches by the assets' "
                    "policy",
                    f"set max_partitions_per_run: {spec.batch_size} on that pattern, or remove "
                    "batch_size here",
                )
                break
            claimed = wanted.setdefault(id(item), (name, spec.batch_size))
            if claimed[1] != spec.batch_size:
                problems.add(
                    config,
                    here,
                    IssueCode.BACKFILL_BATCH_CONFLICT,
                    f"backfills '{claimed[0]}' ({claimed[1]} a run) and '{name}' "
                    f"({spec.batch_size} a run) both cover '{key.to_user_string()}'; its "
                    "backfill policy can be only one",
                    "give them the same batch_size",
                )
                break
    if not wanted:
        return list(assets)
    with dagster_internal_warnings_silenced():
        return [
            item.with_attributes(backfill_policy=BackfillPolicy.multi_run(wanted[id(item)][1]))
            if id(item) in wanted
            else item
            for item in assets
        ]


def _spec_text(spec: PolicySpec | None) -> str:
    if spec is None or spec.type == "single_run":
        return "single_run"
    return f"multi_run({spec.max_partitions_per_run or 1})"


def plan_backfills(
    config: FloeConfig,
    *,
    job_assets: Mapping[str, JobAssets],
    graph: Any,
    settings: AssetSettings | None = None,
    problems: Problems,
    instance: Any = None,
) -> dict[str, BackfillPlan]:
    """Every named backfill as a plan, checked against the jobs' real partitions (FR-043).
    ``graph`` gives each asset's backfill policy (for a backfill without ``batch_size``);
    ``instance`` lets dynamic keys be checked (else they are checked when submitted)."""
    plans: dict[str, BackfillPlan] = {}
    for name, spec in config.orchestration.backfills.items():
        here = ("orchestration", "backfills", name)
        job = job_assets.get(spec.job)
        if job is None:  # an ops job (floe-config said so) or a job that failed to build
            continue
        definition = job.partitions_def
        if definition is None:
            problems.add(
                config,
                (*here, "job"),
                IssueCode.BACKFILL_WITHOUT_PARTITIONS,
                f"job '{spec.job}' materializes no partitioned asset, so there is nothing to "
                "backfill",
                "give its assets partitions (orchestration.assets patterns), or backfill "
                "another job",
            )
            continue
        label = _definition_name(settings, definition)
        try:
            keys = backfill_keys(definition, spec, label, instance)
        except BackfillProblem as problem:
            problems.add(
                config, (*here, *problem.where), problem.code, problem.message, problem.hint
            )
            continue
        size = spec.batch_size
        if size is None:
            sizes = [
                _policy_size(graph.get(k).backfill_policy)
                for k in job.keys
                if graph.get(k).partitions_def is not None
            ]
            known = [s for s in sizes if s is not None]
            size = min(known) if known else None
        plans[name] = BackfillPlan(
            name=name,
            spec=spec,
            assets=job.keys,
            partitions_def=definition,
            keys=tuple(keys),
            batches=tuple(batches_of(definition, keys, size, instance)),
        )
    return plans


def policy_text(policy: BackfillPolicy | None) -> str:
    if policy is None:
        return "one partition a run"
    if policy.max_partitions_per_run is None:
        return "single_run"
    return f"multi_run({policy.max_partitions_per_run})"


def mixed_policies(job_assets: Mapping[str, JobAssets], assets: Sequence[Any]) -> dict[str, str]:
    """Job name -> a note, for each batch job whose partitioned assets have different backfill
    policies (Dagster then batches a backfill of the job by the smallest)."""
    policy_of = {
        k: item.backfill_policy
        for item in assets
        if isinstance(item, AssetsDefinition) and item.is_executable and item.partitions_def
        for k in item.keys
    }
    notes = {}
    for name, job in job_assets.items():
        groups: dict[str, list[str]] = {}
        for key in sorted(job.keys & policy_of.keys(), key=lambda k: k.to_user_string()):
            groups.setdefault(policy_text(policy_of[key]), []).append(key.to_user_string())
        if len(groups) > 1:
            sizes = [_policy_size(policy_of[k]) for k in job.keys & policy_of.keys()]
            smallest = min((s for s in sizes if s is not None), default=None)
            parts = "; ".join(
                f"{text}: {', '.join(keys[:3])}{' ...' if len(keys) > 3 else ''}"
                for text, keys in groups.items()
            )
            notes[name] = (
                f"job '{name}' materializes partitioned assets with different backfill policies "
                f"({parts}); a backfill of the job runs "
                f"{smallest or 'all'} partition(s) a run"
            )
    return notes
