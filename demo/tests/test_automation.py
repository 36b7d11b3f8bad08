"""One real daemon from an empty instance, shared by the cases that need one: automation
conditions (FR-036..040: floe's automation sensor is RUNNING from the start, ``on_missing`` fills
every missing partition, an ``eager`` asset follows its upstream, ``on_cron`` ticks), schedules
(FR-024, 025, 028) and every partition kind on dbt models (FR-011..014: hourly across a DST day,
static downstream of it on all its partitions, dynamic keys from a function). A schedule over
automated assets loses exactly those."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from dagster import (
    AllPartitionMapping,
    AssetKey,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    EventLogEntry,
    RunsFilter,
)
from dagster_http import graphql
from dagster_processes import dagster_server
from demo_env import compile_project, demo_environment, floe_validate

from floe_config import load_config
from floe_dagster import FloeDefinitions
from floe_dbt import DbtRunner

WAIT_SECONDS = 600
"""How long a step waits for the daemon: a bound on a hang, not a speed claim (a backfill of
every partition took over 240 s beside two busy tests on CI's two cores)."""

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


def initial_customers():
    return ["c1", "c2"]
"""

DEFINITIONS = """\
from floe_dagster import FloeDefinitions

defs = FloeDefinitions.from_compiled_artifacts()
"""

FLOE_YAML = """\
name: automated
transforms:
  dbt: {project_dir: dbt}
storage:
  compute: {type: duckdb, path: "${FLOE_DUCKDB_PATH}"}
orchestration:
  asset_modules: [.assets]
  dbt: {manifest_path: dbt/target/manifest.json}
  partitions:
    daily: {type: time_window, start: "${FILL_START}", cron_schedule: "0 0 * * *"}
    regions: {type: static, partition_keys: [us, eu]}
    new_york_hours:               # 2024-03-10, when New York's clocks skip 02:00: 23 hours
      type: time_window
      start: "2024-03-10-00:00"
      end: "2024-03-10-23:00"
      cron_schedule: "0 * * * *"
      timezone: America/New_York
    customers: {type: dynamic, fn: .assets.initial_customers}
  assets:
    hourly_events:
      partitions: new_york_hours
      backfill_policy: {type: multi_run, max_partitions_per_run: 12}
    region_summary: {partitions: regions}
    customer_totals: {partitions: customers}
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
  sensors:
    regions_on_file:              # a file for a static job runs what its schedule would: all keys
      type: file_watcher
      job: regional
      path: ${DROP_DIR:drops}
      pattern: "*.csv"
      poll_interval_seconds: 5
"""


DBT_MODELS = {
    # each run appends the hours of its window: floe's vars, UTC and half open
    "hourly_events": """\
{{ config(materialized='incremental') }}
select hour, '{{ invocation_id }}' as invocation_id
from range(
    timestamp '{{ var("partition_start", "2000-01-01 00:00:00") }}',
    timestamp '{{ var("partition_end", "2000-01-01 00:00:00") }}',
    interval 1 hour
) as hours(hour)
""",
    # a region's partition reads every hour upstream (AllPartitionMapping)
    "region_summary": """\
{{ config(materialized='incremental') }}
select '{{ var("partition_key", "-") }}' as region,
       count(*) as hours,
       count(distinct invocation_id) as upstream_runs
from {{ ref('hourly_events') }}
""",
    "customer_totals": """\
{{ config(materialized='incremental') }}
select '{{ var("partition_key", "-") }}' as customer
""",
}


@pytest.fixture(scope="module")
def automated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project (Python assets and a dbt project), compiled, with its manifest parsed."""
    package = tmp_path_factory.mktemp("root") / "automated"
    (package / "dbt" / "models").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "assets.py").write_text(ASSETS)
    (package / "definitions.py").write_text(DEFINITIONS)
    (package / "floe.yaml").write_text(FLOE_YAML)
    dbt = package / "dbt"
    (dbt / "dbt_project.yml").write_text(
        "name: automated\nversion: '1.0'\nconfig-version: 2\nprofile: automated\n"
    )
    for name, sql in DBT_MODELS.items():
        (dbt / "models" / f"{name}.sql").write_text(sql)
    parsing = {
        **os.environ,
        "FLOE_DUCKDB_PATH": str(package.parent / "parse.duckdb"),
        "FILL_START": "2024-01-01",
    }
    config = load_config(package / "floe.yaml", env=parsing)
    manifest = DbtRunner(
        project_dir=dbt, state_dir=package.parent / "parse", config=config, env=parsing
    ).parse()
    (dbt / "target").mkdir()
    (dbt / "target" / "manifest.json").write_bytes(manifest.read_bytes())
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


@dataclass(frozen=True)
class Daemon:
    """``dagster dev`` (webserver and daemon) on the project, from an empty instance."""

    url: str
    package: Path
    env: dict[str, str]
    instance: DagsterInstance
    log: Path
    tick: datetime  # the minute every schedule of the project names
    started: datetime


@pytest.fixture(scope="module")
def daemon(automated: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    here = tmp_path_factory.mktemp("daemon")
    started = datetime.now(UTC)
    tick = _tick()
    local = tick.astimezone(ZoneInfo("Asia/Kathmandu"))
    env = demo_environment(
        here / "state",
        FILL_START=(started - timedelta(days=3)).strftime("%Y-%m-%d"),
        AUTO_NOTES=str(here / "notes.jsonl"),
        TICK_CRON=f"{tick.minute} {tick.hour} * * *",
        KATHMANDU_CRON=f"{local.minute} {local.hour} * * *",
        DROP_DIR=str(here / "drops"),
    )
    (here / "drops").mkdir()
    env["PYTHONPATH"] = os.pathsep.join([str(automated.parent), *filter(None, sys.path)])
    log = here / "dagster.log"
    instance = DagsterInstance.from_config(env["DAGSTER_HOME"])
    with dagster_server(env, log, module="automated.definitions", daemon=True) as url:
        yield Daemon(url, automated, env, instance, log, tick, started)
    instance.dispose()


BACKFILL = """
mutation Backfill($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
  }
}
"""


def _backfill_of_every_partition(url: str, keys: list[str]) -> str:
    """What the UI's "Materialize all" over ``keys`` submits: an asset backfill of all their
    partitions, whatever each asset's partitions are, run by the daemon."""
    params = {"assetSelection": [{"path": [key]} for key in keys], "allPartitions": True}
    result = graphql(url, BACKFILL, {"params": params})["launchPartitionBackfill"]
    assert result["__typename"] == "LaunchBackfillSuccess", result
    backfill_id: str = result["backfillId"]
    return backfill_id


def _table(env: dict[str, str], name: str) -> list[tuple[object, ...]]:
    with duckdb.connect(env["FLOE_DUCKDB_PATH"], read_only=True) as warehouse:
        [(schema,)] = warehouse.sql(
            f"select schema_name from duckdb_tables() where table_name = '{name}'"
        ).fetchall()
        return warehouse.sql(f"select * from {schema}.{name} order by all").fetchall()


def test_every_partition_kind_of_a_dbt_model_runs_through_the_daemon(daemon: Daemon) -> None:
    """dbt models partitioned by the hour across a DST day, by static keys downstream of the
    hours (on all of them), and by dynamic keys that floe's sensor adds from a function: one
    backfill of all their partitions, as the UI submits it, run by the daemon for real."""
    instance, log = daemon.instance, daemon.log
    sys.path.insert(0, str(daemon.package.parent))
    artifact = daemon.package / "compiled_artifacts.json"
    defs = FloeDefinitions.from_compiled_artifacts(artifact, env=daemon.env)
    mapping = defs.resolve_asset_graph().get_partition_mapping(
        AssetKey("region_summary"), AssetKey("hourly_events")
    )
    assert isinstance(mapping, AllPartitionMapping), mapping  # a region reads every hour
    _until(
        "floe_partition_keys_customers adds the function's keys",
        lambda: list(instance.get_dynamic_partitions("customers")) == ["c1", "c2"],
        log,
    )
    backfill_id = _backfill_of_every_partition(
        daemon.url, ["hourly_events", "region_summary", "customer_totals"]
    )
    _until(
        "the backfill of every partition completes",
        lambda: (
            (b := instance.get_backfill(backfill_id)) is not None and b.status.value != "REQUESTED"
        ),
        log,
    )
    backfill = instance.get_backfill(backfill_id)
    assert backfill is not None
    assert backfill.status.value == "COMPLETED_SUCCESS", backfill.status
    runs = instance.get_runs(RunsFilter(tags={"dagster/backfill": backfill_id}))
    assert all(r.status == DagsterRunStatus.SUCCESS for r in runs)

    # hourly, America/New_York, 2024-03-10: 23 keys (no 02:00), in two runs of 12 and 11 keys
    hours = instance.get_materialized_partitions(AssetKey("hourly_events"))
    assert len(hours) == 23, sorted(hours)
    assert "2024-03-10-02:00" not in hours
    assert {"2024-03-10-01:00", "2024-03-10-03:00"} <= hours
    ranges = sorted(
        (r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"])
        for r in runs
        if "dagster/asset_partition_range_start" in r.tags
    )
    assert ranges == [
        ("2024-03-10-00:00", "2024-03-10-12:00"),
        ("2024-03-10-13:00", "2024-03-10-23:00"),
    ], ranges
    # ... and dbt got each run's window in UTC: together 23 consecutive hours, none twice
    written = [hour for hour, _ in _table(daemon.env, "hourly_events")]
    first = datetime(2024, 3, 10, 5)  # midnight EST
    assert written == [first + timedelta(hours=h) for h in range(23)], written
    assert len({run for _, run in _table(daemon.env, "hourly_events")}) == 2

    # static keys downstream of the hours: each region's run came after every hour was written
    assert instance.get_materialized_partitions(AssetKey("region_summary")) == {"us", "eu"}
    assert _table(daemon.env, "region_summary") == [("eu", 23, 2), ("us", 23, 2)]

    # dynamic keys, added by floe's sensor from `fn`, each run for real
    assert instance.get_materialized_partitions(AssetKey("customer_totals")) == {"c1", "c2"}
    assert _table(daemon.env, "customer_totals") == [("c1",), ("c2",)]
    print(
        f"{len(runs)} runs of the backfill, done {datetime.now(UTC) - daemon.started} after start"
    )


def test_a_file_for_a_static_job_runs_every_key(daemon: Daemon) -> None:
    """FR-035 over static partitions: a file dropped into the watched folder runs the job for
    the keys a schedule would (every key), one run each, once."""
    (Path(daemon.env["DROP_DIR"]) / "regions_0001.csv").write_text("region\nus\n")

    def by_the_sensor() -> list[DagsterRun]:
        return list(daemon.instance.get_runs(RunsFilter(tags={"floe/sensor": "regions_on_file"})))

    _until(
        "the file runs `regional` for us and eu",
        lambda: (
            len(runs := by_the_sensor()) == 2
            and all(r.status == DagsterRunStatus.SUCCESS for r in runs)
        ),
        daemon.log,
    )
    assert {r.tags["dagster/partition"] for r in by_the_sensor()} == {"us", "eu"}
    assert {r.job_name for r in by_the_sensor()} == {"regional"}
    time.sleep(12)  # two more ticks of the sensor: the same file runs nothing again
    assert len(by_the_sensor()) == 2


def test_the_daemon_fills_missing_partitions_and_follows_upstream(daemon: Daemon) -> None:
    """One daemon from an empty instance: the automation conditions (``on_missing``, ``eager``,
    ``on_cron``) and the schedules (FR-024, 025, 028, 040), each tick at one minute, TICK."""
    instance, log, env, tick = daemon.instance, daemon.log, daemon.env, daemon.tick
    windows = {(daemon.started - timedelta(days=d)).strftime("%Y-%m-%d") for d in (1, 2, 3)}

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


def test_a_schedule_loses_the_assets_automation_owns(automated: Path, tmp_path: Path) -> None:
    package = automated
    env = demo_environment(tmp_path / "state", FILL_START="2024-01-01")
    env["PYTHONPATH"] = os.pathsep.join([str(package.parent), *filter(None, sys.path)])

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

    sys.path.insert(0, str(package.parent))
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
