from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from manifests import manifest, model, source

from floe_dbt import declared_asset_key, load_manifest, source_asset_key


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"dagster": {"asset_key": ["bronze_orders"]}}, ("bronze_orders",)),
        ({"dagster": {"asset_key": "raw/orders"}}, ("raw", "orders")),
        ({}, ("orders",)),
    ],
    ids=["dagster-meta-list", "dagster-meta-path", "floe-default-table-name"],
)
def test_source_asset_key(tmp_path: Path, meta: dict[str, Any], expected: tuple[str, ...]) -> None:
    content = manifest(
        [model("stg", ["source.shop.bronze.orders"])], [source("bronze", "orders", meta)]
    )
    (tmp_path / "manifest.json").write_text(json.dumps(content))
    loaded = load_manifest(tmp_path / "manifest.json")
    assert source_asset_key(loaded.sources["bronze.orders"]) == expected


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"dagster": {"asset_key": ["sales", "orders"]}}, ("sales", "orders")),
        ({"dagster": {"asset_key": "sales/orders"}}, ("sales", "orders")),
        ({"dagster": {"group": "x"}}, None),
        ({}, None),
    ],
    ids=["list", "path", "other-dagster-meta", "none"],
)
def test_a_model_declares_its_key_as_a_source_does(
    tmp_path: Path, meta: dict[str, Any], expected: tuple[str, ...] | None
) -> None:
    orders = model("orders", [])
    orders["config"]["meta"] = {**orders["config"]["meta"], **meta}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest([orders])))
    loaded = load_manifest(tmp_path / "manifest.json")
    assert declared_asset_key(loaded.models["orders"]) == expected
