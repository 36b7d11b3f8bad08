"""dbt nodes as multi-assets: one per partitions definition and DAG layer, named after
floe.yaml's partitions, each with the dbt selection that names exactly its nodes; the DuckDB
lock floe's dbt steps take turns on."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import pytest
from dagster import AssetKey, AssetsDefinition
from manifests import manifest, model, source
from projects import config_of, write_manifest_project

from floe_dagster import build_assets
from floe_dagster._dagster_internals import DAGSTER_DBT_SELECT_METADATA_KEY
from floe_dagster._dbt.assets import warehouse_lock
from floe_dagster._dbt.settings import DbtSettings

FLOE_YAML = """\
name: shop
transforms:
  dbt: {{project_dir: dbt}}
storage:
  compute: {{path: warehouse.duckdb}}
orchestration:
  dbt: {{manifest_path: manifest.json}}
  partitions:
    daily: {{type: time_window, start: "2024-01-01", cron_schedule: "0 0 * * *"}}
  assets:
{patterns}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    content = manifest(
        [
            model("stg_orders", ["source.shop.raw.orders"]),
            model("stg_items", ["source.shop.raw.orders"]),
            model("totals", ["model.shop.stg_orders"], folder="marts"),
        ],
        [source("raw", "orders")],
    )
    write_manifest_project(tmp_path, content)
    return tmp_path


def _multi_assets(project: Path, patterns: str) -> dict[str, AssetsDefinition]:
    config = config_of(project, FLOE_YAML.format(patterns=patterns))
    built = build_assets(config, env={"FLOE_STATE_DIR": str(project / "s")})
    return {a.node_def.name: a for a in built.assets if isinstance(a, AssetsDefinition)}


def test_unpartitioned_nodes_share_one_multi_asset(project: Path) -> None:
    found = _multi_assets(project, '    "nothing_*": {group_name: none}')
    assert list(found) == ["dbt_models"]
    assert found["dbt_models"].op.tags[DAGSTER_DBT_SELECT_METADATA_KEY] == "fqn:*"


def test_each_partitions_definition_and_layer_is_a_multi_asset(project: Path) -> None:
    found = _multi_assets(project, '    "stg_*": {partitions: daily}')
    assert sorted(found) == ["dbt_daily", "dbt_models"]
    daily = found["dbt_daily"]
    assert set(daily.keys) == {AssetKey("stg_orders"), AssetKey("stg_items")}
    assert daily.op.tags[DAGSTER_DBT_SELECT_METADATA_KEY] == "fqn:shop.staging"
    assert found["dbt_models"].op.tags[DAGSTER_DBT_SELECT_METADATA_KEY] == "fqn:shop.marts"


def test_steps_take_turns_on_floes_duckdb_file_but_not_a_users_profile(project: Path) -> None:
    config = config_of(project, FLOE_YAML.format(patterns='    "x": {group_name: x}'))
    settings = DbtSettings(project / "dbt", project / "manifest.json", project / "s")
    locked = warehouse_lock(config, settings)
    assert not isinstance(locked, nullcontext)
    with locked:
        assert (project / "warehouse.duckdb.lock").exists()
    own = DbtSettings(project / "dbt", project / "m.json", project / "s", profiles_dir=project)
    assert isinstance(warehouse_lock(config, own), nullcontext)
