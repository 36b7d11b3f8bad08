"""floe's private Dagster imports still exist: an upgrade that moves one fails here, loudly."""

from __future__ import annotations

from dagster import AssetKey, asset

from floe_dagster._dagster_internals import AssetGraph, UnresolvedAssetJobDefinition, asset_graph


@asset
def upstream() -> None: ...


@asset(deps=[upstream])
def downstream() -> None: ...


def test_the_private_names_resolve() -> None:
    assert isinstance(AssetGraph, type)
    assert isinstance(UnresolvedAssetJobDefinition, type)
    graph = asset_graph([upstream, downstream])
    assert graph.get(AssetKey("downstream")).parent_keys == {AssetKey("upstream")}
