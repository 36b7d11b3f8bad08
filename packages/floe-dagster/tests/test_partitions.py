"""Partitions of every kind (FR-011..015), the schedules over them (FR-028) and named backfills
(FR-041..044), on Python assets, through a real instance; dbt models get the partition as vars.

The assets note each partition they run for in ``$KINDS_NOTES`` (a JSON line per run), so the
tests see what the asset saw, not only what Dagster recorded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    RunRequest,
    build_schedule_context,
    build_sensor_context,
)
from projects import write_project

from floe_config import load_config
from floe_dagster import FloeDefinitions, cli_main
from floe_dagster._errors import Problems
from floe_dagster._orchestration.backfill_run import run_in_process
from floe_dagster._orchestration.backfills import plan_backfills
from floe_dagster._orchestration.jobs import job_assets
from floe_dbt import DbtRunner

ASSETS = """\
import json
import os

from dagster import AssetExecutionContext, MultiPartitionKey, asset


def _note(name, context):
    key = context.partition_key
    if os.environ.get("KINDS_FAIL") == key:
        raise ValueError(f"no rows for {key}")
    seen = key.keys_by_dimension if isinstance(key, MultiPartitionKey) else key
    with open(os.environ["KINDS_NOTES"], "a") as notes:
        notes.write(json.dumps({"asset": name, "key": seen}) + "\\n")


def initial_customers():
    return ["c1", "c2"]


@asset
def by_region(context: AssetExecutionContext) -> None:
    _note("by_region", context)


@asset
def sales(context: AssetExecutionContext) -> None:
    _note("sales", context)


@asset
def customer_profile(context: AssetExecutionContext) -> None:
    _note("customer_profile", context)


@asset
def discover(context: AssetExecutionContext) -> None:
    context.instance.add_dynamic_partitions("customers", ["c3"])
"""

FLOE_YAML = """\
name: kinds
orchestration:
  asset_modules: [.assets]
  partitions:
    daily: {type: time_window, start: "2024-01-01", cron_schedule: "0 0 * * *"}
    regions: {type: static, partition_keys: [us, eu, ap]}
    daily_by_region: {type: multi, dimensions: {date: daily, region: regions}}
    customers: {type: dynamic, fn: .assets.initial_customers}
  assets:
    by_region: {partitions: regions}
    sales: {partitions: daily_by_region}
    customer_profile: {partitions: customers}
  jobs:
    regional: {type: batch, selection: [by_region]}
    sales_job: {type: batch, selection: [sales]}
    profiles: {type: batch, selection: [customer_profile]}
    discovery: {type: batch, selection: [discover]}
  schedules:
    every_region: {job: regional, cron_schedule: "0 6 * * *"}
    latest_sales: {job: sales_job, cron_schedule: "0 6 * * *", timezone: America/New_York}
  backfills:
    some_regions: {job: regional, partitions: [us, ap]}
    january_sales:
      job: sales_job
      partition_range: {start: "2024-01-01", end: "2024-01-05"}
      batch_size: 2
"""


@pytest.fixture
def kinds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    path = write_project(tmp_path / "code", "kinds_project", floe_yaml=FLOE_YAML, assets=ASSETS)
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {
        "FLOE_STATE_DIR": str(tmp_path / "state"),
        "DAGSTER_HOME": str(home),
        "KINDS_NOTES": str(tmp_path / "notes.jsonl"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = load_config(path, env=env)
    return {
        "config": config,
        "defs": FloeDefinitions.from_config(config, env=env),
        "instance": DagsterInstance.from_config(str(home)),
        "notes": tmp_path / "notes.jsonl",
        "env": env,
        "root": tmp_path / "code",
    }


def _notes(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _requests(defs: Any, name: str, at: datetime, instance: DagsterInstance) -> list[RunRequest]:
    schedule = defs.resolve_schedule_def(name)
    context = build_schedule_context(
        instance=instance, scheduled_execution_time=at, repository_def=defs.get_repository_def()
    )
    return list(schedule.evaluate_tick(context).run_requests or [])


def test_static_partitions_materialize_key_by_key(kinds: dict[str, Any]) -> None:
    defs, instance = kinds["defs"], kinds["instance"]
    job = defs.resolve_job_def("regional")
    for done, key in enumerate(["us", "eu", "ap"], 1):
        assert job.execute_in_process(instance=instance, partition_key=key).success
        assert len(instance.get_materialized_partitions(AssetKey("by_region"))) == done
    assert [n["key"] for n in _notes(kinds["notes"])] == ["us", "eu", "ap"]
    # a schedule over static keys runs every key on every tick (the selector that fits: all)
    requests = _requests(defs, "every_region", datetime(2024, 5, 1, 6, tzinfo=UTC), instance)
    assert [r.partition_key for r in requests] == ["us", "eu", "ap"]


def test_multi_partitions_materialize_key_by_key(kinds: dict[str, Any]) -> None:
    defs, instance = kinds["defs"], kinds["instance"]
    job = defs.resolve_job_def("sales_job")
    assert job.execute_in_process(instance=instance, partition_key="2024-01-02|eu").success
    assert job.execute_in_process(instance=instance, partition_key="2024-01-03|us").success
    assert [n["key"] for n in _notes(kinds["notes"])] == [
        {"date": "2024-01-02", "region": "eu"},
        {"date": "2024-01-03", "region": "us"},
    ]
    assert instance.get_materialized_partitions(AssetKey("sales")) == {
        "2024-01-02|eu",
        "2024-01-03|us",
    }
    # latest: the newest complete UTC day as of 06:00 in New York, for every region
    at = datetime(2024, 3, 10, 6, tzinfo=ZoneInfo("America/New_York"))
    requests = _requests(defs, "latest_sales", at, instance)
    assert [r.partition_key for r in requests] == [
        "2024-03-09|us",
        "2024-03-09|eu",
        "2024-03-09|ap",
    ]
    assert len({r.run_key for r in requests}) == 3  # one run per key, each once


def test_a_dynamic_partition_gains_a_key_at_run_time(kinds: dict[str, Any]) -> None:
    defs, instance = kinds["defs"], kinds["instance"]
    # fn's keys arrive through floe's sensor, RUNNING from the start
    sensor = defs.resolve_sensor_def("floe_partition_keys_customers")
    assert sensor.default_status.value == "RUNNING"
    result = sensor.evaluate_tick(build_sensor_context(instance=instance))
    [request] = result.dynamic_partitions_requests or []
    assert (request.partitions_def_name, list(request.partition_keys)) == (
        "customers",
        ["c1", "c2"],
    )
    instance.add_dynamic_partitions("customers", list(request.partition_keys))
    assert not sensor.evaluate_tick(
        build_sensor_context(instance=instance)
    ).dynamic_partitions_requests

    # a run adds a key, and the next run materializes it: real processes, multiprocess executor
    env = dict(os.environ, **kinds["env"])
    env["PYTHONPATH"] = os.pathsep.join([str(kinds["root"]), *filter(None, sys.path)])
    (kinds["root"] / "kinds_project" / "definitions.py").write_text(
        "import os\nfrom pathlib import Path\n\nfrom floe_config import load_config\n"
        "from floe_dagster import FloeDefinitions\n\n"
        "config = load_config(Path(__file__).parent / 'floe.yaml', env=os.environ)\n"
        "defs = FloeDefinitions.from_config(config)\n"
    )
    dagster = str(Path(sys.executable).parent / "dagster")
    module = ["-m", "kinds_project.definitions"]
    for job, tags in (("discovery", []), ("profiles", ["--tags", '{"dagster/partition": "c3"}'])):
        run = subprocess.run(
            [dagster, "job", "execute", *module, "-j", job, *tags],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert list(instance.get_dynamic_partitions("customers")) == ["c1", "c2", "c3"]
    assert instance.get_materialized_partitions(AssetKey("customer_profile")) == {"c3"}
    assert _notes(kinds["notes"])[-1] == {"asset": "customer_profile", "key": "c3"}


def _plans(kinds: dict[str, Any]) -> dict[str, Any]:
    config, defs = kinds["config"], kinds["defs"]
    graph = defs.resolve_asset_graph()
    jobs = {
        n: job_assets(config.orchestration.jobs[n], graph=graph) for n in ("regional", "sales_job")
    }
    problems = Problems()
    plans = plan_backfills(
        config, job_assets=jobs, graph=graph, problems=problems, instance=kinds["instance"]
    )
    assert not problems
    return plans


def test_named_backfills_of_static_and_multi_partitions(kinds: dict[str, Any]) -> None:
    plans = _plans(kinds)
    # static keys that are not neighbours in the definition never share a range run
    assert plans["some_regions"].batches == (("us",), ("ap",))
    # a range of days covers every region; a run is up to 2 days of one region, days first
    january = plans["january_sales"]
    assert len(january.keys) == 15
    assert [len(b) for b in january.batches] == [2, 2, 2, 2, 2, 2, 1, 1, 1]
    for batch in january.batches:
        assert len({key.split("|")[1] for key in batch}) == 1
    assert january.batches[0][0].startswith("2024-01-01|")
    assert kinds["defs"].resolve_assets_def("sales").backfill_policy.max_partitions_per_run == 2

    result = run_in_process(kinds["defs"], plans["some_regions"], kinds["instance"])
    assert result.success
    assert [b.keys for b in result.batches] == [("us",), ("ap",)]
    assert kinds["instance"].get_materialized_partitions(AssetKey("by_region")) == {"us", "ap"}


def test_a_backfill_run_here_names_the_run_that_failed_and_why(
    kinds: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``floe backfill --in-process``: a failed run does not stop the next, and the summary
    names it with its partitions and its step's error where the asset raised it."""
    monkeypatch.setenv("KINDS_FAIL", "us")
    floe_yaml = str(kinds["config"].source.file)
    assert cli_main(["backfill", "some_regions", floe_yaml, "--in-process"]) == 1
    said = capsys.readouterr().out.splitlines()
    assert said[0].startswith("backfill some_regions: 1 of 2 runs succeeded, 1 failed; 1 of 2 ")
    assets = kinds["root"] / "kinds_project" / "assets.py"
    line = assets.read_text().splitlines().index('        raise ValueError(f"no rows for {key}")')
    failed = [row for row in said if row.startswith("  FAILED us (run ")]
    assert len(failed) == 1, said
    # the module is the first test's copy: Python imports kinds_project once per process
    assert failed[0].endswith(
        f"/{assets.relative_to(kinds['root'].parent)}:{line + 1} in _note)"
    ), failed
    assert "): step by_region: ValueError: no rows for us (at /" in failed[0]
    assert kinds["instance"].get_materialized_partitions(AssetKey("by_region")) == {"ap"}


DBT_FLOE_YAML = """\
name: vars_shop
transforms:
  dbt:
    project_dir: dbt
storage:
  compute:
    type: duckdb
    path: ${FLOE_DUCKDB_PATH}
orchestration:
  dbt:
    manifest_path: dbt/target/manifest.json
  partitions:
    daily: {type: time_window, start: "2024-01-01", cron_schedule: "0 0 * * *"}
    regions: {type: static, partition_keys: [us, eu]}
    daily_by_region: {type: multi, dimensions: {date: daily, region: regions}}
  assets:
    regional_sales: {partitions: daily_by_region}
    daily_totals: {partitions: daily}
  jobs:
    regional: {type: batch, selection: [regional_sales]}
    totals: {type: batch, selection: [daily_totals, all_days]}
"""
VARS = ("date", "region", "partition_key", "partition_keys", "partition_start", "partition_end")
MODEL = "{{ config(materialized='table') }}\nselect\n" + ",\n".join(
    f'    \'{{{{ var("{name}", "-") }}}}\' as {name}'
    if name != "partition_keys"
    else f'    \'{{{{ var("{name}", ["-"]) | join(",") }}}}\' as {name}'
    for name in VARS
)


def test_dbt_models_get_their_partition_as_vars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A multi-partitioned model gets one var per dimension and the day's window; a
    time-partitioned one run over a range gets the range's window and its keys; an
    unpartitioned one in the same run gets none (it is built whole, from dbt's saved parse)."""
    path = write_project(tmp_path / "code", "vars_shop", floe_yaml=DBT_FLOE_YAML, assets="")
    dbt = path.parent / "dbt"
    (dbt / "models").mkdir(parents=True)
    (dbt / "dbt_project.yml").write_text(
        "name: vars_shop\nversion: '1.0'\nconfig-version: 2\nprofile: vars_shop\n"
    )
    for model in ("regional_sales", "daily_totals", "all_days"):
        (dbt / "models" / f"{model}.sql").write_text(MODEL)
    env = {"FLOE_STATE_DIR": str(tmp_path / "state"), "FLOE_DUCKDB_PATH": str(tmp_path / "w.db")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = load_config(path, env=env)
    manifest = DbtRunner(project_dir=dbt, state_dir=tmp_path / "parse", config=config).parse()
    (dbt / "target").mkdir()
    (dbt / "target" / "manifest.json").write_bytes(manifest.read_bytes())
    defs = FloeDefinitions.from_config(config, env=env)

    with DagsterInstance.ephemeral() as instance:
        regional = defs.resolve_job_def("regional")
        assert regional.execute_in_process(instance=instance, partition_key="2024-01-02|eu").success
        range_tags = {
            "dagster/asset_partition_range_start": "2024-01-03",
            "dagster/asset_partition_range_end": "2024-01-05",
        }
        totals = defs.resolve_job_def("totals")
        run = totals.execute_in_process(instance=instance, tags=range_tags)
        assert run.success
        commands = {
            entry.step_key: entry.user_message
            for entry in instance.all_logs(run.run_id)
            if entry.user_message.startswith("Running dbt command")
        }
        again = totals.execute_in_process(
            instance=instance, tags=range_tags, asset_selection=[AssetKey("all_days")]
        )
        assert again.success
        assert instance.get_materialized_partitions(AssetKey("daily_totals")) == {
            "2024-01-03",
            "2024-01-04",
            "2024-01-05",
        }
    with duckdb.connect(env["FLOE_DUCKDB_PATH"], read_only=True) as db:
        rows = {
            table: dict(
                zip(VARS, db.execute(f"select * from {table}").fetchone() or (), strict=True)
            )
            for table in ("regional_sales", "daily_totals", "all_days")
        }
    assert rows["regional_sales"] == {
        "date": "2024-01-02",
        "region": "eu",
        "partition_key": "2024-01-02|eu",
        "partition_keys": "-",
        "partition_start": "2024-01-02 00:00:00",
        "partition_end": "2024-01-03 00:00:00",
    }
    assert rows["daily_totals"] == {
        "date": "-",
        "region": "-",
        "partition_key": "-",
        "partition_keys": "2024-01-03,2024-01-04,2024-01-05",
        "partition_start": "2024-01-03 00:00:00",
        "partition_end": "2024-01-06 00:00:00",
    }
    assert rows["all_days"] == dict.fromkeys(VARS, "-")
    assert len(commands) == 2, commands
    assert [step for step, command in commands.items() if "--vars" in command] == ["dbt_daily"]
    # no saved parse beside the manifest: the first step without vars parsed in full and kept
    # its parse; the next one starts from it (a partitioned step's vars would void it)
    target = tmp_path / "state" / "dbt" / "target"
    first = (target / run.run_id / "dbt_models" / "dbt.log").read_text()
    second = (target / again.run_id / "dbt_models" / "dbt.log").read_text()
    assert "Unable to do partial parsing because saved manifest not found" in first
    assert "Unable to do partial parsing" not in second


def test_validate_warns_when_the_partitions_changed_under_materializations(
    kinds: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """The instance keeps what it recorded; ``floe validate`` says which assets the new
    definitions no longer describe, and nothing is lost."""
    defs, instance = kinds["defs"], kinds["instance"]
    for key in ("us", "eu"):
        assert (
            defs.resolve_job_def("regional")
            .execute_in_process(instance=instance, partition_key=key)
            .success
        )
    assert defs.resolve_job_def("discovery").execute_in_process(instance=instance).success
    floe_yaml = kinds["config"].source.file
    text = floe_yaml.read_text()
    text = text.replace("partition_keys: [us, eu, ap]", "partition_keys: [us, ap, de]")
    text = text.replace(
        "    by_region: {partitions: regions}\n",
        "    by_region: {partitions: regions}\n    discover: {partitions: daily}\n",
    )
    text = text.replace("    discovery: {type: batch, selection: [discover]}\n", "")
    floe_yaml.write_text(text)

    assert cli_main(["validate", str(floe_yaml)]) == 0
    out = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(out) if line.startswith("  warning: the partitions"))
    assert out[start] == (
        "  warning: the partitions changed for 2 asset(s) the instance at "
        f"{kinds['env']['DAGSTER_HOME']} has materialized:"
    )
    assert sorted(out[start + 1 : start + 3]) == [
        "    'by_region': 1 of its 2 materialized partitions are not keys of the current "
        "definition (static keys), e.g. 'eu': they and the data stay, but Dagster no longer "
        "shows them; backfill the new keys",
        "    'discover' is partitioned now (time windows '0 0 * * *' UTC), but the instance "
        "recorded it unpartitioned: the data stays; every partition shows missing until it is "
        "backfilled",
    ]
    assert instance.get_materialized_partitions(AssetKey("by_region")) == {"us", "eu"}


def test_floe_backfill_refuses_what_it_cannot_run(
    kinds: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    floe_yaml = str(kinds["config"].source.file)
    assert cli_main(["backfill", "some_region", floe_yaml]) == 1
    err = capsys.readouterr().err
    assert "no backfill named 'some_region' in floe.yaml (there are: some_regions, " in err
    assert "fix: did you mean 'some_regions'?" in err
    monkeypatch.delenv("DAGSTER_HOME")
    assert cli_main(["backfill", "some_regions", floe_yaml]) == 1
    assert "start `floe dev` on this floe.yaml first" in capsys.readouterr().err
    # with the instance `floe dev` serves in the state directory, it goes there
    served = Path(kinds["env"]["FLOE_STATE_DIR"]) / "dagster"
    served.mkdir(parents=True)
    (served / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    assert cli_main(["backfill", "some_regions", floe_yaml]) == 0
    err = capsys.readouterr().err
    assert f"using the instance in {served}" in err
    # no daemon runs on it here: the backfill is submitted, and waits for one, which floe says
    assert (
        f"  note: no Dagster daemon has ever run on this instance ({served}): the backfill "
        "waits until one runs: `floe dev` on this floe.yaml starts one"
    ) in err
    assert cli_main(["backfill", "some_regions", floe_yaml, "--location", "elsewhere"]) == 0
    config = kinds["config"]
    job = config.orchestration.backfills["some_regions"].job
    with DagsterInstance.from_config(str(served)) as instance:
        backfills = list(reversed(instance.get_backfills()))  # oldest first
        assert [b.title for b in backfills] == ["some_regions", "some_regions"]
        # a backfill of the job (its runs carry the job's name), in the location `floe dev`
        # names after floe.yaml, or the one named
        origins = [b.partition_set_origin for b in backfills]
        assert [o.partition_set_name for o in origins] == [f"{job}_partition_set"] * 2
        assert [o.repository_origin.code_location_origin.location_name for o in origins] == [
            config.name,
            "elsewhere",
        ]


DEFINITIONS = """\
import os
from pathlib import Path

from floe_config import load_config
from floe_dagster import FloeDefinitions

defs = FloeDefinitions.from_config(load_config(Path(__file__).parent / "floe.yaml", env=os.environ))
"""


def test_a_partitioned_job_run_without_a_partition_ends_before_any_step(
    tmp_path: Path,
) -> None:
    """``dagster job execute`` of a partitioned job (the multiprocess executor, from an empty
    instance) without a partition: the run fails with floe's message naming the job, its
    partitions and the fix, and no step started, so nothing was written. Given a partition, the
    same command runs it."""
    root = tmp_path / "code"
    write_project(
        root, "unpartitioned_run", floe_yaml=FLOE_YAML, assets=ASSETS, definitions=DEFINITIONS
    )
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    notes = tmp_path / "notes.jsonl"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OPENLINEAGE_"))},
        "PYTHONPATH": os.pathsep.join([str(root), *(p for p in sys.path if p)]),
        "DAGSTER_HOME": str(home),
        "FLOE_STATE_DIR": str(tmp_path / "state"),
        "KINDS_NOTES": str(notes),
    }

    def execute(job: str, *tags: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "dagster", "job", "execute", "-m",
             "unpartitioned_run.definitions", "-j", job, *tags],
            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False,
        )  # fmt: skip

    for job, words in [("regional", "static keys"), ("sales_job", "multi date x region")]:
        done = execute(job)
        output = done.stdout + done.stderr
        assert done.returncode != 0, output[-3000:]
        assert f"job '{job}' is partitioned ({words}) and this run names no partition" in output
        assert "backfill" in output
        assert "Cannot access partition_key" not in output
    assert _notes(notes) == []  # no asset ran

    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        assert sorted((r.job_name, r.status.value) for r in runs) == [
            ("regional", "FAILURE"),
            ("sales_job", "FAILURE"),
        ]
        for run in runs:
            kinds = {
                e.dagster_event.event_type_value
                for e in instance.all_logs(run.run_id)
                if e.dagster_event is not None
            }
            assert "STEP_START" not in kinds, kinds
            [failure] = [
                e.dagster_event
                for e in instance.all_logs(run.run_id)
                if e.dagster_event is not None and e.dagster_event.is_run_failure
            ]
            error = failure.job_failure_data.error  # what the UI shows for the run
            assert error is not None
            assert error.cls_name == "RunWithoutPartition"
            assert f"job '{run.job_name}' is partitioned" in error.message

    done = execute("regional", "--tags", json.dumps({"dagster/partition": "eu"}))
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert _notes(notes) == [{"asset": "by_region", "key": "eu"}]


def test_floe_run_runs_one_job_for_the_partition_it_names(tmp_path: Path) -> None:
    """``floe run JOB --partition KEY`` as cron would call it: the job's steps in their own
    processes (``dagster job execute``), or ``--in-process``, on the instance in the state
    directory (the one ``floe dev`` serves); what it cannot run is an error before any run."""
    root = tmp_path / "code"
    path = write_project(
        root, "floe_run_shop", floe_yaml=FLOE_YAML, assets=ASSETS, definitions=DEFINITIONS
    )
    notes = tmp_path / "notes.jsonl"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "FLOE_STATE_DIR")},
        "PYTHONPATH": os.pathsep.join([str(root), *(p for p in sys.path if p)]),
        "KINDS_NOTES": str(notes),
    }

    def floe_run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "floe_dagster", "run", *args],
            capture_output=True, text=True, env=env, cwd=path.parent, timeout=300, check=False,
        )  # fmt: skip

    refused = {
        ("regional",): "job 'regional' is partitioned (3 partitions) and no partition was named",
        ("regional", "--partition", "eu-west"): "job 'regional' has no partition 'eu-west'",
        ("regional", "--partition-range", "ap..us"): "--partition-range ap..us runs backwards",
        ("regionl", "--partition", "eu"): "no job named 'regionl' in floe.yaml",
        ("discovery", "--partition", "eu"): "job 'discovery' is not partitioned",
    }
    for args, message in refused.items():
        done = floe_run(*args)
        assert done.returncode == 1, done.stdout + done.stderr
        assert message in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert "fix: floe run regional --partition ap" in floe_run("regional").stderr
    assert "did you mean 'regional'?" in floe_run("regionl").stderr
    assert _notes(notes) == []

    ran = floe_run("regional", "--partition", "eu")  # a process per step
    assert ran.returncode == 0, (ran.stdout + ran.stderr)[-3000:]
    [(run_id, status)] = [line.split(": ") for line in ran.stdout.splitlines()]
    assert status == "SUCCESS"
    quick = floe_run("regional", "floe.yaml", "--partition", "ap", "--in-process")
    assert quick.returncode == 0, (quick.stdout + quick.stderr)[-3000:]
    assert _notes(notes) == [
        {"asset": "by_region", "key": "eu"},
        {"asset": "by_region", "key": "ap"},
    ]
    home = path.parent / ".floe" / "dagster"  # floe dev's instance: the state directory's
    with DagsterInstance.from_config(str(home)) as instance:
        runs = sorted(instance.get_runs(), key=lambda r: r.tags["dagster/partition"])
        assert [(r.job_name, r.tags["dagster/partition"], r.status.value) for r in runs] == [
            ("regional", "ap", "SUCCESS"),
            ("regional", "eu", "SUCCESS"),
        ]
        assert run_id.removeprefix("run ") in {r.run_id for r in runs}
