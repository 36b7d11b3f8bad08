"""The demo's daily partitions (SC-006, SC-007): a day's run writes exactly that day's orders and
order lines and the dimensions whole, and the named backfill runs in batches, in-process and
through the daemon. Real instance, dbt,
DuckDB and Iceberg; the expected counts come from the bronze generator itself."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from backfills import (
    BACKFILL,
    FIRST_DAYS,
    RANGE_END,
    RANGE_START,
    backfill_project,
    every_day_materialized,
)
from dagster import AssetKey, DagsterInstance, DagsterRunStatus
from demo_env import BRONZE, DAILY, SILVER, compile_project, copy_demo, demo_environment, floe
from pyiceberg.catalog import load_catalog

from demo.data_engineering.orchestration.assets import bronze
from floe_dagster import FloeDefinitions


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


KEYS = {
    "customers": "customer_id",
    "products": "product_id",
    "orders": "order_id",
    "order_items": "order_item_id",
}


def expected_silver(day: date) -> dict[str, int]:
    """What each daily stg model must hold for ``day``, from the generator: latest rows per
    key."""
    found = {}
    for name in bronze.DAY_COLUMNS:
        key = KEYS[name]
        table = bronze.TABLES[name]().to_pylist()
        on_day = {row[key] for row in table if _day(row[bronze.DAY_COLUMNS[name]]) == day}
        found[f"stg_{name}"] = len(on_day)
    return found


def bronze_by_day(env: dict[str, str]) -> dict[str, Counter[date]]:
    catalog = load_catalog("floe", type="sql", uri=env["FLOE_CATALOG_URI"])
    found = {}
    for name, column in bronze.DAY_COLUMNS.items():
        values = catalog.load_table(f"bronze.{name}").scan().to_arrow().column(column)
        found[name] = Counter(_day(v) for v in values.to_pylist())
    return found


def silver_by_day(env: dict[str, str]) -> dict[str, Counter[date]]:
    columns = {"stg_orders": "ordered_at", "stg_order_items": "ordered_at"}
    with duckdb.connect(env["FLOE_DUCKDB_PATH"], read_only=True) as db:
        return {
            model: Counter(
                _day(row[0]) for row in db.execute(f"select {c} from silver.{model}").fetchall()
            )
            for model, c in columns.items()
        }


def dimensions(env: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Each dimension's rows in bronze and in silver."""
    catalog = load_catalog("floe", type="sql", uri=env["FLOE_CATALOG_URI"])
    with duckdb.connect(env["FLOE_DUCKDB_PATH"], read_only=True) as db:
        return {
            name: (
                catalog.load_table(f"bronze.{name}").scan().to_arrow().num_rows,
                db.execute(f"select count(*) from silver.stg_{name}").fetchall()[0][0],
            )
            for name in bronze.DIMENSIONS
        }


def test_one_day_writes_exactly_that_days_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_demo(tmp_path / "root", "daily_shop")
    env = demo_environment(tmp_path / "state")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    defs = FloeDefinitions.from_compiled_artifacts(compile_project(project), env=env)
    job = defs.resolve_job_def("daily_ingest")
    instance = DagsterInstance.get()
    march_10, march_11 = date(2024, 3, 10), date(2024, 3, 11)
    per_day = {name: bronze.rows_per_day(name) for name in bronze.DAY_COLUMNS}

    run = job.execute_in_process(instance=instance, partition_key="2024-03-10")
    assert run.success
    assert bronze_by_day(env) == {
        name: Counter({march_10: c[march_10]}) for name, c in per_day.items()
    }
    wanted = expected_silver(march_10)
    assert silver_by_day(env) == {m: Counter({march_10: n}) for m, n in wanted.items()}
    assert per_day["orders"][march_10] > wanted["stg_orders"]  # silver keeps the latest status

    # the next day adds its own rows and leaves the first alone; a re-run replaces only its day
    assert job.execute_in_process(instance=instance, partition_key="2024-03-11").success
    assert job.execute_in_process(instance=instance, partition_key="2024-03-10").success
    days = (march_10, march_11)
    assert bronze_by_day(env) == {
        name: Counter({d: c[d] for d in days}) for name, c in per_day.items()
    }
    second = expected_silver(march_11)
    assert silver_by_day(env) == {
        model: Counter({march_10: wanted[model], march_11: second[model]}) for model in wanted
    }
    for key in DAILY:
        assert instance.get_materialized_partitions(AssetKey(key)) == {"2024-03-10", "2024-03-11"}
    assert dimensions(env) == {  # whole after every run, once per key in silver
        name: (bronze.TABLES[name]().num_rows, len(set(bronze.TABLES[name]()[KEYS[name]])))
        for name in bronze.DIMENSIONS
    }
    for key in set(BRONZE + SILVER) - set(DAILY):
        assert instance.get_materialized_partitions(AssetKey(key)) == set()  # unpartitioned
        assert len(instance.fetch_materializations(AssetKey(key), limit=5).records) == 3


def test_the_named_backfill_runs_in_process_in_ordered_batches(tmp_path: Path) -> None:
    project, env = backfill_project(tmp_path)

    result = floe(
        env, "backfill", BACKFILL, str(project / "floe.yaml"), "--in-process", timeout=900
    )

    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert (
        f"backfill {BACKFILL}: 12 of 12 runs succeeded, 0 failed; 120 of 120 partitions "
        "materialized in "
    ) in result.stdout
    assert "12/12 runs  120/120 partitions  2024-04-20..2024-04-29 ok" in result.stderr
    instance = DagsterInstance.from_config(env["DAGSTER_HOME"])
    runs = list(reversed(instance.get_runs()))  # oldest first
    assert len(runs) == 12
    assert all(r.status == DagsterRunStatus.SUCCESS for r in runs)
    ranges = [(r.tags[RANGE_START], r.tags[RANGE_END]) for r in runs]
    assert ranges == [(FIRST_DAYS[i], FIRST_DAYS[i + 9]) for i in range(0, 120, 10)]
    assert {r.tags["floe/backfill"] for r in runs} == {BACKFILL}
    every_day_materialized(instance)
    bronze_days = bronze_by_day(env)
    assert set(bronze_days["orders"]) <= {date.fromisoformat(d) for d in FIRST_DAYS}
    assert bronze_days["orders"] == Counter(
        {d: n for d, n in bronze.rows_per_day("orders").items() if d.isoformat() in FIRST_DAYS}
    )
    instance.dispose()
