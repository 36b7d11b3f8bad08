"""What the observer needs to know about each asset, collected once when definitions are built.

Plain data, so that observations can be computed (and tested) without Dagster.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

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
