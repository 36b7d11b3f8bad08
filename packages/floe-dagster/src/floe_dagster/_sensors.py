"""Sensors (FR-030..035): floe.yaml's event-driven triggers as Dagster sensors.

Every sensor honours ``poll_interval_seconds`` (Dagster's minimum interval) and ``enabled``
(RUNNING or STOPPED by default). What a triggered run receives:

- tags, always: ``floe/sensor`` and what triggered it (``floe/file_path``,
  ``floe/changed_assets``, ``floe/watched_run_id`` ...);
- run config, when the target is an ops job whose function takes a parameter of that name
  (``file_path``, ``file_mtime``; ``run_id``, ``job_name``, ``error``, ``status``;
  ``changed_assets``);
- a partition, when the target is a partitioned job: the partitions that changed (asset
  sensors over assets with the job's partitions), else what a schedule would run at that
  moment (the newest complete window, or every static key).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DagsterRunStatus,
    RunFailureSensorContext,
    RunRequest,
    RunStatusSensorContext,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    run_status_sensor,
)

from floe_config import (
    AssetSensor,
    CustomSensor,
    FileWatcherSensor,
    FloeConfig,
    IssueCode,
    RunStatusSensor,
    suggest,
)
from floe_dagster._file_watcher import file_watcher
from floe_dagster._functions import signature_of
from floe_dagster._jobs import BuiltJobs, target_function
from floe_dagster._problems import Problems
from floe_dagster._schedules import selected_keys
from floe_dagster._sensor_target import (
    Target,
    default_status,
    op_config_fields,
    polling_sensor,
    tick_result,
)
from floe_dagster._warnings import dagster_internal_warnings_silenced

MATERIALIZATIONS_PER_TICK = 1000


# --- asset sensor -------------------------------------------------------------------------------


def asset_sensor(
    name: str, spec: AssetSensor, target: Target, keys: Sequence[AssetKey]
) -> SensorDefinition:
    """Once when all (or any) watched assets have new materializations since the last run."""
    definition = target.partitions.partitions_def if target.partitions else None

    def evaluate(context: SensorEvaluationContext) -> SensorResult | SkipReason:
        cursor: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
        new: dict[str, tuple[int, set[str]]] = {}
        for key in keys:
            label = key.to_user_string()
            records = context.instance.fetch_materializations(  # oldest first, bounded
                AssetRecordsFilter(asset_key=key, after_storage_id=cursor.get(label)),
                limit=MATERIALIZATIONS_PER_TICK,
                ascending=True,
            ).records
            if records:
                seen = {
                    r.event_log_entry.asset_materialization.partition  # type: ignore[union-attr]
                    for r in records
                }
                new[label] = (max(r.storage_id for r in records), {p for p in seen if p})
        watched = [k.to_user_string() for k in keys]
        ready = bool(new) if spec.trigger == "any" else len(new) == len(watched)
        if not ready:
            waiting = [w for w in watched if w not in new]
            return SkipReason(f"waiting for a new materialization of {', '.join(waiting)}")
        changed = sorted(new)
        sets = [new[c][1] for c in changed]
        common = set.intersection(*sets) if spec.trigger == "all" else set.union(*sets)
        partitions = sorted(
            k for k in common if definition is not None and definition.has_partition_key(k)
        )
        run_key = ",".join(f"{c}@{new[c][0]}" for c in changed)
        requests = target.requests(
            run_key=run_key,
            tags={"floe/sensor": name, "floe/changed_assets": ",".join(changed)},
            values={"changed_assets": ",".join(changed)},
            instance=context.instance,
            partition_keys=partitions,
        )
        cursor.update({c: new[c][0] for c in changed})
        return tick_result(requests, cursor)

    return polling_sensor(
        name,
        spec,
        target,
        evaluate,
        f"Runs {target.name} when {spec.trigger} of {', '.join(spec.watched_assets)} materialized",
    )


# --- run status ---------------------------------------------------------------------------------


def failure_message(context: RunFailureSensorContext) -> str:
    """The failed run's real error: its failed steps' errors, else the run's own message."""
    messages = []
    for event in context.get_step_failure_events():
        data = event.step_failure_data
        error = data.error.cause if data.error and data.error.cause else data.error
        text = error.message.strip() if error else "failed"
        messages.append(f"{event.step_key}: {text}")
    if messages:
        return "\n".join(messages)
    return context.failure_event.message or "the run failed"


def run_status(
    name: str, spec: RunStatusSensor, target: Target, watched: Sequence[Any]
) -> SensorDefinition:
    """The configured job when a watched job's run reaches ``status``; it gets the run's id,
    job name and (for FAILURE) its error."""
    status = DagsterRunStatus[spec.status]

    def requests(context: RunStatusSensorContext, error: str) -> list[RunRequest]:
        run = context.dagster_run
        values = {"run_id": run.run_id, "job_name": run.job_name, "error": error}
        tags = {
            "floe/sensor": name,
            "floe/watched_run_id": run.run_id,
            "floe/watched_job": run.job_name,
            "floe/watched_status": spec.status,
        }
        return target.requests(
            run_key=run.run_id,
            tags=tags,
            values={**values, "status": spec.status},
            instance=context.instance,
        )

    options: dict[str, Any] = {
        "name": name,
        "minimum_interval_seconds": spec.poll_interval_seconds,
        "description": spec.description
        or f"Runs {target.name} when {', '.join(spec.watched_jobs)} reach {spec.status}",
        "monitored_jobs": list(watched),
        "request_job": target.job,
        "default_status": default_status(spec.enabled),
    }

    def on_failure(context: RunFailureSensorContext) -> Iterator[RunRequest]:
        yield from requests(context, failure_message(context))

    def on_status(context: RunStatusSensorContext) -> Iterator[RunRequest]:
        yield from requests(context, "")

    with dagster_internal_warnings_silenced():
        if status == DagsterRunStatus.FAILURE:
            sensor = run_failure_sensor(**options)(on_failure)
        else:
            sensor = run_status_sensor(run_status=status, **options)(on_status)
    return cast(SensorDefinition, sensor)


# --- custom -------------------------------------------------------------------------------------


class SensorFunctionError(RuntimeError):
    """A custom sensor's function raised or returned something a sensor cannot use."""


def custom(
    name: str, spec: CustomSensor, target: Target, function: Callable[..., Any]
) -> SensorDefinition:
    """``function([context,] **args)`` decides; its exception is the tick's failure message."""
    dotted = spec.target_function
    wants_context = signature_of(function).wants_context

    def evaluate(context: SensorEvaluationContext) -> Any:
        try:
            result = function(context, **spec.args) if wants_context else function(**spec.args)
        except Exception as error:
            raise SensorFunctionError(
                f"sensor '{name}': {dotted} raised {type(error).__name__}: {error}"
            ) from error
        return list(_custom_results(name, dotted, result, target, context))

    return polling_sensor(name, spec, target, evaluate, f"Runs {target.name} when {dotted} asks")


def _custom_results(
    name: str, dotted: str, result: Any, target: Target, context: SensorEvaluationContext
) -> Iterator[RunRequest | SkipReason | SensorResult]:
    if result is None or result is False:
        yield SkipReason(f"{dotted} asked for no run")
        return
    if result is True:
        result = RunRequest()
    single = isinstance(result, RunRequest | SkipReason | SensorResult)  # (NamedTuples)
    items = [result] if single or not isinstance(result, Iterable) else result
    for item in items:
        if isinstance(item, SkipReason | SensorResult):
            yield item
        elif isinstance(item, RunRequest):
            yield from _with_target(name, item, target, context)
        else:
            raise SensorFunctionError(
                f"sensor '{name}': {dotted} returned {type(item).__name__}; expected "
                "RunRequest(s), a SkipReason, a bool or None"
            )


def _with_target(
    name: str, request: RunRequest, target: Target, context: SensorEvaluationContext
) -> Iterator[RunRequest]:
    tags = {"floe/sensor": name, **request.tags}
    definition = target.partitions.partitions_def if target.partitions else None
    if definition is None or request.partition_key is not None:
        yield request.with_replaced_attrs(tags=tags)
        return
    for key in selected_keys(definition, datetime.now(UTC), context.instance):
        run_key = f"{request.run_key}|{key}" if request.run_key else None
        yield request.with_replaced_attrs(tags=tags, partition_key=key, run_key=run_key)


# --- all of floe.yaml's sensors -----------------------------------------------------------------


def _watched_keys(
    config: FloeConfig,
    name: str,
    spec: AssetSensor,
    graph: Any,
    problems: Problems,
    *,
    complete: bool,
) -> list[AssetKey] | None:
    """The keys ``spec`` watches; an unknown one is a problem only when every asset loaded
    (with the manifest or a module broken, it is an echo of that problem)."""
    known = {k.to_user_string(): k for k in graph.get_all_asset_keys()}
    keys = []
    for index, watched in enumerate(spec.watched_assets):
        key = known.get(watched) or known.get(watched.removeprefix("key:"))
        if key is None and not complete:
            continue
        if key is None:
            near = suggest(watched, list(known))
            problems.add(
                config,
                ("orchestration", "sensors", name, "watched_assets", index),
                IssueCode.UNKNOWN_ASSET,
                f"sensor '{name}' watches '{watched}', which is no asset of this code location",
                f"did you mean '{near}'?" if near else "watch an asset key (see floe validate)",
            )
            continue
        keys.append(key)
    return keys if len(keys) == len(spec.watched_assets) else None


def build_sensors(
    config: FloeConfig,
    *,
    jobs: Mapping[str, Any],
    graph: Any,
    problems: Problems | None = None,
) -> list[SensorDefinition]:
    """Every sensor of ``orchestration.sensors``, on the jobs built from the same config."""
    own = problems is None
    problems = Problems() if problems is None else problems
    complete = not problems
    job_assets = jobs.assets if isinstance(jobs, BuiltJobs) else {}
    sensors: list[SensorDefinition] = []
    for name, spec in config.orchestration.sensors.items():
        job = jobs.get(spec.job)
        if job is None:  # floe-config checked the name: the job failed, and said why
            continue
        target = Target(spec.job, job, job_assets.get(spec.job), op_config_fields(job))
        here = ("orchestration", "sensors", name)
        if isinstance(spec, FileWatcherSensor):
            sensors.append(file_watcher(name, spec, target, config.path(spec.path)))
        elif isinstance(spec, AssetSensor):
            keys = _watched_keys(config, name, spec, graph, problems, complete=complete)
            if keys is not None:
                sensors.append(asset_sensor(name, spec, target, keys))
        elif isinstance(spec, RunStatusSensor):
            watched = [jobs[w] for w in spec.watched_jobs if w in jobs]
            if len(watched) == len(spec.watched_jobs):
                sensors.append(run_status(name, spec, target, watched))
        else:
            function = target_function(config, (*here, "target_function"), spec, problems)
            if function is not None:
                sensors.append(custom(name, spec, target, function))
    if own:
        problems.raise_if_any()
    return sensors
