"""Jobs (FR-018..023): batch jobs over asset selections (here), ops jobs around a function
(``ops_jobs``), and what each batch job materializes.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dagster import AssetKey, HookDefinition, PartitionsDefinition, define_asset_job

from floe_config import BatchJob, FloeConfig, IssueCode, OpsJob, render_path
from floe_dagster._errors import Problems
from floe_dagster._orchestration.ops_jobs import build_ops_job
from floe_dagster._orchestration.partition_guard import GUARDED_EXECUTOR
from floe_dagster._orchestration.partitions import describe
from floe_dagster._orchestration.selection import (
    Selected,
    SelectionError,
    UnmatchedSelection,
    select,
)
from floe_dagster._python.functions import (
    TargetError,
    check_args,
    import_target,
    signature_of,
)
from floe_dagster._warnings import dagster_internal_warnings_silenced

if TYPE_CHECKING:
    from floe_dagster._dagster_internals import UnresolvedAssetJobDefinition


def build_batch_job(
    name: str, spec: BatchJob, *, graph: Any, require_match: bool = True
) -> UnresolvedAssetJobDefinition:
    """A job materializing the union of ``spec.selection`` over ``graph`` (the asset graph).

    Raises ``SelectionError`` for an item that does not parse, and ``UnmatchedSelection``
    listing every item that matches no asset on its own (``require_match=False`` skips that
    check: when some assets failed to load, "matches nothing" would only echo that failure).
    """
    return asset_job(name, spec, select(spec.selection, graph, require_match=require_match))


def asset_job(name: str, spec: BatchJob, selected: Selected) -> UnresolvedAssetJobDefinition:
    with dagster_internal_warnings_silenced():
        return define_asset_job(
            name=name,
            selection=selected.selection,
            description=spec.description,
            tags=dict(spec.tags),
            executor_def=GUARDED_EXECUTOR,
        )


@dataclass(frozen=True)
class JobAssets:
    """The assets a batch job materializes, and their one partitions definition (or None)."""

    keys: frozenset[AssetKey]
    partitions_def: PartitionsDefinition | None

    @property
    def partitioned(self) -> bool:
        return self.partitions_def is not None


class MixedJobPartitions(ValueError):
    """A batch job whose assets have more than one partitions definition."""


def job_assets(spec: BatchJob, *, graph: Any) -> JobAssets:
    """What ``spec.selection`` materializes in ``graph``. Dagster runs one partition (or range)
    of one partitions definition per run, so a job over several is ``MixedJobPartitions``."""
    return materialized(select(spec.selection, graph, require_match=False), graph)


def materialized(selected: Selected, graph: Any) -> JobAssets:
    keys = frozenset(k for k in selected.keys if graph.get(k).is_materializable)
    found: list[tuple[PartitionsDefinition, list[str]]] = []
    for key in sorted(keys, key=lambda k: k.to_user_string()):
        definition = graph.get(key).partitions_def
        if definition is None:
            continue
        same = next((names for d, names in found if d == definition), None)
        if same is None:
            found.append((definition, same := []))
        same.append(key.to_user_string())
    if len(found) > 1:
        parts = "; ".join(
            f"{describe(d)}: {', '.join(names[:4])}{' ...' if len(names) > 4 else ''}"
            for d, names in found
        )
        raise MixedJobPartitions(parts)
    return JobAssets(keys, found[0][0] if found else None)


class BuiltJobs(dict[str, Any]):
    """Job name -> job definition, as ``build_jobs`` returns it; ``assets`` holds what each
    batch job materializes (resolved once, for schedules and backfills)."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: dict[str, JobAssets] = {}


def build_jobs(
    config: FloeConfig,
    *,
    graph: Any,
    problems: Problems | None = None,
    hooks: AbstractSet[HookDefinition] = frozenset(),
) -> BuiltJobs:
    """Every job of ``orchestration.jobs``, over ``graph`` (the asset graph of the assets): an
    ops job's ``JobDefinition``, or the asset job ``define_asset_job`` makes for a batch job.
    Problems are collected in ``problems``, or raised when it is not given."""
    own = problems is None
    problems = Problems() if problems is None else problems
    complete = problems.complete  # with assets missing, "matches nothing" is only an echo
    jobs = BuiltJobs()
    for name, spec in config.orchestration.jobs.items():
        path: tuple[str | int, ...] = ("orchestration", "jobs", name)
        if isinstance(spec, BatchJob):
            try:
                selected = select(spec.selection, graph, require_match=complete)
                jobs.assets[name] = materialized(selected, graph)
                jobs[name] = asset_job(name, spec, selected)
            except MixedJobPartitions as error:
                problems.append(
                    config.source.issue(
                        (*path, "selection"),
                        IssueCode.JOB_MIXED_PARTITIONS,
                        f"job '{name}' selects assets with different partitions ({error}); a run "
                        "covers one partition of one definition",
                        "split it into one job per partitions definition, or give the assets the "
                        "same partitions",
                    )
                )
            except SelectionError as error:
                problems.append(
                    config.source.issue(
                        (*path, "selection", error.index),
                        IssueCode.INVALID_SELECTION,
                        str(error),
                        error.hint,
                    )
                )
            except UnmatchedSelection as error:
                for item in error.items:
                    problems.append(
                        config.source.issue(
                            (*path, "selection", item.index),
                            IssueCode.SELECTION_MATCHES_NOTHING,
                            f"'{item.item}' matches no asset; every item must match at least one "
                            "(an empty selection never means all assets)",
                            item.hint,
                        )
                    )
            continue
        function = target_function(config, (*path, "target_function"), spec, problems)
        if function is not None:
            sources = {
                arg: source
                for arg, value in spec.args.items()
                if (source := config.late_bound(value, render_path((*path, "args", arg))))
            }
            jobs[name] = build_ops_job(name, spec, function=function, hooks=hooks, sources=sources)
    if own:
        problems.raise_if_any()
    return jobs


def target_function(
    config: FloeConfig,
    path: tuple[str | int, ...],
    spec: OpsJob | Any,
    problems: Problems,
) -> Callable[..., Any] | None:
    """Import ``spec.target_function`` and check ``spec.args`` against it; None on problems."""
    try:
        function = import_target(config, spec.target_function)
    except TargetError as error:
        problems.append(config.source.issue(path, error.code, error.message, error.hint))
        return None
    mismatches = check_args(spec.target_function, signature_of(function), spec.args)
    args_path = (*path[:-1], "args")
    for mismatch in mismatches:
        where = (*args_path, mismatch.arg) if mismatch.arg else args_path
        problems.append(config.source.issue(where, mismatch.code, mismatch.message, mismatch.hint))
    return None if mismatches else function
