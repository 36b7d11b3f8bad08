"""Sensors that follow Dagster's own events (FR-031, FR-032): an asset sensor over the watched
assets' materializations, and run status sensors over the watched jobs' runs."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, cast

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DagsterRunStatus,
    RunFailureSensorContext,
    RunRequest,
    RunsFilter,
    RunStatusSensorContext,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    run_status_sensor,
)

from floe_config import AssetSensor, RunStatusSensor
from floe_dagster._orchestration.sensor_target import (
    Target,
    default_status,
    polling_sensor,
    tick_result,
)
from floe_dagster._warnings import dagster_internal_warnings_silenced

MATERIALIZATIONS_PER_TICK = 1000
UNFINISHED = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]


def refreshed_since(
    instance: Any, keys: frozenset[AssetKey], after: int, runs: set[str]
) -> str | None:
    """Whether the assets ``keys`` (an unpartitioned job's) were refreshed after the event
    with storage id ``after`` by ``runs`` (those that made the watched assets' changes):
    "done" when each materialized since; "running" when the rest are planned by one of those
    runs, still going (Dagster records what a run plans to materialize when it starts); None
    when any is neither, so the job has work to do."""
    running = False
    for key in keys:
        filtered = AssetRecordsFilter(asset_key=key, after_storage_id=after)
        if instance.fetch_materializations(filtered, limit=1).records:
            continue
        planned = instance.get_latest_planned_materialization_info(key)
        if planned is None or planned.run_id not in runs:
            return None
        run = instance.get_run_by_id(planned.run_id)
        if run is None or run.is_finished:
            return None
        running = True
    return "running" if running else "done"


def asset_sensor(
    name: str, spec: AssetSensor, target: Target, keys: Sequence[AssetKey]
) -> SensorDefinition:
    """Once when all (or any) watched assets have new materializations since the last run,
    unless the run that made them refreshed the job's assets too (a pipeline that ends with
    them): then it waits for that run, and runs nothing."""
    definition = target.partitions.partitions_def if target.partitions else None
    owned = target.partitions.keys if target.partitions and definition is None else frozenset()

    def evaluate(context: SensorEvaluationContext) -> SensorResult | SkipReason:
        cursor: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
        new: dict[str, tuple[int, set[str]]] = {}
        makers: set[str] = set()  # the runs that made the new materializations
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
                makers.update(r.event_log_entry.run_id for r in records)
        watched = [k.to_user_string() for k in keys]
        ready = bool(new) if spec.trigger == "any" else len(new) == len(watched)
        if not ready:
            waiting = [w for w in watched if w not in new]
            return SkipReason(f"waiting for a new materialization of {', '.join(waiting)}")
        changed = sorted(new)
        newest = max(new[c][0] for c in changed)
        refreshed = refreshed_since(context.instance, owned, newest, makers) if owned else None
        if refreshed == "running":
            return SkipReason(f"{target.name}'s assets are being refreshed by a run in progress")
        if refreshed == "done":
            cursor.update({c: new[c][0] for c in changed})
            reason = f"the run that changed {', '.join(changed)} refreshed {target.name}'s assets"
            return SensorResult(skip_reason=reason, cursor=json.dumps(cursor, sort_keys=True))
        going = context.instance.get_runs(
            RunsFilter(job_name=target.name, statuses=UNFINISHED), limit=1
        )
        if owned and going:  # one refresh at a time: after it, the next tick sees what is new
            return SkipReason(f"a run of {target.name} is not finished yet ({going[0].run_id})")
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
