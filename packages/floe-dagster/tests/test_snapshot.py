"""One description of what was built: ``floe validate``'s summary and ``floe plan`` render the
same snapshot, so a tick, a partition span or a backfill's runs are computed once."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from projects import write_project

from floe_config import load_config
from floe_dagster import FloeDefinitions
from floe_dagster.cli._plan import render
from floe_dagster.cli._snapshot import next_ticks, snapshot
from floe_dagster.cli._summary import summary
from floe_dagster.cli._term import Style

ASSETS = """\
from dagster import StaticPartitionsDefinition, asset


@asset(group_name="raw")
def events() -> None: ...


@asset(group_name="marts", deps=[events])
def daily_counts() -> None: ...


@asset(group_name="raw", partitions_def=StaticPartitionsDefinition(["a", "b"]))
def lettered() -> None: ...
"""
FLOE_YAML = """\
name: tiny
orchestration:
  asset_modules: [.assets]
  partitions:
    daily: {type: time_window, start: "2024-01-01", end: "2024-01-31", cron_schedule: "0 0 * * *"}
  assets:
    "events": {partitions: daily}
    "daily_counts": {partitions: daily, automation_condition: eager}
  jobs:
    everything: {type: batch, selection: ["+daily_counts"]}
  schedules:
    nightly: {job: everything, cron_schedule: "0 1 * * *", timezone: Asia/Kathmandu}
  sensors:
    on_counts: {type: asset_sensor, job: everything, watched_assets: [daily_counts]}
  backfills:
    january: {job: everything, partition_range: {start: "2024-01-01", end: "2024-01-31"}, batch_size: 10}
"""


@pytest.fixture
def described(tmp_path: Path) -> tuple[Any, dict[str, Any]]:
    path = write_project(tmp_path, "described_project", floe_yaml=FLOE_YAML, assets=ASSETS)
    config = load_config(path, env={})
    env = {"FLOE_STATE_DIR": str(tmp_path / "s")}
    definitions = FloeDefinitions.from_config(config, env=env)
    return config, snapshot(config, definitions, env=env)


def test_the_snapshot_holds_every_section(described: tuple[Any, dict[str, Any]]) -> None:
    _, found = described
    assert set(found["assets"]) == {"events", "daily_counts", "lettered"}
    assert found["jobs"]["everything"]["assets"] == ["daily_counts", "events"]
    assert found["assets"]["daily_counts"]["automation"] == {
        "pattern": "daily_counts",
        "type": "eager",
    }
    assert len(found["schedules"]["nightly"]["next_ticks"]) == 3
    assert found["sensors"]["on_counts"]["watches"] == "when all of daily_counts materialized"
    assert found["partitions"]["daily"]["count"] == 31
    groups = {(g["group"], g["partitions"]): g for g in found["partitioned_groups"]}
    assert groups[("marts", "daily")]["assets"] == ["daily_counts"]
    assert groups[("raw", None)]["description"] == "static keys"  # declared in code
    assert found["backfills"]["january"]["runs"] == 4
    assert found["observability"]["traces"].startswith("JSON lines ")


def test_validate_and_plan_render_the_same_snapshot(described: tuple[Any, dict[str, Any]]) -> None:
    config, found = described
    lines = summary(config, found)
    first_tick = found["schedules"]["nightly"]["next_ticks"][0]
    shown = datetime.fromisoformat(first_tick).astimezone(ZoneInfo("Asia/Kathmandu"))
    assert f"next {shown:%Y-%m-%d %H:%M} +0545" in "\n".join(lines)
    assert (
        "    january: job everything, 31 partitions 2024-01-01 .. 2024-01-31, 4 run(s) of up to 10"
        in lines
    )
    assert "  partitions:   3 partitioned asset group(s)" in lines
    unchanged = {"compared_with": None, "note": "nothing compiled yet"}
    document = {
        **found,
        "project": "tiny",
        "floe_yaml": "floe.yaml",
        "warnings": [],
        "changes": unchanged,
    }
    plan = render(document, Style(io.StringIO()))
    assert f"    next: {', '.join(found['schedules']['nightly']['next_ticks'])}" in plan
    assert "  january: job everything, 31 partitions 2024-01-01 .. 2024-01-31 in 4 run(s)" in plan


def test_next_ticks_are_in_the_schedules_own_zone() -> None:
    now = datetime(2024, 3, 30, 23, 0, tzinfo=ZoneInfo("UTC"))
    assert next_ticks("0 2 * * *", "Europe/Berlin", 2, now=now) == [
        "2024-03-31T03:00:00+02:00",  # the night clocks go forward: no 02:00, so 03:00 CEST
        "2024-04-01T02:00:00+02:00",
    ]


def test_the_plan_marks_an_asset_nothing_here_materializes(tmp_path: Path) -> None:
    """A dependency on another code location's asset is in the graph as an external asset:
    the plan says so, beside the assets the location runs."""
    assets = (
        "from dagster import AssetKey, asset\n\n\n"
        '@asset(deps=[AssetKey(["crm", "accounts"])])\ndef accounts_daily() -> None: ...\n'
    )
    floe_yaml = "name: tiny\norchestration:\n  asset_modules: [.assets]\n"
    path = write_project(tmp_path, "external_dep", floe_yaml=floe_yaml, assets=assets)
    config = load_config(path, env={})
    env = {"FLOE_STATE_DIR": str(tmp_path / "s")}
    found = snapshot(config, FloeDefinitions.from_config(config, env=env), env=env)
    document = {**found, "project": "tiny", "floe_yaml": "floe.yaml", "warnings": []}
    document["changes"] = {"compared_with": None, "note": "nothing compiled yet"}
    plan = render(document, Style(io.StringIO()))
    assert "  accounts_daily  (group default)" in plan
    assert (
        "  crm/accounts  (group default, external: nothing in this code location materializes it)"
        in plan
    )


def test_validate_and_plan_list_the_jobs_python_modules_define(tmp_path: Path) -> None:
    """A module's ``define_asset_job`` and ``@job`` run beside floe.yaml's jobs: the plan and
    the summary list them too, marked as a module's."""
    assets = (
        "from dagster import AssetSelection, asset, define_asset_job, job, op\n\n\n"
        "@asset\ndef events() -> None: ...\n\n\n"
        "@asset(deps=[events])\ndef daily_counts() -> None: ...\n\n\n"
        'counts_job = define_asset_job("counts_job", selection=AssetSelection.assets(daily_counts))\n'
        "\n\n@op\ndef ping() -> None: ...\n\n\n@job\ndef ping_job() -> None:\n    ping()\n"
    )
    floe_yaml = (
        "name: tiny\norchestration:\n  asset_modules: [.assets]\n  jobs:\n"
        '    everything: {type: batch, selection: ["*"]}\n'
    )
    path = write_project(tmp_path, "module_jobs", floe_yaml=floe_yaml, assets=assets)
    config = load_config(path, env={})
    env = {"FLOE_STATE_DIR": str(tmp_path / "s")}
    found = snapshot(config, FloeDefinitions.from_config(config, env=env), env=env)
    assert found["jobs"] == {
        "everything": {"type": "batch", "assets": ["daily_counts", "events"], "partitions": None},
        "counts_job": {"type": "python", "assets": ["daily_counts"], "partitions": None},
        "ping_job": {"type": "python", "assets": [], "partitions": None},
    }
    assert "  jobs:         3 (1 batch, 0 ops, 2 from Python modules)" in summary(config, found)
    document = {**found, "project": "tiny", "floe_yaml": "floe.yaml", "warnings": []}
    document["changes"] = {"compared_with": None, "note": "nothing compiled yet"}
    plan = render(document, Style(io.StringIO()))
    assert "  counts_job (a Python module's): 1 assets: daily_counts" in plan
    assert "  ping_job: a Python module's job of ops" in plan
