"""The typed, immutable pieces of a dbt project graph."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

ResourceType = Literal["model", "seed", "snapshot", "source", "test"]


@dataclass(frozen=True, slots=True)
class DbtColumn:
    """A documented column: name, type, description, meta, and its classification (from meta)."""

    name: str
    data_type: str | None = None
    description: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)
    classification: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DbtTest:
    """A data test attached to a node (``unique``, ``not_null``, ``relationships``, ...)."""

    unique_id: str
    name: str
    test_name: str
    attached_node: str | None
    column_name: str | None
    severity: str = "ERROR"
    parents: tuple[str, ...] = ()
    """Every node the test reads (a relationships test reads two)."""


@dataclass(frozen=True, slots=True)
class DbtNode:
    """A model, seed, snapshot or source of the manifest.

    ``parents`` and ``children`` are unique_ids (sources included, tests excluded).
    """

    unique_id: str
    name: str
    resource_type: ResourceType
    package: str
    fqn: tuple[str, ...]
    path: str
    group: str | None
    tags: tuple[str, ...]
    owners: tuple[str, ...]
    description: str
    materialization: str | None
    database: str | None
    schema: str | None
    alias: str | None
    columns: Mapping[str, DbtColumn]
    meta: Mapping[str, Any]
    compiled_sql: str | None
    parents: tuple[str, ...]
    children: tuple[str, ...]
    source_name: str | None = None
    """For sources: the dbt source name (``source('bronze', 'orders')`` -> ``bronze``)."""
    version: str | None = None
    """For a versioned model (dbt's ``versions:``): this node's version (``2``)."""

    @property
    def asset_name(self) -> str:
        """The name its asset is keyed by: the node's name, except for a versioned model, where
        every version is its own table and its own asset, named after its relation (``alias``:
        ``dim_customers_v2`` by dbt's default), as dagster-dbt keys it."""
        if self.version is not None and self.resource_type == "model":
            return self.alias or f"{self.name}_v{self.version}"
        return self.name

    @property
    def is_asset(self) -> bool:
        """A model (not ephemeral: dbt inlines those), seed or snapshot: one Dagster asset."""
        if self.resource_type == "model":
            return self.materialization != "ephemeral"
        return self.resource_type in ("seed", "snapshot")

    @property
    def relation(self) -> str:
        """``database.schema.alias`` (parts that are unknown are left out)."""
        return ".".join(p for p in (self.database, self.schema, self.alias or self.name) if p)

    @property
    def selector(self) -> str:
        """A dbt selection string that picks exactly this node."""
        if self.resource_type == "source":
            return f"source:{self.source_name}.{self.name}"
        return f"{self.package}.{'.'.join(self.fqn[1:])}" if len(self.fqn) > 1 else self.name
