"""dbt nodes -> Dagster asset and check specs, from the one parsed manifest, in one pass.

dagster-dbt's ``@dbt_assets`` parses the manifest again, runs dbt's own node selector over the
whole project, and resolves every node's upstream spec recursively. floe already knows every
node's parents (floe-dbt's graph), so it asks the translator each question once per node:
``get_asset_key``, ``get_description``, ``get_metadata``, ``get_group_name``, ``get_owners``,
``get_tags``, ``get_code_version``, ``get_automation_condition``, ``get_partition_mapping``,
and builds the specs itself, with the same metadata dagster-dbt's runtime reads (the manifest,
the translator, each node's unique_id), so ``DbtCliResource.cli`` runs them unchanged.

A translator that overrides ``get_asset_spec`` or ``get_asset_check_spec`` themselves is
honoured: those nodes go through its method.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dagster import AssetCheckSpec, AssetDep, AssetKey, AssetSpec, PartitionsDefinition
from dagster_dbt import DagsterDbtTranslator

from floe_dagster._dagster_internals import (
    DAGSTER_DBT_MANIFEST_METADATA_KEY,
    DAGSTER_DBT_TRANSLATOR_METADATA_KEY,
    DAGSTER_DBT_UNIQUE_ID_METADATA_KEY,
    DbtManifestWrapper,
)
from floe_dbt import DbtManifest

STORAGE_KIND_KEY = "dagster/storage_kind"
"""Where the table lives (the dbt adapter), as dagster-dbt records it."""


@dataclass(frozen=True)
class DbtSpecs:
    """The specs of one group of dbt nodes."""

    assets: list[AssetSpec]
    checks: list[AssetCheckSpec]


def node_keys(manifest: DbtManifest, translator: DagsterDbtTranslator) -> dict[str, AssetKey]:
    """unique_id -> asset key, for every asset node and source, as the translator decides."""
    raw_nodes = manifest.raw.get("nodes", {})
    raw_sources = manifest.raw.get("sources", {})
    keys = {}
    for uid, node in manifest.nodes.items():
        if node.is_asset:
            keys[uid] = translator.get_asset_key(raw_nodes[uid])
        elif node.resource_type == "source":
            keys[uid] = translator.get_asset_key(raw_sources[uid])
    return keys


def overrides(
    translator: DagsterDbtTranslator, method: str, base: type = DagsterDbtTranslator
) -> bool:
    """Whether ``translator``'s class has its own ``method`` (not ``base``'s)."""
    return getattr(type(translator), method) is not getattr(base, method)


class _SpecBuilder:
    def __init__(
        self,
        manifest: DbtManifest,
        translator: DagsterDbtTranslator,
        keys: Mapping[str, AssetKey],
    ) -> None:
        self.manifest = manifest
        self.raw = manifest.raw
        self.translator = translator
        self.keys = keys
        adapter = self.raw.get("metadata", {}).get("adapter_type")
        self.kinds = {"dbt", adapter or "dbt"}
        self.storage = {STORAGE_KIND_KEY: adapter} if adapter else {}
        self.runtime = {  # read by dagster-dbt's runtime off a multi-asset's first spec only
            DAGSTER_DBT_MANIFEST_METADATA_KEY: DbtManifestWrapper(manifest=self.raw),
            DAGSTER_DBT_TRANSLATOR_METADATA_KEY: translator,
        }
        self.groups = {g["name"]: g for g in self.raw.get("groups", {}).values()}
        self.custom_spec = overrides(translator, "get_asset_spec")
        self.custom_check = overrides(translator, "get_asset_check_spec")
        self.virtual_views = translator.settings.enable_dbt_views_as_virtual_assets

    def props(self, uid: str) -> Mapping[str, Any]:
        node: Mapping[str, Any] | None = self.raw["nodes"].get(uid)
        return node if node is not None else self.raw["sources"][uid]

    def asset(
        self, uid: str, partitions_def: PartitionsDefinition | None, *, first: bool = False
    ) -> AssetSpec:
        translator = self.translator
        if self.custom_spec:  # the user's own method: every spec as dagster-dbt builds it
            spec = translator.get_asset_spec(self.raw, uid, None)
            return spec.replace_attributes(partitions_def=partitions_def)
        props = self.props(uid)
        deps = [
            AssetDep(
                self.keys[parent],
                partition_mapping=translator.get_partition_mapping(props, self.props(parent)),
            )
            for parent in self.manifest.asset_parents.get(uid, ())
            if parent in self.keys
        ]
        group = self.groups.get(props.get("group") or "")
        owners_props = {**props, "group": group} if group else props
        materialized = props.get("config", {}).get("materialized")
        virtual = self.virtual_views and materialized == "view"
        return AssetSpec(
            key=self.keys[uid],
            deps=deps,
            description=translator.get_description(props),
            metadata={
                **translator.get_metadata(props),
                **self.storage,
                **(self.runtime if first else {}),
                DAGSTER_DBT_UNIQUE_ID_METADATA_KEY: uid,
            },
            skippable=True,
            group_name=translator.get_group_name(props),
            code_version=translator.get_code_version(props),
            automation_condition=translator.get_automation_condition(props),
            owners=translator.get_owners(owners_props),
            tags=translator.get_tags(props),
            kinds=self.kinds | ({"view"} if virtual else set()),
            partitions_def=partitions_def,
            is_virtual=virtual,
        )

    def checks(self, uid: str, spec: AssetSpec) -> Iterable[AssetCheckSpec]:
        if not self.translator.settings.enable_asset_checks:
            return
        for test in self.manifest.tests_of(uid):
            if self.custom_check:
                custom = self.translator.get_asset_check_spec(spec, self.raw, test.unique_id, None)
                if custom is not None:
                    yield custom
                continue
            props = self.raw["nodes"][test.unique_id]
            severity = (props.get("config", {}).get("severity") or "error").lower()
            yield AssetCheckSpec(
                name=props["name"],
                asset=spec.key,
                description=props.get("meta", {}).get("description"),
                additional_deps={self.keys[p] for p in test.parents if p in self.keys} - {spec.key},
                metadata={DAGSTER_DBT_UNIQUE_ID_METADATA_KEY: test.unique_id},
                blocking=severity == "error",
            )


def build_dbt_specs(
    manifest: DbtManifest,
    translator: DagsterDbtTranslator,
    unique_ids: Sequence[str],
    *,
    keys: Mapping[str, AssetKey] | None = None,
    partitions_def: PartitionsDefinition | None = None,
) -> DbtSpecs:
    """The asset specs of ``unique_ids`` and the check specs of their tests (the cost is the
    group's, not the manifest's; pass ``keys`` from ``node_keys`` when building many groups)."""
    builder = _SpecBuilder(manifest, translator, keys or node_keys(manifest, translator))
    assets: list[AssetSpec] = []
    checks: list[AssetCheckSpec] = []
    for index, uid in enumerate(unique_ids):
        spec = builder.asset(uid, partitions_def, first=index == 0)
        assets.append(spec)
        checks += builder.checks(uid, spec)
    if translator.settings.enable_source_tests_as_checks:
        group = set(unique_ids)
        sources = {
            parent
            for uid in unique_ids
            for parent in manifest.asset_parents.get(uid, ())
            if manifest.nodes[parent].resource_type == "source" and parent not in group
        }
        for source in sorted(sources):
            external = AssetSpec(builder.keys[source])
            checks += builder.checks(source, external)
    return DbtSpecs(assets, checks)
