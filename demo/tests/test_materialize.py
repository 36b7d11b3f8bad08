"""The whole medallion pipeline in-process: real Dagster, dbt, DuckDB and Iceberg."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance
from demo_env import ARTIFACT, BRONZE, GOLD, SILVER, WHOLE_YEAR, demo_environment
from pyiceberg.catalog import load_catalog

from floe_dagster import FloeDefinitions


def _gold_counts(env: dict[str, str]) -> dict[str, int]:
    with duckdb.connect(env["FLOE_DUCKDB_PATH"], read_only=True) as db:
        return {
            table: db.execute(f"select count(*) from gold.{table}").fetchone()[0]  # type: ignore[index]
            for table in GOLD
        }


def _use_demo_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A temporary DAGSTER_HOME and warehouse, set in this process's environment."""
    env = demo_environment(tmp_path / "state")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_full_pipeline_materializes_and_is_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _use_demo_environment(tmp_path, monkeypatch)
    defs = FloeDefinitions.from_compiled_artifacts(ARTIFACT)
    job = defs.resolve_job_def("medallion_pipeline")
    instance = DagsterInstance.get()

    first = job.execute_in_process(instance=instance, tags=WHOLE_YEAR)
    assert first.success
    materialized = {
        event.asset_key.to_user_string()  # type: ignore[union-attr]
        for event in first.get_asset_materialization_events()
    }
    assert materialized == set(BRONZE + SILVER + GOLD)
    checks = [
        event.event_specific_data
        for event in first.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert len(checks) == 23
    assert all(check.passed for check in checks), [c.check_name for c in checks if not c.passed]
    assert _gold_counts(env) == {"customer_orders": 1000, "revenue_by_product": 100}

    second = job.execute_in_process(instance=instance, tags=WHOLE_YEAR)
    assert second.success
    assert _gold_counts(env) == {"customer_orders": 1000, "revenue_by_product": 100}
    with duckdb.connect(env["FLOE_DUCKDB_PATH"], read_only=True) as db:
        orders = db.execute(
            "select count(*), count(distinct order_id) from silver.stg_orders"
        ).fetchone()
    assert orders == (5000, 5000)


def _snapshots(env: dict[str, str]) -> dict[str, int]:
    catalog = load_catalog("floe", type="sql", uri=env["FLOE_CATALOG_URI"])
    return {
        ".".join(identifier): len(catalog.load_table(identifier).metadata.snapshots)
        for identifier in catalog.list_tables("bronze")
    }


def test_the_ops_job_expires_snapshots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = _use_demo_environment(tmp_path, monkeypatch)
    monkeypatch.setenv("FLOE_DEMO_SCALE", "0.05")
    defs = FloeDefinitions.from_compiled_artifacts(ARTIFACT)
    instance = DagsterInstance.get()
    for _ in range(3):  # an append, then two overwrites: several snapshots per table
        bronze = defs.resolve_job_def("bronze_refresh")
        assert bronze.execute_in_process(instance=instance, tags=WHOLE_YEAR).success
    before = _snapshots(env)
    assert len(before) == 4
    assert min(before.values()) >= 3, before
    vacuum = defs.resolve_job_def("vacuum_tables")

    kept = vacuum.execute_in_process(instance=instance)  # floe.yaml: 7 days, all are younger
    assert kept.success
    assert _snapshots(env) == before

    dry = vacuum.execute_in_process(
        instance=instance,
        run_config={
            "ops": {"vacuum_tables_op": {"config": {"retention_days": 0, "dry_run": True}}}
        },
    )
    assert dry.success
    assert _snapshots(env) == before

    expired = vacuum.execute_in_process(
        instance=instance,
        run_config={"ops": {"vacuum_tables_op": {"config": {"retention_days": 0}}}},
    )
    assert expired.success
    assert _snapshots(env) == dict.fromkeys(before, 1)  # only each current snapshot is left
    catalog = load_catalog("floe", type="sql", uri=env["FLOE_CATALOG_URI"])
    orders = catalog.load_table("bronze.orders").scan().to_arrow()  # the data is still there
    assert len(set(orders.column("order_id").to_pylist())) == 250
