"""floe's private Dagster imports still exist: an upgrade that moves one fails here, loudly."""

from __future__ import annotations

from dagster import AssetKey, AssetSpec, asset

from floe_dagster._dagster_internals import (
    AssetGraph,
    UnresolvedAssetJobDefinition,
    asset_graph,
    reconstructing,
)


@asset
def upstream() -> None: ...


@asset(deps=[upstream])
def downstream() -> None: ...


def test_the_private_names_resolve() -> None:
    assert isinstance(AssetGraph, type)
    assert isinstance(UnresolvedAssetJobDefinition, type)
    graph = asset_graph([upstream, downstream])
    assert graph.get(AssetKey("downstream")).parent_keys == {AssetKey("upstream")}


def test_plain_asset_specs_join_the_graph() -> None:
    """A module may define plain AssetSpecs (external assets, such as a dbt source's table)."""
    specs = [AssetSpec("raw_events"), AssetSpec("raw_users", group_name="raw")]
    graph = asset_graph([*specs, upstream, downstream])
    assert graph.get(AssetKey("raw_users")).group_name == "raw"
    assert not graph.get(AssetKey("raw_events")).is_executable


def test_a_plain_load_is_not_a_reconstruction() -> None:
    assert reconstructing() is False
