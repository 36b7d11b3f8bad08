"""The translator decides: what a subclass's ``get_*`` returns is what the built asset has.
Nodes share a multi-asset only when the translator gives them equal partitions."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from dagster import (
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    DailyPartitionsDefinition,
    PartitionsDefinition,
    StaticPartitionsDefinition,
)
from manifests import manifest, model, source
from projects import config_of, write_manifest_project

from floe_dagster import FloeDbtTranslator, FloeDefinitions, build_assets

REGIONS = StaticPartitionsDefinition(["us", "eu"])
FLOE_YAML = """\
name: shop
transforms:
  dbt: {project_dir: dbt}
orchestration:
  dbt: {manifest_path: manifest.json}
  partitions:
    daily: {type: time_window, start: "2024-01-01", cron_schedule: "0 0 * * *"}
  assets:
    "marts_*": {partitions: daily}
"""


class Regional(FloeDbtTranslator):
    """Staging models by region; everything else as floe.yaml says."""

    def get_partitions_def(
        self, dbt_resource_props: Mapping[str, Any]
    ) -> PartitionsDefinition | None:
        if dbt_resource_props["name"].startswith("stg_"):
            return StaticPartitionsDefinition(["us", "eu"])  # a new, equal object per node
        return super().get_partitions_def(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return ["team:regions"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    content = manifest(
        [
            model("stg_orders", ["source.shop.raw.orders"]),
            model("stg_items", ["source.shop.raw.orders"]),
            model("orders_by_day", ["model.shop.stg_orders"], folder="marts"),
            model("marts_totals", ["model.shop.orders_by_day"], folder="marts"),
        ],
        [source("raw", "orders")],
    )
    write_manifest_project(tmp_path, content)
    config_of(tmp_path, FLOE_YAML)
    return tmp_path


def _by_key(assets: list[Any]) -> dict[AssetKey, AssetsDefinition]:
    return {k: a for a in assets if isinstance(a, AssetsDefinition) for k in a.keys}


def test_an_overridden_get_partitions_def_is_what_the_built_asset_has(project: Path) -> None:
    config = config_of(project, FLOE_YAML)
    built = build_assets(
        config, env={"FLOE_STATE_DIR": str(project / "s")}, translator_class=Regional
    )
    assets = _by_key(built.assets)
    staging = assets[AssetKey("stg_orders")]
    assert staging.partitions_def == REGIONS
    assert assets[AssetKey("stg_items")] is staging  # equal partitions: one multi-asset
    assert assets[AssetKey("orders_by_day")].partitions_def is None
    marts = assets[AssetKey("marts_totals")]
    assert marts.partitions_def is built.settings.partitions["daily"]  # floe.yaml's, as before
    assert marts.backfill_policy == BackfillPolicy.single_run()  # dagster-dbt's time default
    assert len({id(a) for a in assets.values()}) == 3  # by partitions and DAG layer
    spec = next(s for s in staging.specs if s.key == AssetKey("stg_orders"))
    assert spec.owners == ["team:regions"]


def test_the_whole_location_carries_the_translators_partitions(project: Path) -> None:
    config = config_of(project, FLOE_YAML)
    defs = FloeDefinitions.from_config(
        config,
        manifest_path=project / "manifest.json",
        env={"FLOE_STATE_DIR": str(project / "s")},
        translator_class=Regional,
    )
    graph = defs.resolve_asset_graph()
    assert graph.get(AssetKey("stg_items")).partitions_def == REGIONS
    daily = graph.get(AssetKey("marts_totals")).partitions_def
    assert daily == DailyPartitionsDefinition(start_date="2024-01-01")
