"""Every private Dagster name floe uses, in one place (STYLE 24).

Dagster has no public constructor for an asset graph from a list of assets that skips resource
checks (``Definitions.resolve_asset_graph`` validates resources first, which a half-built code
location cannot pass). ``tests/test_dagster_internals.py`` fails loudly when an upgrade moves
any of these.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dagster import AssetsDefinition, AssetSpec
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.definitions.definitions_load_context import (
    DefinitionsLoadContext,
    DefinitionsLoadType,
)
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)

from floe_dagster._warnings import dagster_internal_warnings_silenced

__all__ = ["AssetGraph", "UnresolvedAssetJobDefinition", "asset_graph", "reconstructing"]


def reconstructing() -> bool:
    """True in a run worker or step process, which rebuilds definitions a code server already
    built and checked (Dagster's ``DefinitionsLoadType.RECONSTRUCTION``)."""
    return DefinitionsLoadContext.get().load_type == DefinitionsLoadType.RECONSTRUCTION


def asset_graph(assets: Iterable[Any]) -> AssetGraph:
    """The asset graph of ``assets`` (assets, multi-assets, specs, asset checks). Plain
    ``AssetSpec`` objects become external assets, one definition per partitions definition,
    as ``Definitions`` does."""
    items = list(assets)
    specs: dict[Any, list[AssetSpec]] = {}
    for item in items:
        if isinstance(item, AssetSpec):
            specs.setdefault(item.partitions_def, []).append(item)
    with dagster_internal_warnings_silenced():
        external = [AssetsDefinition(specs=group) for group in specs.values()]
        others = [item for item in items if not isinstance(item, AssetSpec)]
        return AssetGraph.from_assets([*others, *external])
