"""What the observer needs to know about each asset, collected when definitions are built."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dagster import AssetKey, AssetsDefinition
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from floe_dagster._observability.settings import ObservabilitySettings
from floe_dbt import DbtManifest, DbtNode


@dataclass(frozen=True)
class AssetInfo:
    key: str
    deps: tuple[str, ...]
    description: str
    owners: tuple[str, ...]
    dbt: DbtNode | None = None


@dataclass
class ObservedDefinitions:
    """The catalog one code location's hooks read (each build has its own)."""

    settings: ObservabilitySettings
    assets: dict[str, AssetInfo] = field(default_factory=dict)
    assets_by_op: dict[str, list[str]] = field(default_factory=dict)
    dbt_ops: set[str] = field(default_factory=set)
    dbt_key_by_uid: dict[str, str] = field(default_factory=dict)
    manifest: DbtManifest | None = None


def key_string(key: AssetKey) -> str:
    return "/".join(key.path)


def build_catalog(
    settings: ObservabilitySettings,
    assets: Sequence[Any],
    *,
    graph: AssetGraph,
    manifest: DbtManifest | None,
    dbt_keys: dict[str, AssetKey],
    dbt_ops: set[str],
) -> ObservedDefinitions:
    observed = ObservedDefinitions(settings=settings, dbt_ops=set(dbt_ops), manifest=manifest)
    node_by_key = (
        {key_string(k): manifest.nodes[uid] for uid, k in dbt_keys.items()} if manifest else {}
    )
    observed.dbt_key_by_uid = {uid: key_string(k) for uid, k in dbt_keys.items()}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        name = key_string(key)
        observed.assets[name] = AssetInfo(
            key=name,
            deps=tuple(sorted(key_string(p) for p in node.parent_keys)),
            description=node.description or "",
            owners=tuple(node.owners),
            dbt=node_by_key.get(name),
        )
    for item in assets:
        if isinstance(item, AssetsDefinition) and item.is_executable:
            observed.assets_by_op[item.node_def.name] = sorted(key_string(k) for k in item.keys)
    return observed
