from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from manifests import dbt_test, manifest, model, source

from floe_dbt import FloeDbtError, load_manifest

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


def test_a_path_with_a_nul_byte_is_a_clear_error() -> None:
    with pytest.raises(FloeDbtError) as caught:
        load_manifest("dbt/\0/manifest.json")
    assert caught.value.code == "manifest_unreadable"
