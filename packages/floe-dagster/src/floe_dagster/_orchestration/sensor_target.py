"""What a floe sensor runs: its job, the tags and config a triggered run gets, and the
sensor definition every kind shares (interval, default status, description)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dagster import (
    DefaultSensorStatus,
    JobDefinition,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
)

from floe_config import AssetSensor, CustomSensor, FileWatcherSensor
from floe_dagster._orchestration.jobs import JobAssets
from floe_dagster._orchestration.schedules import selected_keys


def default_status(enabled: bool) -> DefaultSensorStatus:
    return DefaultSensorStatus.RUNNING if enabled else DefaultSensorStatus.STOPPED


def polling_sensor(
    name: str,
    spec: FileWatcherSensor | AssetSensor | CustomSensor,
    target: Target,
    evaluate: Callable[[SensorEvaluationContext], Any],
    described: str,
) -> SensorDefinition:
    """A sensor that runs ``target.job`` from ``evaluate`` every ``poll_interval_seconds``;
    floe.yaml's description, else ``described``."""
    return SensorDefinition(
        name=name,
        evaluation_fn=evaluate,
        job=target.job,
        minimum_interval_seconds=spec.poll_interval_seconds,
        default_status=default_status(spec.enabled),
        description=spec.description or described,
    )


@dataclass(frozen=True)
class Target:
    """The job a sensor runs, and what floe can hand it."""

    name: str
    job: Any
    partitions: JobAssets | None
    op_config: tuple[str, frozenset[str]] | None
    """(op name, config fields) of an ops job; None for an asset job."""

    def requests(
        self,
        *,
        run_key: str | None,
        tags: Mapping[str, str],
        values: Mapping[str, Any],
        instance: Any = None,
        partition_keys: Sequence[str] | None = None,
    ) -> list[RunRequest]:
        """The run requests for one trigger: ``values`` as op config where the ops job takes
        them; one request per partition for a partitioned job."""
        config = None
        if self.op_config is not None:
            op, fields = self.op_config
            given = {k: v for k, v in values.items() if k in fields}
            if given:  # a run's config replaces the job's default: start from the default
                default = getattr(self.job, "run_config", None) or {}
                base = dict(default.get("ops", {}).get(op, {}).get("config", {}))
                config = {"ops": {op: {"config": {**base, **given}}}}
        definition = self.partitions.partitions_def if self.partitions else None
        if definition is None:
            return [RunRequest(run_key=run_key, run_config=config or {}, tags=dict(tags))]
        keys = list(partition_keys or []) or selected_keys(definition, datetime.now(UTC), instance)
        return [
            RunRequest(
                run_key=f"{run_key}|{key}" if run_key else None,
                run_config=config or {},
                tags=dict(tags),
                partition_key=key,
            )
            for key in keys
        ]


def op_config_fields(job: Any) -> tuple[str, frozenset[str]] | None:
    """(op, config field names) of a one-op ops job floe built; None for anything else."""
    if not isinstance(job, JobDefinition) or len(job.graph.nodes) != 1:
        return None
    node = job.graph.nodes[0]
    schema = node.definition.config_schema
    fields = getattr(getattr(schema, "config_type", None), "fields", None) or {}
    return node.name, frozenset(fields)


def tick_result(requests: list[RunRequest], cursor: Mapping[str, Any]) -> SensorResult:
    """A tick's runs, and its cursor as sorted JSON (stable across ticks, readable in the UI)."""
    return SensorResult(run_requests=requests, cursor=json.dumps(cursor, sort_keys=True))
