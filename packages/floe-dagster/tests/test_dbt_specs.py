"""dbt nodes -> specs from the one parsed manifest: keys, deps (through ephemeral models),
checks, the runtime metadata dagster-dbt reads, and a translator's own overrides."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from dagster import AssetKey, StaticPartitionsDefinition
from manifests import dbt_test, manifest, model, source

from floe_config import load_config
from floe_dagster import FloeDbtTranslator
from floe_dagster._dbt.specs import build_dbt_specs, node_keys
from floe_dbt import DbtManifest, load_manifest


@pytest.fixture
def shop(tmp_path: Path) -> tuple[DbtManifest, FloeDbtTranslator]:
    ephemeral = model("eph", ["source.shop.raw.orders"])
    ephemeral["config"]["materialized"] = "ephemeral"
    relationship = dbt_test("relationships_b_id", "model.shop.b", "id")
    relationship["depends_on"]["nodes"] = ["model.shop.b", "model.shop.c"]
    content = manifest(
        [
            ephemeral,
            model("b", ["model.shop.eph"]),
            model("c", ["model.shop.b"], folder="marts"),
        ],
        [source("raw", "orders", {"dagster": {"asset_key": ["bronze_orders"]}})],
        [dbt_test("not_null_b_id", "model.shop.b", "id"), relationship],
    )
    (tmp_path / "manifest.json").write_text(json.dumps(content))
    (tmp_path / "floe.yaml").write_text("name: shop\n")
    built = load_manifest(tmp_path / "manifest.json")
    config = load_config(tmp_path / "floe.yaml", env={})
    return built, FloeDbtTranslator(manifest=built, config=config)


def test_keys_deps_and_checks(shop: tuple[DbtManifest, FloeDbtTranslator]) -> None:
    built, translator = shop
    specs = build_dbt_specs(built, translator, list(built.executable))
    by_key = {spec.key: spec for spec in specs.assets}
    assert set(by_key) == {AssetKey("b"), AssetKey("c")}  # an ephemeral model is no asset
    assert {d.asset_key for d in by_key[AssetKey("b")].deps} == {AssetKey("bronze_orders")}
    assert {d.asset_key for d in by_key[AssetKey("c")].deps} == {AssetKey("b")}
    assert by_key[AssetKey("c")].group_name == "marts"
    checks = {(c.asset_key, c.name): c for c in specs.checks}
    assert set(checks) == {
        (AssetKey("b"), "not_null_b_id"),
        (AssetKey("b"), "relationships_b_id"),
    }
    assert checks[(AssetKey("b"), "relationships_b_id")].additional_deps[0].asset_key == AssetKey(
        "c"
    )


def test_runtime_metadata_rides_on_the_first_spec(
    shop: tuple[DbtManifest, FloeDbtTranslator],
) -> None:
    built, translator = shop
    first, second = build_dbt_specs(built, translator, list(built.executable)).assets
    assert "dagster_dbt/manifest" in first.metadata
    assert "dagster_dbt/dagster_dbt_translator" in first.metadata
    assert "dagster_dbt/manifest" not in second.metadata
    assert second.metadata["dagster_dbt/unique_id"] == "model.shop.c"


def test_a_group_gets_its_partitions(shop: tuple[DbtManifest, FloeDbtTranslator]) -> None:
    built, translator = shop
    regions = StaticPartitionsDefinition(["us", "eu"])
    specs = build_dbt_specs(
        built,
        translator,
        ["model.shop.c"],
        keys=node_keys(built, translator),
        partitions_def=regions,
    )
    [spec] = specs.assets
    assert spec.partitions_def is regions
    assert specs.checks == []


def test_a_translator_overriding_get_asset_spec_is_honoured(
    shop: tuple[DbtManifest, FloeDbtTranslator],
) -> None:
    built, translator = shop

    class Custom(FloeDbtTranslator):
        def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> Any:
            return (
                super()
                .get_asset_spec(manifest, unique_id, project)
                .replace_attributes(description="custom")
            )

    custom = Custom(manifest=built, config=translator.config)
    specs = build_dbt_specs(built, custom, list(built.executable))
    assert {spec.description for spec in specs.assets} == {"custom"}
