"""What ``floe validate`` prints: one screen of what the definitions hold and where they run.

- assets, checks, jobs, schedules (status and next tick), automation;
- each partitioned asset group: its partitions, first and last key, how many partitions;
- each named backfill: its partitions and how many runs it makes;
- warnings where the Dagster instance (``$DAGSTER_HOME``) recorded materializations the
  compiled partitions no longer describe (the partition definition changed);
- sensors (kind, job, status, interval);
- where traces and lineage go.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from croniter import croniter
from dagster import (
    AssetKey,
    PartitionsDefinition,
    partition_loading_context,
)

from floe_config import AssetSensor, BatchJob, FileWatcherSensor, FloeConfig, RunStatusSensor
from floe_dagster._asset_settings import AssetSettings
from floe_dagster._automation import AUTOMATION_SENSOR
from floe_dagster._backfills import plan_backfills
from floe_dagster._jobs import JobAssets, MixedJobPartitions, job_assets
from floe_dagster._observability.settings import observability_settings
from floe_dagster._partitions import describe, has_dynamic
from floe_dagster._problems import Problems
from floe_dagster._state import state_directory

if TYPE_CHECKING:
    from dagster import DagsterInstance, Definitions


def _next_tick(cron: str, timezone: str) -> str:
    now = datetime.now(ZoneInfo(timezone))
    tick: datetime = croniter(cron, now).get_next(datetime)
    return tick.strftime("%Y-%m-%d %H:%M %Z")


def sensor_detail(config: FloeConfig, sensor: Any) -> str:
    if isinstance(sensor, FileWatcherSensor):
        where = config.path(sensor.path)
        return f", '{sensor.pattern}' in {where}{' (recursive)' if sensor.recursive else ''}"
    if isinstance(sensor, AssetSensor):
        return f", when {sensor.trigger} of {', '.join(sensor.watched_assets)} materialized"
    if isinstance(sensor, RunStatusSensor):
        return f", when {', '.join(sensor.watched_jobs)} reach {sensor.status}"
    return f", as {sensor.target_function} decides"


def _names(keys: list[str], limit: int = 3) -> str:
    return ", ".join(keys[:limit]) + (f" +{len(keys) - limit}" if len(keys) > limit else "")


def keys_of(definition: PartitionsDefinition, instance: Any) -> list[str] | None:
    """Every key of ``definition`` (None: it has dynamic keys and there is no instance)."""
    if has_dynamic(definition) and instance is None:
        return None
    with partition_loading_context(dynamic_partitions_store=instance):
        return list(definition.get_partition_keys(dynamic_partitions_store=instance))


def partition_lines(
    graph: Any, named: Mapping[str, PartitionsDefinition], instance: Any
) -> list[str]:
    """One line per (asset group, partitions definition); ``named``: floe.yaml's partitions."""
    groups: dict[tuple[str, int], list[str]] = {}
    definitions: dict[int, PartitionsDefinition] = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.partitions_def is None or not node.is_materializable:
            continue
        definitions[id(node.partitions_def)] = node.partitions_def
        group = (str(node.group_name), id(node.partitions_def))
        groups.setdefault(group, []).append(key.to_user_string())
    lines = []
    for (group_name, ident), keys in sorted(groups.items()):
        definition = definitions[ident]
        name = next((n for n, d in named.items() if d == definition), None)
        label = f"'{name}' " if name else ""
        every = keys_of(definition, instance)
        if every is None:
            span = "keys added at run time"
        elif not every:
            span = "no partitions yet"
        else:
            span = f"{every[0]} .. {every[-1]}, {len(every)} partitions"
        lines.append(
            f"    {group_name} ({len(keys)} assets: {_names(sorted(keys))}): {label}"
            f"{describe(definition)}; {span}"
        )
    return lines


def backfill_lines(
    config: FloeConfig, graph: Any, settings: AssetSettings, instance: Any
) -> list[str]:
    """One line per named backfill: job, partitions and runs."""
    jobs: dict[str, JobAssets] = {}
    for backfill in config.orchestration.backfills.values():
        spec = config.orchestration.jobs.get(backfill.job)
        if isinstance(spec, BatchJob):
            try:
                jobs[backfill.job] = job_assets(spec, graph=graph)
            except MixedJobPartitions:
                continue
    plans = plan_backfills(
        config,
        job_assets=jobs,
        graph=graph,
        settings=settings,
        problems=Problems(),
        instance=instance,
    )
    lines = []
    for name, plan in plans.items():
        first, last = (plan.keys[0], plan.keys[-1]) if plan.keys else ("-", "-")
        lines.append(
            f"    {name}: job {plan.spec.job}, {len(plan.keys)} partitions {first} .. {last}, "
            f"{plan.runs} run(s) of up to {plan.largest_batch}"
        )
    return lines


def drift_lines(graph: Any, instance: DagsterInstance) -> list[str]:
    """Assets whose recorded materializations the current partitions do not describe."""
    keys = [k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable]
    found = []
    for record in instance.get_asset_records(keys):
        entry = record.asset_entry
        latest = entry.last_materialization
        if latest is None or latest.asset_materialization is None:
            continue
        key: AssetKey = entry.asset_key
        definition = graph.get(key).partitions_def
        recorded = latest.asset_materialization.partition
        name = key.to_user_string()
        if definition is None and recorded is not None:
            found.append(
                f"    '{name}' is unpartitioned now, but the instance recorded partitioned "
                f"materializations (latest: '{recorded}'): they and the data stay; Dagster "
                "shows the asset as one materialization from its next run"
            )
        elif definition is not None and recorded is None:
            found.append(
                f"    '{name}' is partitioned now ({describe(definition)}), but the instance "
                "recorded it unpartitioned: the data stays; every partition shows missing "
                "until it is backfilled"
            )
        elif definition is not None:
            with partition_loading_context(dynamic_partitions_store=instance):
                materialized = instance.get_materialized_partitions(key)
                unknown = sorted(k for k in materialized if not definition.has_partition_key(k))
            if unknown:
                found.append(
                    f"    '{name}': {len(unknown)} of its {len(materialized)} materialized "
                    f"partitions are not keys of the current definition ({describe(definition)})"
                    f", e.g. '{unknown[0]}': they and the data stay, but Dagster no longer "
                    "shows them; backfill the new keys"
                )
    return found


def recorded_instance() -> DagsterInstance | None:
    """The instance at ``$DAGSTER_HOME`` if it exists (floe validate never creates one)."""
    home = os.environ.get("DAGSTER_HOME")
    if not home or not os.path.isdir(home):
        return None
    from dagster import DagsterInstance  # noqa: PLC0415 - only when there is one

    return DagsterInstance.get()


def summary(
    config: FloeConfig, definitions: Definitions, instance: DagsterInstance | None = None
) -> list[str]:
    """The one-screen summary ``floe validate`` prints."""
    graph = definitions.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    checks = graph.asset_check_keys
    orchestration = config.orchestration
    batch = sum(isinstance(j, BatchJob) for j in orchestration.jobs.values())
    lines = [
        f"{config.source.file.name} OK: {config.name}",
        f"  assets:       {len(keys)}   asset checks: {len(checks)}",
        f"  jobs:         {len(orchestration.jobs)} ({batch} batch, "
        f"{len(orchestration.jobs) - batch} ops)",
        f"  schedules:    {len(orchestration.schedules)}",
    ]
    for name, schedule in orchestration.schedules.items():
        status = "RUNNING" if schedule.enabled else "STOPPED"
        next_tick = _next_tick(schedule.cron_schedule, schedule.timezone)
        lines.append(
            f"    {name}: {schedule.job} {status} '{schedule.cron_schedule}' "
            f"{schedule.timezone}, next {next_tick}"
        )
    if orchestration.sensors:
        lines.append(f"  sensors:      {len(orchestration.sensors)}")
    for name, sensor in orchestration.sensors.items():
        status = "RUNNING" if sensor.enabled else "STOPPED"
        lines.append(
            f"    {name}: {sensor.type} -> {sensor.job} {status}, every "
            f"{sensor.poll_interval_seconds} s{sensor_detail(config, sensor)}"
        )
    automated = sorted(k.to_user_string() for k in keys if graph.get(k).automation_condition)
    if automated:
        lines.append(
            f"  automation:   {len(automated)} assets ({_names(automated)}), sensor "
            f"{AUTOMATION_SENSOR} RUNNING"
        )
    settings = AssetSettings.of(config)
    partitioned = partition_lines(graph, settings.partitions, instance)
    if partitioned:
        lines.append(f"  partitions:   {len(partitioned)} partitioned asset group(s)")
        lines += partitioned
    if orchestration.backfills:
        lines.append(f"  backfills:    {len(orchestration.backfills)}")
        lines += backfill_lines(config, graph, settings, instance)
    if instance is not None:
        drift = drift_lines(graph, instance)
        if drift:
            lines.append(
                f"  warning: the partitions changed for {len(drift)} asset(s) the instance at "
                f"{os.environ.get('DAGSTER_HOME')} has materialized:"
            )
            lines += drift
    observability = observability_settings(
        config, env=os.environ, state_dir=state_directory(config, os.environ)
    )
    traces, lineage = observability.destinations()
    lines.append(f"  traces:       {traces}")
    lines.append(f"  lineage:      {lineage}")
    return lines
