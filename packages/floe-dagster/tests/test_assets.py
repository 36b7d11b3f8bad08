"""``build_assets``: Python assets and one asset per dbt node, the dbt keys read off the built
specs, and what cannot be both (a dbt node and a Python asset of one key); assets that feed
each other in a cycle; a Python dependency or check on a mistyped key."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetKey, AssetSpec, asset
from manifests import manifest, model, source
from projects import write_manifest_project, write_project

from floe_config import IssueCode, load_config
from floe_dagster import FloeDagsterError, FloeDefinitions, build_assets
from floe_dagster._assets import asset_cycle
from floe_dagster._errors import warnings_collected

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


CYCLE_ASSETS = """\
from dagster import AssetKey, asset


@asset(deps=[AssetKey("stg_orders")])
def orders() -> None: ...
"""


def test_assets_that_feed_each_other_are_one_error_naming_the_cycle(tmp_path: Path) -> None:
    """The Python asset orders feeds the dbt model stg_orders (whose source is keyed orders)
    and reads it: the error names the cycle and where each asset comes from, not every asset
    Dagster could not order."""
    path = write_project(tmp_path, "cycle", floe_yaml=FLOE_YAML, assets=CYCLE_ASSETS)
    content = manifest(
        [
            model("stg_orders", ["source.shop.raw.orders"]),
            model("stg_items", ["model.shop.stg_orders"]),
        ],
        [source("raw", "orders")],
    )
    write_manifest_project(path.parent, content)
    env = {"FLOE_STATE_DIR": str(tmp_path / "s")}
    with pytest.raises(FloeDagsterError) as raised:
        FloeDefinitions.from_config(load_config(path, env=env), env=env)
    [issue] = raised.value.issues
    assert (issue.code, issue.path, issue.line) == (
        IssueCode.ASSET_CYCLE,
        "orchestration.asset_modules[0]",
        5,
    )
    assert issue.message == (
        "assets feed each other in a cycle: orders -> stg_orders -> orders "
        "(orders is the Python asset 'orders' in 'cycle.assets'; "
        "stg_orders is the dbt model models/staging/stg_orders.sql)"
    )
    assert "source()" in (issue.hint or "")


def test_a_cycle_is_found_among_assets_and_specs_and_none_in_a_tree() -> None:
    @asset(deps=["c"])
    def a() -> None: ...

    @asset(deps=["a"])
    def b() -> None: ...

    spec = AssetSpec("c", deps=["b", "d"])
    leaf = AssetSpec("d")
    assert asset_cycle([leaf, spec, b, a]) == [AssetKey(k) for k in ("a", "b", "c", "a")]
    assert asset_cycle([leaf, AssetSpec("c", deps=["d"]), b, a]) == []


REJECTED_ASSETS = """\
from dagster import AssetSelection, asset, define_asset_job


@asset
def orders() -> None: ...


report = define_asset_job("report", selection=AssetSelection.assets("ordres"))
"""


def test_what_dagster_rejects_is_named_with_dagsters_innermost_reason(tmp_path: Path) -> None:
    """Dagster wraps a module job's bad selection in errors that name only the job; the
    error carries the keys too, and a fix line."""
    floe_yaml = "name: shop\norchestration:\n  asset_modules: [.assets]\n"
    path = write_project(tmp_path, "rejected", floe_yaml=floe_yaml, assets=REJECTED_ASSETS)
    env = {"FLOE_STATE_DIR": str(tmp_path / "s")}
    with pytest.raises(FloeDagsterError) as raised:
        FloeDefinitions.from_config(load_config(path, env=env), env=env)
    [issue] = raised.value.issues
    assert (issue.code, issue.path, issue.line) == (IssueCode.DAGSTER_REJECTS, "orchestration", 2)
    assert issue.message.startswith("Dagster rejects the definitions: Failed to resolve asset job")
    assert "['ordres'] were selected" in issue.message
    assert 'did you mean one of the following?\n\t["orders"]' in issue.message
    assert "asset_modules" in (issue.hint or "")


MISTYPED_ASSETS = """\
from dagster import AssetCheckResult, AssetKey, asset, asset_check


@asset(deps=[AssetKey("stg_ordres"), AssetKey(["crm", "accounts"])])
def orders() -> None: ...


@asset_check(asset="ordres")
def orders_fresh() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


@asset_check(asset="stg_orders")
def stg_orders_fresh() -> AssetCheckResult:
    return AssetCheckResult(passed=True)
"""


def test_a_dependency_or_check_on_a_mistyped_key_is_a_warning_with_the_key_meant(
    tmp_path: Path,
) -> None:
    """Dagster takes a key nothing defines as an external asset that nothing runs. Near a
    defined key (a dbt model's, a Python asset's), it is a warning at the module's line with
    that key; a key like none of them (another code location's) is left alone."""
    path = write_project(tmp_path, "mistyped", floe_yaml=FLOE_YAML, assets=MISTYPED_ASSETS)
    write_manifest_project(
        path.parent,
        manifest([model("stg_orders", ["source.shop.raw.orders"])], [source("raw", "orders")]),
    )
    env = {"FLOE_STATE_DIR": str(tmp_path / "s")}
    with warnings_collected() as found:
        definitions = FloeDefinitions.from_config(load_config(path, env=env), env=env)
    assert definitions.resolve_asset_graph().get(AssetKey("orders")).is_materializable
    assert [(i.code, i.path, i.line, i.hint) for i in found] == [
        (
            IssueCode.UNKNOWN_DEPENDENCY,
            "orchestration.asset_modules[0]",
            5,
            f"did you mean '{meant}'? (a key of another code location needs no change)",
        )
        for meant in ("stg_orders", "orders")
    ]
    assert [i.message for i in found] == [
        "the asset 'orders' in 'mistyped.assets' depends on 'stg_ordres', which no asset of "
        "this code location defines (Dagster shows it as an external asset that nothing runs)",
        "the asset check 'orders_fresh' in 'mistyped.assets' checks 'ordres', which no asset of "
        "this code location defines (Dagster shows it as an external asset that nothing runs)",
    ]
