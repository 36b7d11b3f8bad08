"""``build_assets``: Python assets and one asset per dbt node, the dbt keys read off the built
specs, and what cannot be both (a dbt node and a Python asset of one key)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetKey
from manifests import manifest, model, source
from projects import write_manifest_project, write_project

from floe_config import IssueCode, load_config
from floe_dagster import FloeDagsterError, build_assets

ASSETS = """\
from dagster import asset


@asset
def orders() -> None: ...


@asset
def stg_orders() -> None: ...
"""
FLOE_YAML = """\
name: shop
transforms:
  dbt: {project_dir: dbt}
orchestration:
  asset_modules: [.assets]
  dbt: {manifest_path: manifest.json}
"""


def _project(tmp_path: Path, *models: str) -> Path:
    path = write_project(tmp_path, f"assets_{len(models)}", floe_yaml=FLOE_YAML, assets=ASSETS)
    content = manifest(
        [model(m, ["source.shop.raw.orders"]) for m in models], [source("raw", "orders")]
    )
    write_manifest_project(path.parent, content)
    return path


def test_python_and_dbt_assets_with_the_dbt_keys_of_the_built_specs(tmp_path: Path) -> None:
    path = _project(tmp_path, "stg_items", "stg_payments")
    built = build_assets(load_config(path, env={}), env={"FLOE_STATE_DIR": str(tmp_path / "s")})
    assert built.dbt_keys == {
        "model.shop.stg_items": AssetKey("stg_items"),
        "model.shop.stg_payments": AssetKey("stg_payments"),
    }
    assert built.dbt_ops == frozenset({"dbt_models"})
    assert built.manifest is not None
    assert built.dbt is not None
    assert built.dbt.state_dir == tmp_path / "s" / "dbt"
    assert set(built.modules.owners) == {AssetKey("orders"), AssetKey("stg_orders")}


def test_a_dbt_node_and_a_python_asset_of_one_key_is_an_error(tmp_path: Path) -> None:
    path = _project(tmp_path, "stg_orders")
    with pytest.raises(FloeDagsterError) as raised:
        build_assets(load_config(path, env={}), env={"FLOE_STATE_DIR": str(tmp_path / "s")})
    [issue] = raised.value.issues
    assert (issue.code, issue.path, issue.line) == (
        IssueCode.DUPLICATE_ASSET,
        "orchestration.dbt.manifest_path",
        6,
    )
    assert "meta.dagster.asset_key" in (issue.hint or "")


def test_a_missing_manifest_says_which_command_writes_it(tmp_path: Path) -> None:
    path = _project(tmp_path, "stg_items")
    (path.parent / "manifest.json").unlink()
    with pytest.raises(FloeDagsterError) as raised:
        build_assets(load_config(path, env={}), env={})
    [issue] = raised.value.issues
    assert issue.code == IssueCode.MANIFEST_NOT_FOUND
    assert "floe parse" in (issue.hint or "")
