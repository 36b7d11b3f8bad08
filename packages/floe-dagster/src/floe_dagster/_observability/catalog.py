"""What the observer needs to know about each asset, collected once when definitions are built.

Plain data, so that observations can be computed (and tested) without Dagster: ``catalog``
reads it off the built assets and their asset graph, once per load.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagster import AssetKey, AssetsDefinition

from floe_dagster._observability.settings import ObservabilitySettings
from floe_dbt import DbtManifest


@dataclass(frozen=True)
class DbtTestInfo:
    unique_id: str
    name: str
    """The generic test's name (``unique``, ``not_null``) or the singular test's name."""
    column: str | None


@dataclass(frozen=True)
class DbtInfo:
    """The dbt side of an asset: what its lineage facets say."""

    unique_id: str
    relation: str
    columns: tuple[tuple[str, str | None, str], ...]
    """(name, type, description)"""
    classifications: Mapping[str, tuple[str, ...]]
    tests: tuple[DbtTestInfo, ...]


@dataclass(frozen=True)
class AssetInfo:
    key: str
    deps: tuple[str, ...]
    description: str
    owners: tuple[str, ...]
    dbt: DbtInfo | None = None


@dataclass
class ObservedDefinitions:
    """The catalog one code location's hooks read (each build has its own)."""

    settings: ObservabilitySettings
    assets: dict[str, AssetInfo] = field(default_factory=dict)
    assets_by_op: dict[str, list[str]] = field(default_factory=dict)
    """Executable op name -> the asset keys it materializes."""
    checks_by_op: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Op name -> (asset key, check name) of the asset checks it evaluates."""
    dbt_ops: set[str] = field(default_factory=set)
    dbt_state_dir: Path | None = None


def dbt_info(manifest: DbtManifest, unique_id: str) -> DbtInfo:
    node = manifest.nodes[unique_id]
    return DbtInfo(
        unique_id=unique_id,
        relation=node.relation,
        columns=tuple((c.name, c.data_type, c.description) for c in node.columns.values()),
        classifications={
            c.name: c.classification for c in node.columns.values() if c.classification
        },
        tests=tuple(
            DbtTestInfo(t.unique_id, t.test_name, t.column_name)
            for t in manifest.tests_of(unique_id)
        ),
    )


def _text(key: AssetKey) -> str:
    return "/".join(key.path)


def catalog(
    settings: ObservabilitySettings,
    *,
    graph: Any,
    definitions: Iterable[Any],
    dbt_keys: Mapping[str, AssetKey],
    manifest: DbtManifest | None = None,
    dbt_ops: Iterable[str] = (),
    dbt_state_dir: Path | None = None,
) -> ObservedDefinitions:
    """The catalog of one code location: every asset of ``graph`` (its deps, description,
    owners and dbt facts, keyed as lineage names its dataset: the key's parts joined by ``/``),
    and which op materializes or checks which assets among ``definitions``."""
    observed = ObservedDefinitions(settings=settings, dbt_ops=set(dbt_ops))
    observed.dbt_state_dir = dbt_state_dir
    dbt_by_key = {_text(k): uid for uid, k in dbt_keys.items()}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        name = _text(key)
        unique_id = dbt_by_key.get(name)
        observed.assets[name] = AssetInfo(
            key=name,
            deps=tuple(sorted(_text(p) for p in node.parent_keys)),
            description=node.description or "",
            owners=tuple(node.owners),
            dbt=dbt_info(manifest, unique_id) if manifest and unique_id else None,
        )
    for item in definitions:
        if isinstance(item, AssetsDefinition) and item.is_executable:
            op = item.node_def.name
            if item.keys:
                observed.assets_by_op[op] = sorted(_text(k) for k in item.keys)
            checks = [(_text(c.asset_key), c.name) for c in item.check_keys]
            if checks:
                observed.checks_by_op[op] = sorted(checks)
    return observed
