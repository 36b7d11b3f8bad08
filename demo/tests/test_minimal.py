"""SC-001: the medallion pipeline with daily partitions, one schedule and one sensor in under 50
lines of floe.yaml (demo/data_engineering/floe.minimal.yaml), against the same code location
written by hand with Dagster and dagster-dbt (hand_written.py): both define the same assets,
partitions, dependencies, checks, jobs, schedule and sensor, and docs/sc001.md's counts are
the files' own."""

from __future__ import annotations

import importlib
import io
import os
import re
import sys
import tokenize
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    Definitions,
    build_schedule_context,
)
from demo_env import copy_demo, demo_environment, floe_validate

from floe_config import load_config
from floe_dagster import FloeDefinitions

REPO = Path(__file__).resolve().parents[2]


def _python_lines(path: Path) -> int:
    """Lines of code: not blank, not only a comment, not part of a docstring."""
    text = path.read_text()
    skip: set[int] = set()
    previous = tokenize.NEWLINE
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.STRING and previous in (tokenize.NEWLINE, tokenize.INDENT):
            skip.update(range(token.start[0], token.end[0] + 1))  # a docstring
        if token.type not in (tokenize.COMMENT, tokenize.NL):
            previous = token.type
    return sum(
        1
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.strip().startswith("#") and number not in skip
    )


def _yaml_lines(path: Path) -> int:
    """Lines of YAML: not blank, not only a comment."""
    lines = path.read_text().splitlines()
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))


def _shape(defs: Definitions) -> dict[str, Any]:
    """What a user sees of a code location: assets (partition keys, parents, group), checks,
    jobs (their assets), the schedule and the sensor."""
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if not node.is_materializable:
            continue
        keys = node.partitions_def.get_partition_keys() if node.partitions_def else None
        assets[key.to_user_string()] = {
            "partitions": (keys[0], keys[-1], len(keys)) if keys else None,
            "parents": sorted(p.to_user_string() for p in node.parent_keys),
            "group": node.group_name,
        }
    jobs = {}
    for name in ("medallion_pipeline", "gold_refresh"):
        layer = defs.resolve_job_def(name).asset_layer
        jobs[name] = sorted(k.to_user_string() for k in layer.executable_asset_keys)
    [schedule] = list(defs.schedules or [])
    [sensor] = list(defs.sensors or [])
    return {
        "assets": assets,
        "checks": sorted(str(c) for c in graph.asset_check_keys),
        "jobs": jobs,
        "schedule": (
            schedule.name,
            defs.resolve_schedule_def(schedule.name).cron_schedule,
            defs.resolve_schedule_def(schedule.name).job_name,
            defs.resolve_schedule_def(schedule.name).default_status.value,
        ),
        "sensor": (
            sensor.name,
            defs.resolve_sensor_def(sensor.name).job_name,
            defs.resolve_sensor_def(sensor.name).default_status.value,
            defs.resolve_sensor_def(sensor.name).minimum_interval_seconds,
        ),
    }


def _scheduled_partition(defs: Definitions, at: datetime) -> list[str | None]:
    """The partitions the schedule's tick at ``at`` runs."""
    [schedule] = list(defs.schedules or [])
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(
            instance=instance, scheduled_execution_time=at, repository_def=defs.get_repository_def()
        )
        with warnings.catch_warnings():  # Dagster's partitioned schedule calls its own
            warnings.simplefilter("ignore", DeprecationWarning)  # deprecated run_request_for_...
            result = defs.resolve_schedule_def(schedule.name).evaluate_tick(context)
    return [r.partition_key for r in result.run_requests or []]


def test_the_minimal_floe_yaml_is_the_hand_written_code_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = copy_demo(tmp_path / "root", "minimal_shop")
    # dagster-dbt's resource wants `dbt` on PATH, as in a user's activated environment
    monkeypatch.setenv(
        "PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    )
    minimal = package / "floe.minimal.yaml"
    env = demo_environment(tmp_path / "state")
    sys.path.insert(0, str(tmp_path / "root"))

    assert len(minimal.read_text().splitlines()) < 50  # SC-001, comments and all
    result = floe_validate(minimal, env | {"PYTHONPATH": str(tmp_path / "root")})
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr
    floe = FloeDefinitions.from_config(load_config(minimal, env=env), env=env)
    by_hand = importlib.import_module("minimal_shop.hand_written").defs

    ours, theirs = _shape(floe), _shape(by_hand)
    assert ours == theirs
    assert set(ours["assets"]) == {
        *(f"bronze_{t}" for t in ("customers", "products", "orders", "order_items")),
        *(f"stg_{t}" for t in ("customers", "products", "orders", "order_items")),
        "customer_orders",
        "revenue_by_product",
    }
    assert ours["assets"]["stg_orders"]["partitions"] == ("2024-01-01", "2024-12-31", 366)
    assert ours["checks"], "the dbt tests are asset checks in both"
    tick = datetime(2024, 6, 2, 2, 0, tzinfo=UTC)
    assert _scheduled_partition(floe, tick) == _scheduled_partition(by_hand, tick) == ["2024-06-01"]
    for key in ("bronze_orders", "stg_orders", "customer_orders"):
        assert floe.resolve_assets_def(AssetKey(key)).backfill_policy == (
            by_hand.resolve_assets_def(AssetKey(key)).backfill_policy
        ), key

    # the counts docs/sc001.md gives are the files' own
    yaml_lines = _yaml_lines(minimal)
    python_lines = _python_lines(package / "hand_written.py")
    print(f"floe.minimal.yaml: {yaml_lines} lines; hand_written.py: {python_lines} lines")
    page = " ".join((REPO / "docs" / "sc001.md").read_text().split())
    stated = re.search(r"(\d+) lines of YAML.*?, (\d+) with comments.*?(\d+) lines of Python", page)
    assert stated is not None, "docs/sc001.md states the counts"
    total = len(minimal.read_text().splitlines())
    assert (int(stated[1]), int(stated[2]), int(stated[3])) == (yaml_lines, total, python_lines)
