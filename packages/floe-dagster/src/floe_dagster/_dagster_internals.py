"""Every private Dagster name floe uses, in one place (STYLE 24).

Dagster has no public constructor for an asset graph from a list of assets that skips resource
checks (``Definitions.resolve_asset_graph`` validates resources first, which a half-built code
location cannot pass). ``tests/test_dagster_internals.py`` fails loudly when an upgrade moves
any of these.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)

from floe_dagster._warnings import dagster_internal_warnings_silenced

__all__ = ["AssetGraph", "UnresolvedAssetJobDefinition", "asset_graph"]


def asset_graph(assets: Iterable[Any]) -> AssetGraph:
    """The asset graph of ``assets`` (assets, multi-assets, specs, asset checks)."""
    with dagster_internal_warnings_silenced():
        return AssetGraph.from_assets(list(assets))
