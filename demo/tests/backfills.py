"""The demo's named backfill, shared by the in-process and the daemon test."""

from __future__ import annotations

import os
import sys
from datetime import date, timedelta
from pathlib import Path

from dagster import AssetKey, DagsterInstance
from demo_env import BRONZE, DAILY, SILVER, compile_project, copy_demo, demo_environment

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
BACKFILL = "first_120_days"
FIRST_DAYS = [(date(2024, 1, 1) + timedelta(days=i)).isoformat() for i in range(120)]


def backfill_project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    project = copy_demo(tmp_path / "root", "backfill_shop")
    compile_project(project)
    env = demo_environment(tmp_path / "state", DEMO_SENSORS_ENABLED="false")  # backfill only
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "root"), *filter(None, sys.path)])
    return project, env


def every_day_materialized(instance: DagsterInstance) -> None:
    """Every daily asset has each day of the backfill, and each dimension has been written."""
    for key in DAILY:
        done = instance.get_materialized_partitions(AssetKey(key))
        assert done == set(FIRST_DAYS), (key, sorted(set(FIRST_DAYS) - done)[:5])
    for key in set(BRONZE + SILVER) - set(DAILY):
        assert instance.get_latest_materialization_event(AssetKey(key)) is not None, key
