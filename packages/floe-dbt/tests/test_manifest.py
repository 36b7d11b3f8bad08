from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from manifests import dbt_test, manifest, model, source

from floe_dbt import FloeDbtError, load_manifest, manifest_staleness, parsed_files

REGENERATE = "fix: regenerate it: `floe parse` next to floe.yaml, or `dbt parse`"


def _write(tmp_path: Path, content: Any) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def _valid() -> dict[str, Any]:
    return manifest(
        [
            model("stg_orders", ["source.shop.bronze.orders"]),
            model("orders_daily", ["model.shop.stg_orders"], folder="marts"),
            model("kpis", ["model.shop.orders_daily", "model.shop.stg_orders"], folder="marts"),
        ],
        [source("bronze", "orders", {"dagster": {"asset_key": ["bronze_orders"]}})],
        [dbt_test("unique_stg_orders_id", "model.shop.stg_orders", "id")],
    )


def test_a_valid_manifest_becomes_a_typed_graph(tmp_path: Path) -> None:
    loaded = load_manifest(_write(tmp_path, _valid()))
    assert loaded.schema_version == 12
    assert sorted(loaded.models) == ["kpis", "orders_daily", "stg_orders"]
    stg = loaded.models["stg_orders"]
    assert stg.parents == ("source.shop.bronze.orders",)
    assert stg.children == ("model.shop.kpis", "model.shop.orders_daily")
    assert stg.group == "staging"
    assert stg.owners == ("team:data",)
    assert stg.relation == "warehouse.staging.stg_orders"
    assert stg.columns["email"].classification == ("pii",)
    assert stg.materialization == "table"
    assert loaded.sources["bronze.orders"].children == ("model.shop.stg_orders",)
    assert loaded.upstream("model.shop.kpis") == {
        "model.shop.orders_daily",
        "model.shop.stg_orders",
        "source.shop.bronze.orders",
    }
    assert loaded.downstream("source.shop.bronze.orders") == {
        "model.shop.stg_orders",
        "model.shop.orders_daily",
        "model.shop.kpis",
    }
    [check] = loaded.tests_of("model.shop.stg_orders")
    assert (check.test_name, check.column_name) == ("unique", "id")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FloeDbtError) as caught:
        load_manifest(tmp_path / "target" / "manifest.json")
    assert str(caught.value).startswith(f"{tmp_path}/target/manifest.json: no dbt manifest here")
    assert REGENERATE in str(caught.value)


def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").mkdir()
    with pytest.raises(FloeDbtError) as caught:
        load_manifest(tmp_path / "manifest.json")
    assert "cannot read the dbt manifest: Is a directory" in str(caught.value)


def test_invalid_json(tmp_path: Path) -> None:
    with pytest.raises(FloeDbtError) as caught:
        load_manifest(_write(tmp_path, '{"metadata": {'))
    assert caught.value.code == "manifest_not_json"
    assert "the dbt manifest is not valid JSON: unexpected end of data" in str(caught.value)
    assert REGENERATE in str(caught.value)


@pytest.mark.parametrize("content", [[1, 2], {"nodes": {}}, {"metadata": {}, "nodes": []}])
def test_not_a_manifest(tmp_path: Path, content: Any) -> None:
    with pytest.raises(FloeDbtError) as caught:
        load_manifest(_write(tmp_path, content))
    assert "not a dbt manifest (no 'metadata' and 'nodes' objects)" in str(caught.value)


@pytest.mark.parametrize(
    "version",
    [
        "https://schemas.getdbt.com/dbt/manifest/v4.json",
        "https://schemas.getdbt.com/dbt/manifest/v13.json",
        "",
    ],
    ids=["too-old", "too-new", "absent"],
)
def test_unsupported_schema_version(tmp_path: Path, version: str) -> None:
    with pytest.raises(FloeDbtError) as caught:
        load_manifest(_write(tmp_path, manifest([], version=version)))
    assert "is not supported; floe reads manifest v10 to v12 (dbt 1.6 to 1.11)" in str(caught.value)


def test_dependencies_on_absent_nodes(tmp_path: Path) -> None:
    content = manifest([model("stg_orders", ["source.shop.bronze.orders", "model.shop.gone"])])
    with pytest.raises(FloeDbtError) as caught:
        load_manifest(_write(tmp_path, content))
    assert (
        "nodes depend on nodes absent from the manifest: "
        "model.shop.stg_orders -> model.shop.gone; "
        "model.shop.stg_orders -> source.shop.bronze.orders"
    ) in str(caught.value)


def test_cycle_is_reported_as_a_path(tmp_path: Path) -> None:
    content = manifest(
        [
            model("a", ["model.shop.c"]),
            model("b", ["model.shop.a"]),
            model("c", ["model.shop.b"]),
            model("d", ["model.shop.a"]),
        ]
    )
    with pytest.raises(FloeDbtError) as caught:
        load_manifest(_write(tmp_path, content))
    assert caught.value.code == "manifest_cycle"
    assert caught.value.message == f"{tmp_path}/manifest.json: dependency cycle: a -> c -> b -> a"


def test_duplicate_names_across_packages(tmp_path: Path) -> None:
    content = manifest([model("orders", []), model("orders", [], package="finance")])
    with pytest.raises(FloeDbtError) as caught:
        load_manifest(_write(tmp_path, content))
    assert ("two resources are named 'orders': model.finance.orders and model.shop.orders") in str(
        caught.value
    )


def _version(name: str, v: int, deps: list[str], alias: str | None = None) -> dict[str, Any]:
    """One version of a versioned model, as dbt writes it: ``unique_id`` and ``fqn`` end in
    ``v<N>``, the name is the model's, the relation's name its alias (``name_v<N>`` unless set)."""
    raw = model(name, deps, folder="marts")
    return {
        **raw,
        "unique_id": f"model.shop.{name}.v{v}",
        "fqn": ["shop", "marts", name, f"v{v}"],
        "alias": alias or f"{name}_v{v}",
        "version": v,
        "latest_version": 2,
    }


def test_each_version_of_a_versioned_model_is_a_node_of_its_own(tmp_path: Path) -> None:
    """dbt model versions share a name; each is its own table, so floe keys each by its
    relation's name (dagster-dbt's key too): ``dim_customers_v1``, and ``dim_customers`` for a
    version whose alias keeps the old table name. Tests attach to their version."""
    content = manifest(
        [
            model("stg_customers", []),
            _version("dim_customers", 1, ["model.shop.stg_customers"]),
            _version("dim_customers", 2, ["model.shop.stg_customers"], alias="dim_customers"),
        ],
        tests=[dbt_test("not_null_dim_customers_v1_id", "model.shop.dim_customers.v1", "id")],
    )
    loaded = load_manifest(_write(tmp_path, content))
    assert sorted(loaded.models) == ["dim_customers", "dim_customers_v1", "stg_customers"]
    one, two = loaded.models["dim_customers_v1"], loaded.models["dim_customers"]
    assert (one.unique_id, one.name, one.version) == (
        "model.shop.dim_customers.v1",
        "dim_customers",
        "1",
    )
    assert (two.unique_id, two.asset_name, two.version) == (
        "model.shop.dim_customers.v2",
        "dim_customers",
        "2",
    )
    assert loaded.models["stg_customers"].version is None
    [check] = loaded.tests_by_node["model.shop.dim_customers.v1"]
    assert check.name == "not_null_dim_customers_v1_id"
    # an alias that collides with another model's name is still two assets of one name
    clash = manifest([model("dim_customers_v1", []), _version("dim_customers", 1, [])])
    with pytest.raises(FloeDbtError, match="two resources are named 'dim_customers_v1'"):
        load_manifest(_write(tmp_path, clash))


def test_a_path_with_a_nul_byte_is_a_clear_error() -> None:
    with pytest.raises(FloeDbtError) as caught:
        load_manifest("dbt/\0/manifest.json")
    assert caught.value.code == "manifest_unreadable"


def test_a_manifest_is_stale_when_a_file_dbt_parses_changed_after_it(tmp_path: Path) -> None:
    """The files dbt parses: dbt_project.yml and the files beside it, and the folders its
    ``*-paths`` name (dbt's defaults when unset); not dbt's output, installed packages, hidden
    files or the Python modules beside the project."""
    project = tmp_path / "shop"
    (project / "transforms" / "staging").mkdir(parents=True)
    (project / "macros").mkdir()
    (project / "target").mkdir()
    (project / "dbt_packages" / "calendar").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: shop\nmodel-paths: [transforms]\n")
    files = {
        "transforms/staging/stg_orders.sql": "select 1",
        "transforms/schema.yml": "version: 2",
        "macros/cents.sql": "{% macro cents(x) %}{{ x }} * 100{% endmacro %}",
        "target/run_results.json": "{}",
        "dbt_packages/calendar/days.sql": "select 1",
        "transforms/.notes.sql": "select 1",
        "assets.py": "from dagster import asset",
        "packages.yml": "packages: []",
    }
    for name, text in files.items():
        (project / name).write_text(text)
    parsed = {p.relative_to(project.resolve()).as_posix() for p in parsed_files(project)}
    assert parsed == {
        "dbt_project.yml",
        "packages.yml",
        "transforms/staging/stg_orders.sql",
        "transforms/schema.yml",
        "macros/cents.sql",
    }
    manifest = project / "target" / "manifest.json"
    assert manifest_staleness(manifest, project) is None  # no manifest: another error
    manifest.write_text("{}")
    written = manifest.stat().st_mtime
    for file in parsed_files(project):
        os.utime(file, (written - 10, written - 10))
    for ignored in ("assets.py", "target/run_results.json", "dbt_packages/calendar/days.sql"):
        os.utime(project / ignored, (written + 10, written + 10))
    assert manifest_staleness(manifest, project) is None
    os.utime(project / "macros" / "cents.sql", (written + 5, written + 5))
    os.utime(project / "transforms" / "schema.yml", (written + 9, written + 9))
    stale = manifest_staleness(manifest, project)
    assert stale is not None
    assert stale.describe(manifest, project) == (
        "the dbt project's transforms/schema.yml and 1 more of its files changed after "
        "target/manifest.json was written"
    )
