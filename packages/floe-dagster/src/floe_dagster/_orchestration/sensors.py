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

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey, SensorDefinition

from floe_config import (
    AssetSensor,
    FileWatcherSensor,
    FloeConfig,
    IssueCode,
    RunStatusSensor,
    suggest,
)
from floe_dagster._errors import Problems, warn
from floe_dagster._orchestration.custom_sensor import custom
from floe_dagster._orchestration.event_sensors import asset_sensor, run_status
from floe_dagster._orchestration.file_watcher import file_watcher, folder_issue
from floe_dagster._orchestration.jobs import BuiltJobs, target_function
from floe_dagster._orchestration.sensor_target import Target, op_config_fields


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
            problems.append(
                config.source.issue(
                    ("orchestration", "sensors", name, "watched_assets", index),
                    IssueCode.UNKNOWN_ASSET,
                    f"sensor '{name}' watches '{watched}', which is no asset of this code location",
                    f"did you mean '{near}'?" if near else "watch an asset key (see floe validate)",
                )
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
    complete = problems.complete
    job_assets = jobs.assets if isinstance(jobs, BuiltJobs) else {}
    sensors: list[SensorDefinition] = []
    for name, spec in config.orchestration.sensors.items():
        job = jobs.get(spec.job)
        if job is None:  # floe-config checked the name: the job failed, and said why
            continue
        target = Target(spec.job, job, job_assets.get(spec.job), op_config_fields(job))
        here = ("orchestration", "sensors", name)
        if isinstance(spec, FileWatcherSensor):
            issue = folder_issue(config, name, spec)
            if issue is not None and issue.code is IssueCode.WATCHED_PATH_NOT_A_FOLDER:
                problems.append(issue)
                continue
            if issue is not None:
                warn(issue)
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
