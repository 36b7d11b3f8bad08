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
from zoneinfo import ZoneInfo

from dagster import (
    AssetKey,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    EventLogEntry,
    RunsFilter,
)
from dagster_processes import dagster_server
from demo_env import compile_project, demo_environment, floe_validate

from floe_dagster import FloeDefinitions

WAIT_SECONDS = 240

ASSETS = """\
import json
import os
from pathlib import Path

from dagster import AssetExecutionContext, asset


def noting(name: str, deps: tuple[str, ...] = (), partitioned: bool = False):
    \"\"\"An asset that notes each run (its partition, when it has one) in $AUTO_NOTES.\"\"\"

    @asset(name=name, deps=list(deps))
    def _noted(context: AssetExecutionContext) -> None:
        what = context.partition_key if partitioned else "run"
        with Path(os.environ["AUTO_NOTES"]).open("a") as notes:
            notes.write(json.dumps({"asset": name, "what": what}) + "\\n")

    return _noted


upstream = noting("upstream")
follower = noting("follower", deps=("upstream",))
daily_fill = noting("daily_fill", partitioned=True)
every_minute = noting("every_minute")
plain = noting("plain")
owned = noting("owned", deps=("plain",))
by_day = noting("by_day", partitioned=True)
by_region = noting("by_region", partitioned=True)
zoned = noting("zoned")
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
    regions: {type: static, partition_keys: [us, eu]}
  assets:
    follower: {automation_condition: eager}
    daily_fill: {partitions: daily, automation_condition: on_missing}
    every_minute: {automation_condition: {type: on_cron, cron_schedule: "* * * * *"}}
    owned: {automation_condition: eager}
    by_day: {partitions: daily}
    by_region: {partitions: regions}
  jobs:
    refresh_upstream: {type: batch, selection: [upstream]}
    everything: {type: batch, selection: [upstream, follower]}
    plain_and_owned: {type: batch, selection: [plain, owned]}
    days: {type: batch, selection: [by_day]}
    regional: {type: batch, selection: [by_region]}
    zone_probe: {type: batch, selection: [zoned]}
  schedules:
    hourly_everything: {job: everything, cron_schedule: "0 * * * *", enabled: false}
    # the ticks below all name one minute, TICK (UTC), a little after the daemon starts
    newest_day: {job: days, cron_schedule: "${TICK_CRON:0 0 1 1 *}", partition_selector: latest}
    every_region: {job: regional, cron_schedule: "${TICK_CRON:0 0 1 1 *}", partition_selector: all}
    owned_by_automation: {job: plain_and_owned, cron_schedule: "${TICK_CRON:0 0 1 1 *}"}
    switched_off: {job: zone_probe, cron_schedule: "${TICK_CRON:0 0 1 1 *}", enabled: false}
    kathmandu:                    # TICK's local minute and hour in Asia/Kathmandu (UTC+5:45)
      job: zone_probe
      cron_schedule: "${KATHMANDU_CRON:0 0 1 1 *}"
      timezone: Asia/Kathmandu
    same_cron_in_utc: {job: zone_probe, cron_schedule: "${KATHMANDU_CRON:0 0 1 1 *}"}
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


def _tick() -> datetime:
    """The minute every schedule of the test names: the first one at least 90 s away, so the
    daemon (started just after) sees each schedule RUNNING before it comes."""
    soon = datetime.now(UTC) + timedelta(seconds=90)
    return soon.replace(second=0, microsecond=0) + timedelta(minutes=1)


def _by_the_automation(instance: DagsterInstance, key: str, log: Path) -> EventLogEntry:
    """``key``'s materialization, once there is one; floe's automation sensor launched it."""
    _until(
        f"{key} materializes through the automation",
        lambda: instance.get_latest_materialization_event(AssetKey(key)) is not None,
        log,
    )
    event = instance.get_latest_materialization_event(AssetKey(key))
    assert event is not None
    run = instance.get_run_by_id(event.run_id)
    assert run is not None
    assert run.tags.get("dagster/sensor_name") == "floe_automation_sensor", run.tags
    return event


def _schedule_runs(instance: DagsterInstance, name: str) -> list[DagsterRun]:
    return list(instance.get_runs(RunsFilter(tags={"dagster/schedule_name": name})))


def test_the_daemon_fills_missing_partitions_and_follows_upstream(tmp_path: Path) -> None:
    """One daemon from an empty instance: the automation conditions (``on_missing``, ``eager``,
    ``on_cron``) and the schedules (FR-024, 025, 028, 040), each tick at one minute, TICK."""
    _project(tmp_path / "root")
    start = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%d")
    tick = _tick()
    local = tick.astimezone(ZoneInfo("Asia/Kathmandu"))
    env = demo_environment(
        tmp_path / "state",
        FILL_START=start,
        AUTO_NOTES=str(tmp_path / "notes.jsonl"),
        TICK_CRON=f"{tick.minute} {tick.hour} * * *",
        KATHMANDU_CRON=f"{local.minute} {local.hour} * * *",
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
        follower = _by_the_automation(instance, "follower", log)
        assert follower.timestamp > upstream.timestamp

        # on_cron ("* * * * *"): the automation runs it after a tick of its cron
        _by_the_automation(instance, "every_minute", log)

        # the schedules: each fires at TICK, launches its job with the partitions its selector
        # names, and runs to the end; the disabled one and the one in the wrong zone never fire
        expected = {"newest_day": 1, "every_region": 2, "owned_by_automation": 1, "kathmandu": 1}
        _until(
            f"the schedules fire at {tick:%H:%M} UTC and their runs finish",
            lambda: all(
                len(runs := _schedule_runs(instance, name)) == count
                and all(r.status == DagsterRunStatus.SUCCESS for r in runs)
                for name, count in expected.items()
            ),
            log,
        )
        print(f"schedules ticked at {tick:%H:%M} UTC; finished {datetime.now(UTC):%H:%M:%S}")
        [newest] = _schedule_runs(instance, "newest_day")  # `latest`: the newest complete day
        assert newest.tags["dagster/partition"] == (tick - timedelta(days=1)).strftime("%Y-%m-%d")
        regions = {r.tags["dagster/partition"] for r in _schedule_runs(instance, "every_region")}
        assert regions == {"us", "eu"}  # `all`: every static key, one run each
        [zoned] = _schedule_runs(instance, "kathmandu")
        record = instance.get_run_record_by_id(zoned.run_id)
        assert record is not None  # its cron names TICK's hour in Asia/Kathmandu: it ran at TICK
        created = record.create_timestamp
        created = created.astimezone(UTC) if created.tzinfo else created.replace(tzinfo=UTC)
        assert tick <= created < tick + timedelta(seconds=60), (created, tick)
        # an automated asset is the automation's: the schedule ran the rest of its job, and
        # `owned` (eager) ran once more only because the automation saw `plain` update
        [scheduled] = _schedule_runs(instance, "owned_by_automation")
        ran = {
            e.dagster_event.asset_key
            for e in instance.all_logs(scheduled.run_id)
            if e.dagster_event is not None and e.dagster_event.is_step_materialization
        }
        assert ran == {AssetKey("plain")}, ran
        _by_the_automation(instance, "owned", log)
        assert _schedule_runs(instance, "switched_off") == []
        assert _schedule_runs(instance, "same_cron_in_utc") == []
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
        "schedule 'owned_by_automation' leaves out 1 asset(s) of job 'plain_and_owned' that have "
        "automation conditions, which take precedence over schedules: owned"
    ) in result.stderr
    assert (
        "automation:   4 assets (daily_fill, every_minute, follower +1), sensor "
        "floe_automation_sensor RUNNING" in (result.stdout)
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
    assert automated == {"daily_fill", "every_minute", "follower", "owned"}
