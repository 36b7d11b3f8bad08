"""load_manifest: a dbt manifest.json -> a validated, typed DbtManifest."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import orjson

from floe_config import IssueCode
from floe_dbt._errors import REGENERATE_HINT, FloeDbtError
from floe_dbt._graph import closure, find_cycle
from floe_dbt._nodes import DbtColumn, DbtNode, DbtTest, ResourceType

SUPPORTED_SCHEMA_VERSIONS = range(10, 13)  # manifest v10 (dbt 1.6) .. v12 (dbt 1.8 - 1.11)
_SCHEMA_VERSION = re.compile(r"/manifest/v(\d+)\.json$")
_GRAPH_TYPES: tuple[ResourceType, ...] = ("model", "seed", "snapshot")


@dataclass(frozen=True)
class DbtManifest:
    """The dbt project graph: models, seeds, snapshots and sources keyed by name (a versioned
    model's versions by their ``asset_name``: ``dim_customers_v2``), tests by id.

    >>> manifest = load_manifest("dbt/target/manifest.json")  # doctest: +SKIP
    >>> manifest.models["stg_orders"].parents
    ('source.shop.bronze.orders',)
    """

    path: Path
    schema_version: int
    project_name: str
    nodes: Mapping[str, DbtNode]
    """Every model, seed, snapshot and source, by unique_id."""
    tests: Mapping[str, DbtTest]
    models: Mapping[str, DbtNode] = field(default_factory=dict)
    seeds: Mapping[str, DbtNode] = field(default_factory=dict)
    snapshots: Mapping[str, DbtNode] = field(default_factory=dict)
    sources: Mapping[str, DbtNode] = field(default_factory=dict)
    """Sources by ``source_name.table_name``."""

    def node(self, unique_id: str) -> DbtNode:
        return self.nodes[unique_id]

    def upstream(self, unique_id: str) -> set[str]:
        """Every node ``unique_id`` depends on, transitively (sources included)."""
        return closure([unique_id], {uid: n.parents for uid, n in self.nodes.items()})

    def downstream(self, unique_id: str) -> set[str]:
        """Every node that depends on ``unique_id``, transitively."""
        return closure([unique_id], {uid: n.children for uid, n in self.nodes.items()})

    tests_by_node: Mapping[str, tuple[DbtTest, ...]] = field(default_factory=dict)
    """The tests attached to each node, by the node's unique_id."""
    asset_parents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Each asset node's parents that are assets or sources (ephemeral models looked through)."""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
    """The manifest as parsed: the one copy floe reads, and hands to dagster-dbt for runs."""

    def tests_of(self, unique_id: str) -> list[DbtTest]:
        return list(self.tests_by_node.get(unique_id, ()))

    @property
    def executable(self) -> dict[str, DbtNode]:
        """Models (ephemeral ones aside), seeds and snapshots: the nodes that become assets."""
        return {uid: n for uid, n in self.nodes.items() if n.is_asset}


def _error(path: Path, code: IssueCode, message: str) -> FloeDbtError:
    return FloeDbtError(message, code=code, path=str(path), hint=REGENERATE_HINT)


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if v is not None)
    return ()


def _meta(raw: Mapping[str, Any]) -> dict[str, Any]:
    config_meta = (raw.get("config") or {}).get("meta") or {}
    meta = raw.get("meta") or {}
    return {**meta, **config_meta} if isinstance(meta, dict) else dict(config_meta)


def _group(raw: Mapping[str, Any], meta: Mapping[str, Any]) -> str | None:
    """``meta.dagster.group``, then the dbt ``group``, then the model's folder."""
    dagster = meta.get("dagster")
    if isinstance(dagster, dict) and dagster.get("group"):
        return str(dagster["group"])
    group = raw.get("group") or (raw.get("config") or {}).get("group")
    if group:
        return str(group)
    fqn = raw.get("fqn") or []
    return str(fqn[1]) if len(fqn) > 2 else None


def _owners(meta: Mapping[str, Any]) -> tuple[str, ...]:
    return _strings(meta.get("owners")) + _strings(meta.get("owner"))


def _columns(raw: Mapping[str, Any]) -> dict[str, DbtColumn]:
    columns: dict[str, DbtColumn] = {}
    for name, column in (raw.get("columns") or {}).items():
        meta = column.get("meta") or {}
        config_meta = (column.get("config") or {}).get("meta") or {}
        meta = {**meta, **config_meta}
        columns[name] = DbtColumn(
            name=column.get("name") or name,
            data_type=column.get("data_type"),
            description=column.get("description") or "",
            meta=MappingProxyType(meta),
            classification=_strings(meta.get("classification")),
        )
    return columns


def _node(raw: Mapping[str, Any], children: tuple[str, ...]) -> DbtNode:
    meta = _meta(raw)
    resource_type = raw["resource_type"]
    parents = tuple((raw.get("depends_on") or {}).get("nodes") or ())
    return DbtNode(
        unique_id=raw["unique_id"],
        name=raw["name"],
        resource_type=resource_type,
        package=raw.get("package_name", ""),
        fqn=tuple(raw.get("fqn") or ()),
        path=raw.get("original_file_path") or raw.get("path") or "",
        group=_group(raw, meta),
        tags=_strings(raw.get("tags")),
        owners=_owners(meta),
        description=raw.get("description") or "",
        materialization=(raw.get("config") or {}).get("materialized"),
        database=raw.get("database"),
        schema=raw.get("schema"),
        alias=raw.get("alias") or raw.get("identifier"),
        columns=MappingProxyType(_columns(raw)),
        meta=MappingProxyType(meta),
        compiled_sql=raw.get("compiled_code") or raw.get("compiled_sql"),
        parents=parents,
        children=children,
        source_name=raw.get("source_name"),
        version=str(raw["version"]) if raw.get("version") is not None else None,
    )


def _test(raw: Mapping[str, Any], index: Mapping[tuple[str, str, Any], str]) -> DbtTest:
    """A test, attached to a node by the rule dagster-dbt applies when it turns a test's result
    into an asset check: the generic test's ``attached_node``; else the single node it reads;
    else the node that ``meta.dagster.ref`` names. Otherwise it belongs to no node."""
    metadata = raw.get("test_metadata") or {}
    parents = (raw.get("depends_on") or {}).get("nodes") or []
    attached = raw.get("attached_node")
    if len(set(parents)) == 1:
        attached = parents[0]
    meta = (raw.get("config") or {}).get("meta") or raw.get("meta") or {}
    ref = (meta.get("dagster") or {}).get("ref") if isinstance(meta, dict) else None
    if isinstance(ref, dict) and ref.get("name"):
        package = ref.get("package") or raw.get("package_name")
        attached = index.get((str(ref["name"]), str(package), ref.get("version")))
    return DbtTest(
        unique_id=raw["unique_id"],
        name=raw["name"],
        test_name=metadata.get("name") or raw["name"],
        attached_node=attached,
        column_name=raw.get("column_name"),
        severity=str((raw.get("config") or {}).get("severity", "ERROR")).upper(),
        parents=tuple(parents),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise _error(path, IssueCode.MANIFEST_NOT_FOUND, "no dbt manifest here") from None
    except (OSError, ValueError) as error:  # ValueError: a path with a NUL byte
        reason = getattr(error, "strerror", None) or error
        raise _error(
            path, IssueCode.MANIFEST_UNREADABLE, f"cannot read the dbt manifest: {reason}"
        ) from error
    try:
        data = orjson.loads(text)  # a 10,000-model manifest is 40+ MB: 3x faster than json
    except (orjson.JSONDecodeError, UnicodeDecodeError) as error:
        raise _error(
            path, IssueCode.MANIFEST_NOT_JSON, f"the dbt manifest is not valid JSON: {error}"
        ) from error
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), dict):
        raise _error(
            path, IssueCode.NOT_A_MANIFEST, "not a dbt manifest (no 'metadata' and 'nodes' objects)"
        )
    if not isinstance(data.get("metadata"), dict):
        raise _error(
            path, IssueCode.NOT_A_MANIFEST, "not a dbt manifest (no 'metadata' and 'nodes' objects)"
        )
    return data


def _schema_version(path: Path, metadata: Mapping[str, Any]) -> int:
    url = str(metadata.get("dbt_schema_version", ""))
    match = _SCHEMA_VERSION.search(url)
    version = int(match.group(1)) if match else None
    if version not in SUPPORTED_SCHEMA_VERSIONS:
        low, high = SUPPORTED_SCHEMA_VERSIONS[0], SUPPORTED_SCHEMA_VERSIONS[-1]
        found = url or "none"
        raise _error(
            path,
            IssueCode.MANIFEST_VERSION,
            f"dbt_schema_version {found} is not supported; floe reads manifest "
            f"v{low} to v{high} (dbt 1.6 to 1.11)",
        )
    assert version is not None
    return version


def _asset_parents(nodes: Mapping[str, DbtNode]) -> dict[str, tuple[str, ...]]:
    """Each asset node's parents among assets and sources, looking through ephemeral models
    (which dbt inlines and which are no assets), as dagster-dbt does."""

    def resolve(uid: str, seen: set[str]) -> list[str]:
        node = nodes[uid]
        if node.is_asset or node.resource_type == "source":
            return [uid]
        found = []
        for parent in node.parents:
            if parent not in seen:
                seen.add(parent)
                found += resolve(parent, seen)
        return found

    return {
        uid: tuple(dict.fromkeys(p for parent in node.parents for p in resolve(parent, {parent})))
        for uid, node in nodes.items()
        if node.is_asset
    }


def load_manifest(path: str | Path) -> DbtManifest:
    """Load and validate a dbt ``manifest.json``.

    Raises ``FloeDbtError`` naming the path and how to regenerate it, for a missing, unreadable,
    non-JSON or non-manifest file, an unsupported schema version, dependencies on absent nodes,
    a dependency cycle, or two resources sharing one name.
    """
    file = Path(path)
    return manifest_from_raw(_read(file), file)


def manifest_from_raw(data: dict[str, Any], file: Path) -> DbtManifest:
    """The ``DbtManifest`` of an already parsed manifest document ``data`` (read from
    ``file``), validated as ``load_manifest`` validates one: a run worker builds one from the
    few nodes its run needs."""
    version = _schema_version(file, data["metadata"])
    raw_nodes: dict[str, Any] = data["nodes"]
    raw_sources: dict[str, Any] = data.get("sources") or {}
    known = set(raw_nodes) | set(raw_sources)
    missing = sorted(
        f"{uid} -> {dep}"
        for uid, raw in raw_nodes.items()
        for dep in (raw.get("depends_on") or {}).get("nodes") or ()
        if dep not in known
    )
    if missing:
        shown = "; ".join(missing[:5]) + (
            f"; and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise _error(
            file,
            IssueCode.MANIFEST_DANGLING_DEPENDENCY,
            f"nodes depend on nodes absent from the manifest: {shown}",
        )

    # a dict, not a set: nodes keep the manifest's order, the same in every process
    graph_ids = {
        uid: None for uid, raw in raw_nodes.items() if raw.get("resource_type") in _GRAPH_TYPES
    }
    children: dict[str, list[str]] = {uid: [] for uid in [*graph_ids, *raw_sources]}
    for uid in graph_ids:
        for parent in (raw_nodes[uid].get("depends_on") or {}).get("nodes") or ():
            if parent in children:
                children[parent].append(uid)

    nodes: dict[str, DbtNode] = {}
    for uid in graph_ids:
        nodes[uid] = _node(raw_nodes[uid], tuple(sorted(children[uid])))
    for uid, raw in raw_sources.items():
        nodes[uid] = _node({**raw, "resource_type": "source"}, tuple(sorted(children[uid])))
    index = {
        (raw["name"], raw.get("package_name", ""), raw.get("version")): uid
        for uid, raw in raw_nodes.items()
        if uid in graph_ids
    }
    tests = {
        uid: _test(raw, index)
        for uid, raw in raw_nodes.items()
        if raw.get("resource_type") == "test"
    }

    cycle = find_cycle(graph_ids, {u: nodes[u].parents for u in graph_ids}, lambda u: nodes[u].name)
    if cycle:
        raise _error(file, IssueCode.MANIFEST_CYCLE, f"dependency cycle: {cycle}")

    by_type: dict[str, dict[str, DbtNode]] = {t: {} for t in (*_GRAPH_TYPES, "source")}
    by_name: dict[str, DbtNode] = {}  # models, seeds and snapshots share the asset-key namespace
    for uid in sorted(nodes):
        node = nodes[uid]
        if node.resource_type == "source":
            by_type["source"][f"{node.source_name}.{node.name}"] = node
            continue
        name = node.asset_name
        if name in by_name:
            raise _error(
                file,
                IssueCode.DUPLICATE_NODE_NAME,
                f"two resources are named '{name}': {by_name[name].unique_id} and "
                f"{uid}; floe keys assets by name, so rename one of them",
            )
        by_name[name] = node
        by_type[node.resource_type][name] = node
    attached: dict[str, list[DbtTest]] = {}
    for test in tests.values():
        if test.attached_node is not None:
            attached.setdefault(test.attached_node, []).append(test)
    return DbtManifest(
        raw=data,
        asset_parents=MappingProxyType(_asset_parents(nodes)),
        tests_by_node=MappingProxyType({uid: tuple(t) for uid, t in attached.items()}),
        path=file,
        schema_version=version,
        project_name=str(data["metadata"].get("project_name") or ""),
        nodes=MappingProxyType(nodes),
        tests=MappingProxyType(tests),
        models=MappingProxyType(by_type["model"]),
        seeds=MappingProxyType(by_type["seed"]),
        snapshots=MappingProxyType(by_type["snapshot"]),
        sources=MappingProxyType(by_type["source"]),
    )
