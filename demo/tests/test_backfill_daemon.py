"""The demo's named backfill submitted to a Dagster instance with the daemon running (SC-007):
the daemon runs it in batches of ``batch_size`` and the instance lists it as a backfill. Then
the lake's maintenance jobs, launched as the UI does and run by the daemon, on what it wrote."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
from backfills import (
    BACKFILL,
    FIRST_DAYS,
    RANGE_END,
    RANGE_START,
    backfill_project,
    every_day_materialized,
)
from dagster import DagsterInstance, RunsFilter
from dagster_http import launch, run_status
from dagster_processes import dagster_server
from demo_env import floe
from pyiceberg.catalog import load_catalog

from demo.data_engineering.orchestration.assets import bronze

RUN_SECONDS = 300


def _lake(env: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Each bronze Iceberg table's (rows, data files) in its current snapshot."""
    catalog = load_catalog("floe", type="sql", uri=env["FLOE_CATALOG_URI"])
    found = {}
    for name in bronze.DAY_COLUMNS:
        table = catalog.load_table(f"bronze.{name}")
        found[name] = (table.scan().to_arrow().num_rows, len(list(table.scan().plan_files())))
    return found


def _run_to_success(url: str, location: str, job: str) -> str:
    run_id = launch(url, location, job)
    deadline = time.monotonic() + RUN_SECONDS
    while (status := run_status(url, run_id)) not in ("SUCCESS", "FAILURE", "CANCELED"):
        assert time.monotonic() < deadline, f"{job} still {status} after {RUN_SECONDS}s"
        time.sleep(1)
    assert status == "SUCCESS", (job, status)
    return run_id


def test_the_named_backfill_runs_through_the_daemon(tmp_path: Path) -> None:
    project, env = backfill_project(tmp_path)
    home = Path(env["DAGSTER_HOME"])
    (home / "dagster.yaml").write_text(
        "telemetry:\n  enabled: false\nrun_queue:\n  max_concurrent_runs: 2\n"
    )
    module = "backfill_shop.orchestration.definitions"
    with dagster_server(env, tmp_path / "dagster.log", module=module, daemon=True) as url:
        result = floe(
            env,
            *("backfill", BACKFILL, str(project / "floe.yaml"), "--wait", "--timeout", "600"),
            timeout=900,
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
        # maintenance on the lake the backfill wrote, run by the daemon as the UI launches it
        before = _lake(env)
        compacted = _run_to_success(url, module, "compact_tables")
        analyzed = _run_to_success(url, module, "analyze_warehouse")
        after = _lake(env)
    assert "COMPLETED_SUCCESS, 12 run(s) succeeded, 0 failed" in result.stdout
    instance = DagsterInstance.from_config(str(home))
    [backfill] = instance.get_backfills()
    assert backfill.title == BACKFILL
    assert backfill.status.value == "COMPLETED_SUCCESS"
    runs = instance.get_runs(RunsFilter(tags={"dagster/backfill": backfill.backfill_id}))
    assert len(runs) == 12
    sizes = sorted((r.tags[RANGE_START], r.tags[RANGE_END]) for r in runs if RANGE_START in r.tags)
    assert sizes == [(FIRST_DAYS[i], FIRST_DAYS[i + 9]) for i in range(0, 120, 10)]
    every_day_materialized(instance)

    print(f"bronze (rows, data files) before compaction {before}, after {after}")
    for name, (rows, files) in before.items():
        assert after[name][0] == rows > 0, name  # not a row lost or added
        assert after[name][1] < files, (name, files, after[name][1])  # fewer, larger files
    compact_report = _output_metadata(instance, compacted)
    assert set(compact_report) == {f"bronze.{name}" for name in before}, compact_report
    counts = _output_metadata(instance, analyzed)  # the op's output: table -> rows analyzed
    with duckdb.connect(env["FLOE_DUCKDB_PATH"], read_only=True) as warehouse:
        tables = warehouse.sql(
            "select schema_name || '.' || table_name from duckdb_tables() order by 1"
        ).fetchall()
        assert sorted(counts) == [t for (t,) in tables], counts
        for table, rows in counts.items():
            [(counted,)] = warehouse.sql(f"select count(*) from {table}").fetchall()
            assert rows == counted, table
    assert {"silver.stg_orders", "silver.stg_customers"} <= set(counts)
    instance.dispose()


def _output_metadata(instance: DagsterInstance, run_id: str) -> dict[str, object]:
    """The metadata of the one op's output in run ``run_id``: what the function returned."""
    [output] = [
        e.dagster_event.step_output_data
        for e in instance.all_logs(run_id)
        if e.dagster_event is not None and e.dagster_event.event_type_value == "STEP_OUTPUT"
    ]
    return {key: value.value for key, value in output.metadata.items()}
