"""Automation conditions under a real daemon (FR-036..040): floe's automation sensor is RUNNING
from the start, ``on_missing`` fills every missing partition from an empty instance, and an
``eager`` asset follows its upstream. A schedule over automated assets loses exactly those."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dagster import AssetKey, DagsterInstance
from dagster_processes import dagster_server
from demo_env import compile_project, demo_environment, floe_validate

from floe_dagster import FloeDefinitions

WAIT_SECONDS = 240

ASSETS = """\
import json
import os
from pathlib import Path

from dagster import AssetExecutionContext, asset


def _note(name: str, what: str) -> None:
    with Path(os.environ["AUTO_NOTES"]).open("a") as notes:
        notes.write(json.dumps({"asset": name, "what": what}) + "\\n")


@asset
def upstream() -> None:
    _note("upstream", "run")


@asset(deps=[upstream])
def follower() -> None:
    _note("follower", "run")


@asset
def daily_fill(context: AssetExecutionContext) -> None:
    _note("daily_fill", context.partition_key)
"""

DEFINITIONS = """\
from floe_dagster import FloeDefinitions

defs = FloeDefinitions.from_compiled_artifacts()
"""

FLOE_YAML = """\
name: automated
orchestration:
  asset_modules: [.assets]
  partitions:
    daily: {type: time_window, start: "${FILL_START}", cron_schedule: "0 0 * * *"}
  assets:
    follower: {automation_condition: eager}
    daily_fill: {partitions: daily, automation_condition: on_missing}
  jobs:
    refresh_upstream: {type: batch, selection: [upstream]}
    everything: {type: batch, selection: [upstream, follower]}
  schedules:
    hourly_everything: {job: everything, cron_schedule: "0 * * * *", enabled: false}
"""


def _project(root: Path) -> Path:
    package = root / "automated"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "assets.py").write_text(ASSETS)
    (package / "definitions.py").write_text(DEFINITIONS)
    (package / "floe.yaml").write_text(FLOE_YAML)
    compile_project(package)
    return package


def _until(what: str, condition: Callable[[], bool], log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, (
            f"{what} within {WAIT_SECONDS}s\n" + log.read_text()[-3000:]
        )
        time.sleep(2)


def test_the_daemon_fills_missing_partitions_and_follows_upstream(tmp_path: Path) -> None:
    _project(tmp_path / "root")
    start = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%d")
    env = demo_environment(
        tmp_path / "state", FILL_START=start, AUTO_NOTES=str(tmp_path / "notes.jsonl")
    )
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "root"), *filter(None, sys.path)])
    home = Path(env["DAGSTER_HOME"])
    log = tmp_path / "dagster.log"
    instance = DagsterInstance.from_config(str(home))
    windows = {(datetime.now(UTC) - timedelta(days=d)).strftime("%Y-%m-%d") for d in (1, 2, 3)}

    with dagster_server(env, log, module="automated.definitions", daemon=True):
        # on_missing: every complete day since the start, from the first ticks, unasked
        _until(
            "daily_fill fills its 3 missing days",
            lambda: instance.get_materialized_partitions(AssetKey("daily_fill")) == windows,
            log,
        )
        assert instance.get_latest_materialization_event(AssetKey("follower")) is None

        # eager: the follower runs after its upstream does (and not before: upstream missing)
        dagster = str(Path(sys.executable).parent / "dagster")
        command = [dagster, "job", "execute", "-m", "automated.definitions", "-j"]
        run = subprocess.run(
            [*command, "refresh_upstream"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        upstream = instance.get_latest_materialization_event(AssetKey("upstream"))
        assert upstream is not None
        _until(
            "follower materializes after upstream",
            lambda: instance.get_latest_materialization_event(AssetKey("follower")) is not None,
            log,
        )
        follower = instance.get_latest_materialization_event(AssetKey("follower"))
        assert follower is not None
        assert follower.timestamp > upstream.timestamp
        launched = instance.get_run_by_id(follower.run_id)
        assert launched is not None
        assert launched.tags.get("dagster/sensor_name") == "floe_automation_sensor", launched.tags
    assert sorted(instance.get_materialized_partitions(AssetKey("daily_fill"))) == sorted(windows)
    instance.dispose()


def test_a_schedule_loses_the_assets_automation_owns(tmp_path: Path) -> None:
    package = _project(tmp_path / "root")
    env = demo_environment(tmp_path / "state", FILL_START="2024-01-01")
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "root"), *filter(None, sys.path)])

    result = floe_validate(package / "floe.yaml", env)
    assert result.returncode == 0, result.stderr
    assert (
        "schedule 'hourly_everything' leaves out 1 asset(s) of job 'everything' that have "
        "automation conditions, which take precedence over schedules: follower"
    ) in result.stderr
    assert (
        "automation:   2 assets (daily_fill, follower), sensor floe_automation_sensor RUNNING"
        in (result.stdout)
    )

    sys.path.insert(0, str(tmp_path / "root"))
    defs = FloeDefinitions.from_compiled_artifacts(package / "compiled_artifacts.json", env=env)
    schedule = defs.resolve_schedule_def("hourly_everything")
    job = defs.resolve_job_def(schedule.job_name)
    assert {k.to_user_string() for k in job.asset_layer.executable_asset_keys} == {"upstream"}
    assert {
        k.to_user_string()
        for k in defs.resolve_job_def("everything").asset_layer.executable_asset_keys
    } == {"upstream", "follower"}  # the job itself is unchanged
    sensor = defs.resolve_sensor_def("floe_automation_sensor")
    assert sensor.default_status.value == "RUNNING"
    graph = defs.resolve_asset_graph()
    automated = {
        k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).automation_condition
    }
    assert automated == {"daily_fill", "follower"}
