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
