"""One description of what a floe.yaml built: the snapshot ``floe plan`` and ``floe validate``
both render (STYLE 26). Plain, JSON-able data, computed once from the config and the built
definitions: no command computes a tick, a partition span or a backfill's runs on its own.

Its sections are those of ``docs/plan.md``: patterns, assets, asset checks, jobs, schedules
(with their next ticks), sensors, partitions, partitioned groups, backfills (with their runs)
and where traces and lineage go.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from croniter import croniter
from dagster import PartitionsDefinition, partition_loading_context

from floe_config import (
    AssetSensor,
    BatchJob,
    FileWatcherSensor,
    FloeConfig,
    RunStatusSensor,
    state_directory,
)
from floe_dagster._dagster_internals import job_asset_keys
from floe_dagster._errors import Problems
from floe_dagster._observability.settings import observability_settings
from floe_dagster._orchestration.asset_settings import AssetSettings
from floe_dagster._orchestration.backfills import plan_backfills
from floe_dagster._orchestration.jobs import JobAssets, MixedJobPartitions, job_assets
from floe_dagster._orchestration.partitions import describe, has_dynamic
from floe_dagster._orchestration.patterns import key_text

if TYPE_CHECKING:
    from dagster import Definitions

TICKS = 3


def next_ticks(
    cron: str, timezone: str, count: int = TICKS, now: datetime | None = None
) -> list[str]:
    """The next ``count`` ticks of ``cron`` in ``timezone``, as ISO 8601 with the offset."""
    zone = ZoneInfo(timezone)
    moment = (now or datetime.now(zone)).astimezone(zone)
    series = croniter(cron, moment)
    return [series.get_next(datetime).isoformat() for _ in range(count)]


def sensor_detail(config: FloeConfig, sensor: Any) -> str:
    """What a sensor watches, in a few words."""
    if isinstance(sensor, FileWatcherSensor):
        where = config.path(sensor.path)
        return f"'{sensor.pattern}' in {where}{' (recursive)' if sensor.recursive else ''}"
    if isinstance(sensor, AssetSensor):
        return f"when {sensor.trigger} of {', '.join(sensor.watched_assets)} materialized"
    if isinstance(sensor, RunStatusSensor):
        return f"when {', '.join(sensor.watched_jobs)} reach {sensor.status}"
    return f"as {sensor.target_function} decides"


def keys_of(definition: PartitionsDefinition, instance: Any) -> list[str] | None:
    """Every key of ``definition`` (None: it has dynamic keys and there is no instance)."""
    if has_dynamic(definition) and instance is None:
        return None
    with partition_loading_context(dynamic_partitions_store=instance):
        return list(definition.get_partition_keys(dynamic_partitions_store=instance))


def _span(definition: PartitionsDefinition, instance: Any) -> dict[str, Any]:
    every = keys_of(definition, instance)
    return {
        "first": every[0] if every else None,
        "last": every[-1] if every else None,
        "count": len(every) if every is not None else None,
    }


def _automation(settings: AssetSettings, key: Any, node: Any) -> dict[str, Any] | None:
    found = settings.of_key(key)
    spec = found["automation_condition"]
    if spec is not None:
        pattern = found.pattern("automation_condition")
        return {"pattern": pattern, **spec.model_dump(mode="json", exclude_none=True)}
    condition = node.automation_condition
    if condition is None:
        return None
    return {"pattern": None, "type": condition.get_label() or type(condition).__name__}


def _assets(graph: Any, keys: list[Any], settings: AssetSettings) -> dict[str, Any]:
    assets: dict[str, Any] = {}
    for key in keys:
        node = graph.get(key)
        named = settings.partitions_name(key)
        if named is None and node.partitions_def is not None:
            named = describe(node.partitions_def)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "kinds": sorted(node.kinds),
            "partitions": named,
            "automation": _automation(settings, key, node),
            "upstream": sorted(k.to_user_string() for k in node.parent_keys),
            "materializable": node.is_materializable,
        }
    return assets


def _jobs(config: FloeConfig, graph: Any) -> tuple[dict[str, Any], dict[str, JobAssets]]:
    jobs: dict[str, Any] = {}
    batch: dict[str, JobAssets] = {}
    for name, spec in config.orchestration.jobs.items():
        if not isinstance(spec, BatchJob):
            jobs[name] = {"type": "ops", "target_function": spec.target_function}
            continue
        try:
            selected = job_assets(spec, graph=graph)
        except MixedJobPartitions as error:
            jobs[name] = {"type": "batch", "assets": [], "partitions": None, "error": str(error)}
            continue
        batch[name] = selected
        partitions = selected.partitions_def
        jobs[name] = {
            "type": "batch",
            "assets": sorted(k.to_user_string() for k in selected.keys),
            "partitions": describe(partitions) if partitions else None,
        }
    return jobs, batch


def _python_jobs(definitions: Definitions, known: Iterable[str]) -> dict[str, Any]:
    """The jobs the Python modules define (``define_asset_job``, ``@job``): type ``python``,
    with the assets each materializes (none for a job of ops)."""
    listed = set(known)
    jobs: dict[str, Any] = {}
    for job in sorted(definitions.resolve_all_job_defs(), key=lambda j: j.name):
        if job.name in listed or job.name.startswith("__"):  # Dagster's own asset job
            continue
        partitions = job.partitions_def
        jobs[job.name] = {
            "type": "python",
            "assets": sorted(k.to_user_string() for k in job_asset_keys(job)),
            "partitions": describe(partitions) if partitions else None,
        }
    return jobs


def _groups(
    graph: Any, keys: list[Any], settings: AssetSettings, instance: Any
) -> list[dict[str, Any]]:
    """One entry per (asset group, partitions definition) of the materializable assets."""
    members: dict[tuple[str, int], list[str]] = {}
    definitions: dict[int, PartitionsDefinition] = {}
    for key in keys:
        node = graph.get(key)
        if node.partitions_def is None or not node.is_materializable:
            continue
        definitions[id(node.partitions_def)] = node.partitions_def
        members.setdefault((str(node.group_name), id(node.partitions_def)), []).append(
            key.to_user_string()
        )
    groups = []
    for (group, ident), names in sorted(members.items()):
        definition = definitions[ident]
        named = next((n for n, d in settings.partitions.items() if d == definition), None)
        groups.append(
            {
                "group": group,
                "partitions": named,
                "description": describe(definition),
                **_span(definition, instance),
                "assets": sorted(names),
            }
        )
    return groups


def toggled(instance: Any) -> dict[tuple[str, str], str]:
    """(``schedule`` or ``sensor``, name) -> RUNNING or STOPPED, for each schedule and sensor
    someone started or stopped in the instance (the UI's toggle, ``dagster schedule start``).
    That status wins over floe.yaml's ``enabled``, which is only Dagster's default status."""
    if instance is None:
        return {}
    found = {}
    for state in instance.all_instigator_state():
        if state.status.value in ("RUNNING", "STOPPED"):  # not DECLARED_IN_CODE: the default
            found[(state.instigator_type.value.lower(), state.name)] = state.status.value
    return found


def status(entry: Mapping[str, Any]) -> str:
    """A schedule's or sensor's status as the snapshot holds it: floe.yaml's default, and what
    the instance says when someone toggled it there."""
    default = "RUNNING" if entry["enabled"] else "STOPPED"
    toggled = entry.get("instance_status")
    if toggled is None:
        return default
    return f"{toggled} in the instance (toggled; floe.yaml's default: {default})"


def snapshot(
    config: FloeConfig,
    definitions: Definitions,
    instance: Any = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Every section of the description of one config and its built definitions."""
    graph = definitions.resolve_asset_graph()
    keys = sorted(graph.get_all_asset_keys(), key=key_text)
    settings = AssetSettings.of(config)
    orchestration = config.orchestration
    jobs, batch = _jobs(config, graph)
    plans = plan_backfills(
        config,
        job_assets={
            b.job: batch[b.job] for b in orchestration.backfills.values() if b.job in batch
        },
        graph=graph,
        settings=settings,
        problems=Problems(),
        instance=instance,
    )
    environment = os.environ if env is None else env
    observability = observability_settings(
        config, env=environment, state_dir=state_directory(config, environment)
    )
    traces, lineage = observability.destinations()
    states = toggled(instance)
    return {
        "patterns": [
            {
                "pattern": pattern,
                "settings": values.model_dump(mode="json", exclude_none=True),
                "assets": [
                    k.to_user_string() for k in keys if fnmatch.fnmatchcase(key_text(k), pattern)
                ],
            }
            for pattern, values in orchestration.assets.items()
        ],
        "assets": _assets(graph, keys, settings),
        "asset_checks": sorted(
            f"{check.asset_key.to_user_string()}:{check.name}" for check in graph.asset_check_keys
        ),
        "jobs": {**jobs, **_python_jobs(definitions, jobs)},
        "schedules": {
            name: {
                "job": s.job,
                "cron_schedule": s.cron_schedule,
                "timezone": s.timezone,
                "enabled": s.enabled,
                "instance_status": states.get(("schedule", name)),
                "next_ticks": next_ticks(s.cron_schedule, s.timezone),
            }
            for name, s in orchestration.schedules.items()
        },
        "sensors": {
            name: {
                "type": s.type,
                "job": s.job,
                "enabled": s.enabled,
                "instance_status": states.get(("sensor", name)),
                "interval_seconds": s.poll_interval_seconds,
                "watches": sensor_detail(config, s),
            }
            for name, s in orchestration.sensors.items()
        },
        "partitions": {
            name: {
                "description": describe(definition),
                **_span(definition, instance),
                "assets": sorted(
                    k.to_user_string() for k in keys if settings.partitions_name(k) == name
                ),
            }
            for name, definition in settings.partitions.items()
        },
        "partitioned_groups": _groups(graph, keys, settings, instance),
        "backfills": {
            name: {
                "job": plan.spec.job,
                "partitions": len(plan.keys),
                "first": plan.keys[0] if plan.keys else None,
                "last": plan.keys[-1] if plan.keys else None,
                "runs": plan.runs,
                "batches": [
                    {"first": b[0], "last": b[-1], "partitions": len(b)} for b in plan.batches
                ],
            }
            for name, plan in plans.items()
        },
        "observability": {"traces": traces, "lineage": lineage},
    }
