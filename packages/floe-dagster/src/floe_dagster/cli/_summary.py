"""What ``floe validate`` prints: one screen of what the definitions hold and where they run,
rendered from the snapshot ``floe plan`` renders too (``_snapshot``):

- assets, checks, jobs, schedules (status and next tick), automation;
- each partitioned asset group: its partitions, first and last key, how many partitions;
- each named backfill: its partitions and how many runs it makes;
- sensors (kind, job, status, interval);
- where traces and lineage go;
- warnings where the Dagster instance (``$DAGSTER_HOME``) recorded materializations the
  compiled partitions no longer describe (the partition definition changed).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from dagster import AssetKey, partition_loading_context

from floe_config import FloeConfig
from floe_dagster._orchestration.automation import AUTOMATION_SENSOR
from floe_dagster._orchestration.partitions import describe
from floe_dagster.cli._snapshot import status

if TYPE_CHECKING:
    from dagster import DagsterInstance


def _names(keys: list[str], limit: int = 3) -> str:
    return ", ".join(keys[:limit]) + (f" +{len(keys) - limit}" if len(keys) > limit else "")


def _tick(iso: str, timezone: str) -> str:
    """A tick of the snapshot as a person reads it, in the schedule's own zone."""
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M %Z")


def _schedule_lines(snapshot: Mapping[str, Any]) -> list[str]:
    return [
        f"    {name}: {s['job']} {status(s)} '{s['cron_schedule']}' "
        f"{s['timezone']}, next {_tick(s['next_ticks'][0], s['timezone'])}"
        for name, s in snapshot["schedules"].items()
    ]


def _sensor_lines(snapshot: Mapping[str, Any]) -> list[str]:
    sensors = snapshot["sensors"]
    lines = [f"  sensors:      {len(sensors)}"] if sensors else []
    lines += [
        f"    {name}: {s['type']} -> {s['job']} {status(s)}, every "
        f"{s['interval_seconds']} s, {s['watches']}"
        for name, s in sensors.items()
    ]
    return lines


def _partition_lines(snapshot: Mapping[str, Any]) -> list[str]:
    groups = snapshot["partitioned_groups"]
    lines = [f"  partitions:   {len(groups)} partitioned asset group(s)"] if groups else []
    for group in groups:
        if group["count"] is None:
            span = "keys added at run time"
        elif not group["count"]:
            span = "no partitions yet"
        else:
            span = f"{group['first']} .. {group['last']}, {group['count']} partitions"
        label = f"'{group['partitions']}' " if group["partitions"] else ""
        lines.append(
            f"    {group['group']} ({len(group['assets'])} assets: {_names(group['assets'])}): "
            f"{label}{group['description']}; {span}"
        )
    return lines


def _backfill_lines(snapshot: Mapping[str, Any]) -> list[str]:
    backfills = snapshot["backfills"]
    lines = [f"  backfills:    {len(backfills)}"] if backfills else []
    for name, plan in backfills.items():
        largest = max((b["partitions"] for b in plan["batches"]), default=0)
        lines.append(
            f"    {name}: job {plan['job']}, {plan['partitions']} partitions "
            f"{plan['first'] or '-'} .. {plan['last'] or '-'}, {plan['runs']} run(s) of up to "
            f"{largest}"
        )
    return lines


def summary(
    config: FloeConfig,
    snapshot: Mapping[str, Any],
    drift: list[str] | None = None,
) -> list[str]:
    """The one-screen summary ``floe validate`` prints, from the snapshot of what was built."""
    jobs = snapshot["jobs"]
    batch = sum(job["type"] == "batch" for job in jobs.values())
    python = sum(job["type"] == "python" for job in jobs.values())
    kinds = f"{batch} batch, {len(jobs) - batch - python} ops" + (
        f", {python} from Python modules" if python else ""
    )
    lines = [
        f"{config.source.file.name} OK: {config.name}"
        + (f" {config.version}" if config.version else ""),
        f"  assets:       {len(snapshot['assets'])}   asset checks: "
        f"{len(snapshot['asset_checks'])}",
        f"  jobs:         {len(jobs)} ({kinds})",
        f"  schedules:    {len(snapshot['schedules'])}",
        *_schedule_lines(snapshot),
        *_sensor_lines(snapshot),
    ]
    automated = [name for name, asset in snapshot["assets"].items() if asset["automation"]]
    if automated:
        lines.append(
            f"  automation:   {len(automated)} assets ({_names(automated)}), sensor "
            f"{AUTOMATION_SENSOR} RUNNING"
        )
    lines += _partition_lines(snapshot)
    lines += _backfill_lines(snapshot)
    if drift:
        lines.append(
            f"  warning: the partitions changed for {len(drift)} asset(s) the instance at "
            f"{os.environ.get('DAGSTER_HOME')} has materialized:"
        )
        lines += drift
    lines.append(f"  traces:       {snapshot['observability']['traces']}")
    lines.append(f"  lineage:      {snapshot['observability']['lineage']}")
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
