"""FloeDbtTranslator: every mapping decision from dbt to Dagster, one overridable method each.

Subclass it and pass it to ``build_assets`` (or ``FloeDefinitions``) to change one decision:
what a ``get_*`` method returns is what the built asset has (its key, group, partitions, ...).
"""

from collections.abc import Mapping, Sequence
from typing import Any

from dagster import AssetKey, AutomationCondition, PartitionMapping, PartitionsDefinition
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from floe_config import FloeConfig
from floe_dagster._orchestration.asset_settings import AssetSettings
from floe_dagster._orchestration.partitions import default_mapping
from floe_dbt import DbtManifest, DbtNode, declared_asset_key, source_asset_key


class FloeDbtTranslator(DagsterDbtTranslator):
    """dbt node -> Dagster asset, the floe way.

    - keys (``orchestration.dbt.asset_keys``): with ``name`` (the default) models, seeds and
      snapshots are keyed by their name (``stg_orders``) and a source as the Python asset that
      produces it (floe-dbt's mapping), which is what connects bronze -> silver; with
      ``dagster_dbt`` every node is keyed exactly as dagster-dbt's default translator keys it
      (``[schema, name]`` for a custom schema, ``[source_name, table]`` for a source). Both
      honour ``meta.dagster.asset_key``;
    - groups come from ``orchestration.assets`` patterns, else from the dbt node
      (``meta.dagster.group``, dbt ``group``, folder); partitions and automation conditions
      from the patterns;
    - owners from dbt ``meta.owners``; dbt tags become Dagster tags; tests become asset checks.
    """

    def __init__(
        self,
        *,
        manifest: DbtManifest,
        config: FloeConfig,
        settings: DagsterDbtTranslatorSettings | None = None,
        asset_settings: AssetSettings | None = None,
    ) -> None:
        super().__init__(
            settings=settings or DagsterDbtTranslatorSettings(enable_asset_checks=True)
        )
        self.manifest = manifest
        self.config = config
        self._asset_settings = asset_settings
        dbt = config.orchestration.dbt
        self.key_mode = dbt.asset_keys if dbt is not None else "name"
        self._keys: dict[str, AssetKey] = {}  # unique_id -> key: every other question asks it

    @property
    def asset_settings(self) -> AssetSettings:
        """The patterns' partitions, conditions and policies (``build_assets`` sets the one it
        shares with the Python assets; built from the config on first use otherwise)."""
        if self._asset_settings is None:
            self._asset_settings = AssetSettings.of(self.config)
        return self._asset_settings

    @asset_settings.setter
    def asset_settings(self, value: AssetSettings) -> None:
        self._asset_settings = value

    def node(self, dbt_resource_props: Mapping[str, Any]) -> DbtNode | None:
        return self.manifest.nodes.get(str(dbt_resource_props.get("unique_id")))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        uid = str(dbt_resource_props.get("unique_id"))
        known = self._keys.get(uid)
        if known is not None:
            return known
        node = self.manifest.nodes.get(uid)
        if node is None:
            return super().get_asset_key(dbt_resource_props)
        if self.key_mode == "dagster_dbt":
            key = super().get_asset_key(dbt_resource_props)
        elif node.resource_type == "source":
            key = self.get_source_asset_key(node)
        else:
            declared = declared_asset_key(node)
            key = AssetKey(list(declared) if declared else node.asset_name)
        self._keys[uid] = key
        return key

    def get_source_asset_key(self, source: DbtNode) -> AssetKey:
        """The key of the (Python) asset that produces a dbt source (``name`` keys)."""
        return AssetKey(list(source_asset_key(source)))

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        key = self.get_asset_key(dbt_resource_props)
        override: str | None = self.asset_settings.of_key(key)["group_name"]
        if override:
            return override
        node = self.node(dbt_resource_props)
        return node.group if node is not None else super().get_group_name(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        node = self.node(dbt_resource_props)
        if node is None or not node.owners:
            return super().get_owners(dbt_resource_props)
        return list(node.owners)

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        tags = dict(super().get_tags(dbt_resource_props))
        key = self.get_asset_key(dbt_resource_props)
        kind = self.asset_settings.of_key(key)["compute_kind"]
        if kind:
            tags[f"dagster/kind/{kind}"] = ""
        return tags

    def get_partitions_def(
        self, dbt_resource_props: Mapping[str, Any]
    ) -> PartitionsDefinition | None:
        """The partitions an ``orchestration.assets`` pattern gives the node (shared objects).
        Nodes share a multi-asset only when this returns equal definitions for them."""
        return self.asset_settings.partitions_of(self.get_asset_key(dbt_resource_props))

    def get_partition_mapping(
        self,
        dbt_resource_props: Mapping[str, Any],
        dbt_parent_resource_props: Mapping[str, Any],
    ) -> PartitionMapping | None:
        """dagster-dbt's mapping, else floe's default between different partitions (a child
        partition depends on all of its parent's where Dagster's default would be invalid)."""
        mapping = super().get_partition_mapping(dbt_resource_props, dbt_parent_resource_props)
        if mapping is not None:
            return mapping
        return default_mapping(
            self.get_partitions_def(dbt_resource_props),
            self.get_partitions_def(dbt_parent_resource_props),
        )

    def get_automation_condition(
        self, dbt_resource_props: Mapping[str, Any]
    ) -> AutomationCondition[Any] | None:
        """The automation condition an ``orchestration.assets`` pattern gives the node."""
        key = self.get_asset_key(dbt_resource_props)
        partitions = self.get_partitions_def(dbt_resource_props)
        return self.asset_settings.automation_of(key, partitions)
