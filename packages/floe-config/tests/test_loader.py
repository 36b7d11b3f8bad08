from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from floe_config import (
    BatchJob,
    FloeConfigError,
    MultiPartitions,
    OnCronCondition,
    OpsJob,
    load_config,
)

EXAMPLE = Path("packages/floe-config/tests/data/spec_example/floe.yaml")


def test_the_spec_example_loads_with_its_defaults() -> None:
    config = load_config(EXAMPLE, env={})
    orchestration = config.orchestration
    assert config.name == "ecommerce_demo"
    assert config.source.base_package == "spec_example"
    assert config.module(".orchestration.assets.ops") == "spec_example.orchestration.assets.ops"
    assert orchestration.schedules["daily_bronze"].enabled is False
    assert orchestration.schedules["daily_bronze"].cron_schedule == "0 6 * * *"
    assert orchestration.schedules["weekly_vacuum"].enabled is True
    vacuum = orchestration.jobs["vacuum_tables"]
    assert isinstance(vacuum, OpsJob)
    assert vacuum.args == {"retention_days": 7, "dry_run": False}
    gold = orchestration.jobs["gold_pipeline"]
    assert isinstance(gold, BatchJob)
    assert gold.selection[2] == "group:gold and not key:tmp_*"
    assert isinstance(orchestration.partitions["daily_by_region"], MultiPartitions)
    assert orchestration.partitions["hourly"].effective_fmt == "%Y-%m-%d-%H:%M"  # type: ignore[union-attr]
    assert isinstance(
        orchestration.assets["revenue_by_product"].automation_condition, OnCronCondition
    )
    assert config.observability.lineage.url is None
    assert config.storage.catalog.uri == "sqlite:///.floe/catalog.db"
    assert {v.name for v in config.source.variables} >= {"SCHEDULE_ENABLED", "BRONZE_CRON"}


def _dump(value: object, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            out.update(_dump(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list):
        out = {}
        for index, item in enumerate(value):
            out.update(_dump(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def test_two_environments_differ_exactly_where_the_variables_differ() -> None:
    dev = load_config(EXAMPLE, env={})
    prod_env = {
        "SCHEDULE_ENABLED": "true",
        "BRONZE_CRON": "30 5 * * 1-5",
        "VACUUM_RETENTION_DAYS": "30",
        "FLOE_CATALOG_TYPE": "rest",
        "FLOE_CATALOG_URI": "https://polaris.internal/api/catalog",
        "OPENLINEAGE_URL": "http://marquez:5000",
    }
    prod = load_config(EXAMPLE, env=prod_env)
    a, b = _dump(dev.model_dump()), _dump(prod.model_dump())
    changed = {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
    assert changed == {
        "orchestration.schedules.daily_bronze.enabled",
        "orchestration.schedules.daily_bronze.cron_schedule",
        "orchestration.jobs.vacuum_tables.args.retention_days",
        "storage.catalog.type",
        "storage.catalog.uri",
        "observability.lineage.url",
    }
    assert b["orchestration.jobs.vacuum_tables.args.retention_days"] == 30
    assert b["orchestration.schedules.daily_bronze.enabled"] is True


def test_paths_resolve_against_the_floe_yaml_directory(tmp_path: Path) -> None:
    (tmp_path / "floe.yaml").write_text(
        "name: p\nstorage:\n  compute:\n    path: state/db.duckdb\n"
    )
    config = load_config(tmp_path / "floe.yaml", env={})
    assert config.path(config.storage.compute.path) == tmp_path / "state" / "db.duckdb"


def test_relative_modules_resolve_against_the_package(tmp_path: Path) -> None:
    package = tmp_path / "shop" / "pipelines"
    package.mkdir(parents=True)
    (tmp_path / "shop" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    shutil.copy(EXAMPLE, package / "floe.yaml")
    config = load_config(package / "floe.yaml", env={})
    assert config.module(".assets.gold") == "shop.pipelines.assets.gold"
    assert config.module("a.b") == "a.b"


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(FloeConfigError) as caught:
        load_config(tmp_path / "nope.yaml", env={})
    assert caught.value.codes == ["file_not_found"]


def test_plain_numbers_stay_text_where_text_is_expected(tmp_path: Path) -> None:
    (tmp_path / "floe.yaml").write_text("name: p\nversion: 1.10\n")
    assert load_config(tmp_path / "floe.yaml", env={}).version == "1.10"


def test_iceberg_catalog_properties_resolve_local_paths(tmp_path: Path) -> None:
    (tmp_path / "floe.yaml").write_text(
        "name: p\nstorage:\n  catalog:\n    uri: sqlite:///.floe/catalog.db\n"
        "    warehouse: .floe/warehouse\n    properties: {init_catalog_tables: 'true'}\n"
    )
    properties = load_config(tmp_path / "floe.yaml", env={}).iceberg_catalog_properties()
    assert properties == {
        "type": "sql",
        "uri": f"sqlite:///{tmp_path}/.floe/catalog.db?timeout=30",
        "warehouse": (tmp_path / ".floe" / "warehouse").as_uri(),
        "init_catalog_tables": "true",
    }
