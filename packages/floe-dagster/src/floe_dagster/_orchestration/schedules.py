"""Schedules (FR-024..029, FR-040): cron, timezone, ``enabled`` -> RUNNING / STOPPED, always;
over a partitioned job, the partitions each tick runs (``partition_selector``).

- ``latest`` runs the newest *complete* time window as of the tick (in the partitions' own
  timezone; the schedule's timezone only sets when it ticks). Each window runs once: the
  partition key is the run key, so an hourly schedule over daily partitions runs each day once.
- ``all`` runs every key of a static (or dynamic) partition, on every tick.
- A time dimension takes only ``latest`` (every window on every tick is a backfill, not a
  schedule); partitions without time take only ``all``. In a multi partition the other
  dimension always runs every key. Left out, the selector is the one that fits.

An asset with an automation condition is the automation's, not the schedule's (FR-040): a
schedule whose job selects such assets runs the rest, and loading says which it left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from dagster import (
    AssetKey,
    AssetSelection,
    DefaultScheduleStatus,
    DynamicPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    PartitionsDefinition,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    TimeWindowPartitionsDefinition,
    partition_loading_context,
)

from floe_config import FloeConfig, IssueCode, Schedule
from floe_dagster._errors import Problems, warn
from floe_dagster._orchestration.jobs import BuiltJobs, JobAssets
from floe_dagster._orchestration.partitions import has_dynamic, time_window_of
from floe_dagster._warnings import dagster_internal_warnings_silenced


def default_status(schedule: Schedule) -> DefaultScheduleStatus:
    return DefaultScheduleStatus.RUNNING if schedule.enabled else DefaultScheduleStatus.STOPPED


def newest_complete_window(window: TimeWindowPartitionsDefinition, at: datetime) -> str | None:
    """The key of the newest window of ``window`` that has ended by ``at``."""
    with partition_loading_context(effective_dt=at):
        return window.get_last_partition_key()


def _every_key(definition: PartitionsDefinition, instance: Any) -> list[str]:
    if isinstance(definition, DynamicPartitionsDefinition):
        return list(definition.get_partition_keys(dynamic_partitions_store=instance))
    return list(definition.get_partition_keys())


def selected_keys(
    definition: PartitionsDefinition, at: datetime, instance: Any = None
) -> list[str]:
    """The partition keys a tick at ``at`` runs (see the module's rules)."""
    if isinstance(definition, TimeWindowPartitionsDefinition):
        newest = newest_complete_window(definition, at)
        return [newest] if newest else []
    if isinstance(definition, MultiPartitionsDefinition):
        window = time_window_of(definition)
        if window is None:
            return [str(k) for k in _every_key(definition, instance)]
        newest = newest_complete_window(window, at)
        if newest is None:
            return []
        time_name = next(d.name for d in definition.partitions_defs if d.partitions_def is window)
        other = next(d for d in definition.partitions_defs if d.partitions_def is not window)
        return [
            str(MultiPartitionKey({time_name: newest, other.name: key}))
            for key in _every_key(other.partitions_def, instance)
        ]
    return _every_key(definition, instance)


def partition_requests(
    definition: PartitionsDefinition,
) -> Callable[[ScheduleEvaluationContext], Iterator[RunRequest | SkipReason]]:
    """A schedule's evaluation over ``definition``: a run per selected partition key."""
    timed = time_window_of(definition) is not None
    dynamic = has_dynamic(definition)

    def evaluate(context: ScheduleEvaluationContext) -> Iterator[RunRequest | SkipReason]:
        at = context.scheduled_execution_time
        keys = selected_keys(definition, at, context.instance if dynamic else None)
        if not keys:
            yield SkipReason(f"no complete partition as of {at.isoformat()}")
        for key in keys:  # a window runs once; keys without time run on every tick
            run_key = key if timed else f"{at.isoformat()}|{key}"
            yield RunRequest(run_key=run_key, partition_key=key)

    return evaluate


def build_schedule(
    name: str,
    schedule: Schedule,
    *,
    job: Any,
    assets: JobAssets | None = None,
    target: AssetSelection | None = None,
    tags: Mapping[str, str] | None = None,
) -> ScheduleDefinition:
    """One schedule: cron and timezone as configured; ``enabled`` sets the default status.
    Over partitioned ``assets`` each tick requests the selected partitions; ``target`` (an asset
    selection) replaces the job when automation took some of its assets."""
    definition = assets.partitions_def if assets is not None else None
    runs: dict[str, Any] = {"target": target} if target is not None else {"job": job}
    with dagster_internal_warnings_silenced():
        return ScheduleDefinition(
            name=name,
            execution_fn=partition_requests(definition) if definition is not None else None,
            cron_schedule=schedule.cron_schedule,
            execution_timezone=schedule.timezone,
            default_status=default_status(schedule),
            description=schedule.description,
            tags={**schedule.tags, **(tags or {})},
            **runs,
        )


def selector_problem(schedule: Schedule, assets: JobAssets | None) -> tuple[str, str] | None:
    """``(message, fix)`` when ``partition_selector`` does not fit the job's partitions."""
    chosen = "partition_selector" in schedule.model_fields_set
    definition = assets.partitions_def if assets else None
    if definition is None:
        if not chosen:
            return None
        return (
            f"job '{schedule.job}' is not partitioned; partition_selector applies to jobs over "
            "partitioned assets",
            "remove partition_selector, or give the job's assets partitions",
        )
    timed = time_window_of(definition) is not None
    if timed and schedule.partition_selector == "all":
        return (
            f"job '{schedule.job}' has time partitions; 'all' would run every window on every tick",
            "use partition_selector: latest (the newest complete window), and a backfill for "
            "history",
        )
    if not timed and chosen and schedule.partition_selector == "latest":
        return (
            f"job '{schedule.job}' has partitions without time, so there is no latest one",
            "use partition_selector: all (every key on every tick)",
        )
    return None


def automated_keys(keys: frozenset[AssetKey], graph: Any) -> list[AssetKey]:
    """The keys among ``keys`` that have an automation condition."""
    found = [k for k in keys if graph.get(k).automation_condition is not None]
    return sorted(found, key=lambda k: k.to_user_string())


def build_schedules(
    config: FloeConfig,
    *,
    jobs: Mapping[str, Any],
    problems: Problems | None = None,
    graph: Any = None,
) -> list[ScheduleDefinition]:
    """Every schedule of ``orchestration.schedules``, on the jobs built from the same config
    (``build_jobs``' result knows each batch job's assets; ``graph``, the asset graph, says
    which of them automation conditions own)."""
    own = problems is None
    problems = Problems() if problems is None else problems
    job_assets: Mapping[str, JobAssets] = jobs.assets if isinstance(jobs, BuiltJobs) else {}
    schedules = []
    for name, schedule in config.orchestration.schedules.items():
        here = ("orchestration", "schedules", name)
        job = jobs.get(schedule.job)
        if job is None:  # floe-config checked the reference: the job failed, and said why
            continue
        assets = job_assets.get(schedule.job)
        wrong = selector_problem(schedule, assets)
        if wrong is not None:
            code = (
                IssueCode.SELECTOR_MISMATCH
                if assets and assets.partitioned
                else (IssueCode.SELECTOR_WITHOUT_PARTITIONS)
            )
            problems.append(config.source.issue((*here, "partition_selector"), code, *wrong))
            continue
        taken = automated_keys(assets.keys, graph) if assets and graph is not None else []
        if not taken or assets is None:
            schedules.append(build_schedule(name, schedule, job=job, assets=assets))
            continue
        names = ", ".join(k.to_user_string() for k in taken)
        if len(taken) == len(assets.keys):
            problems.append(
                config.source.issue(
                    (*here, "job"),
                    IssueCode.SCHEDULE_ALL_AUTOMATED,
                    f"every asset of job '{schedule.job}' has an automation condition ({names}); "
                    "automation takes precedence over schedules, so this schedule would "
                    "run nothing",
                    "remove the schedule, or the automation_condition patterns that match its "
                    "assets",
                )
            )
            continue
        warn(
            config.source.issue(
                (*here, "job"),
                IssueCode.SCHEDULE_LEAVES_OUT_AUTOMATED,
                f"schedule '{name}' leaves out {len(taken)} asset(s) of job '{schedule.job}' that "
                f"have automation conditions, which take precedence over schedules: {names}",
                "nothing to do if that is what you want; to schedule them, remove their "
                "automation_condition",
            )
        )
        kept = sorted(assets.keys - set(taken), key=lambda k: k.to_user_string())
        job_tags = getattr(config.orchestration.jobs[schedule.job], "tags", {})
        target = AssetSelection.assets(*kept)
        schedules.append(
            build_schedule(
                name, schedule, job=job, assets=assets, target=target, tags=dict(job_tags)
            )
        )
    if own:
        problems.raise_if_any()
    return schedules
