"""dbt models, seeds and snapshots as Dagster assets: one asset each, one dbt step per group.

No ``from __future__ import annotations`` here: Dagster checks the ``context`` annotation of
the compute function (DESIGN.md).
"""

import json
import logging
import os
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    PartitionsDefinition,
    TimeWindowPartitionsDefinition,
    multi_asset,
)

from floe_config import FloeConfig
from floe_dagster._dagster_internals import (
    DAGSTER_DBT_EXCLUDE_METADATA_KEY,
    DAGSTER_DBT_SELECT_METADATA_KEY,
)
from floe_dagster._dbt.groups import DbtGroup, plan_groups
from floe_dagster._dbt.resource import DBT_RESOURCE_KEY, FloeDbtCliResource
from floe_dagster._dbt.settings import (
    DbtSettings,
    build_flags,
    keep_partial_parse,
    own_warehouse,
    seed_partial_parse,
    table_metadata_on,
)
from floe_dagster._dbt.specs import DbtSpecs, build_dbt_specs, node_keys, overrides
from floe_dagster._dbt.table_metadata import table_metadata
from floe_dagster._dbt.translator import FloeDbtTranslator
from floe_dagster._orchestration.partitions import time_window_of
from floe_dagster._warnings import dagster_internal_warnings_silenced
from floe_dagster.lake._keys import ICEBERG_RESOURCE_KEY
from floe_dagster.lake._locks import file_lock, warehouse_lock_path
from floe_dbt import DbtManifest, step_target_path

DBT_OP_NAME = "dbt_models"
log = logging.getLogger("floe")


def warehouse_lock(config: FloeConfig, settings: DbtSettings) -> AbstractContextManager[Any]:
    """DuckDB takes one writing process per file: runs that overlap (a backfill, a sensor
    firing during a schedule) take turns on floe's DuckDB file instead of failing. A user's
    own profile (``profiles_dir``) may point anywhere, so it is not locked."""
    database = own_warehouse(config, settings)
    if database is None:
        return nullcontext()
    return file_lock(warehouse_lock_path(database), waiting=log.info)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def partition_vars(context: AssetExecutionContext) -> dict[str, Any]:
    """The dbt ``--vars`` of a partitioned step:

    - a time window (or a range of them): ``partition_start`` and ``partition_end`` in UTC,
      ``"YYYY-MM-DD HH:MM:SS"``, half open ``[start, end)``; and ``partition_key`` for one key;
    - static or dynamic keys: ``partition_key`` for one key, ``partition_keys`` for a range;
    - a multi partition: one var per dimension (its key), and the time dimension's window.

    None for unpartitioned models, in a partitioned run too: they are built whole, as a plain
    ``dbt build`` builds them, and dbt keeps its saved parse only while the vars stay the same.
    """
    definition = context.assets_def.partitions_def
    if definition is None or not (context.has_partition_key or context.has_partition_key_range):
        return {}
    found: dict[str, Any] = {}
    if isinstance(definition, MultiPartitionsDefinition):
        key = context.partition_key
        keys = key.keys_by_dimension if isinstance(key, MultiPartitionKey) else {}
        found.update(keys)
        found["partition_key"] = str(key)
        window = time_window_of(definition)
        if window is not None:
            dimension = next(
                d.name for d in definition.partitions_defs if d.partitions_def is window
            )
            span = window.time_window_for_partition_key(keys[dimension])
            found.update(partition_start=_utc(span.start), partition_end=_utc(span.end))
        return found
    if isinstance(definition, TimeWindowPartitionsDefinition):
        span = context.partition_time_window
        found.update(partition_start=_utc(span.start), partition_end=_utc(span.end))
    if context.has_partition_key:
        found["partition_key"] = context.partition_key
    else:
        found["partition_keys"] = list(context.partition_keys)
    return found


def run_dbt_build(
    context: AssetExecutionContext,
    dbt: FloeDbtCliResource,
    config: FloeConfig,
    settings: DbtSettings,
) -> Iterator[Any]:
    """``dbt build`` of the selected models (and their tests), streaming Dagster events.

    A partitioned run passes its partition as dbt ``--vars`` (``partition_vars``). dbt writes
    its target (``run_results.json`` with every node's timing and status) into a folder that is
    fixed per run and step, where the step's observer reads it.

    With the profile floe generates, dbt-duckdb's ``iceberg`` plugin opens the catalog when dbt
    starts; a first run of a project whose dbt runs before any Python asset would find no
    catalog there (no folder for SQLite, no tables), and two dbt steps starting together would
    race to create it. floe opens it first, the race-safe way (``open_catalog``).
    """
    if settings.profiles_dir is None:
        getattr(context.resources, ICEBERG_RESOURCE_KEY).load()
    step_key = context.op_execution_context.get_step_execution_context().step.key
    target_path = step_target_path(settings.state_dir, context.run.run_id, step_key)
    arguments = ["build", *build_flags(os.environ)]
    variables = partition_vars(context)
    if variables:
        arguments += ["--vars", json.dumps(variables)]
        context.log.info(f"dbt vars for this partition: {variables}")
    seed_partial_parse(settings.manifest_path, target_path, settings.state_dir)
    with warehouse_lock(config, settings):
        invocation = dbt.cli(arguments, context=context, target_path=target_path)
        streamed = invocation.stream()
        if not table_metadata_on(config):
            yield from streamed
        else:
            # the facts are read under the lock, after dbt has exited; the spans keep dbt's
            # own per-model times (from run_results.json), so holding the events back changes
            # none
            yield from table_metadata(
                context.log,
                invocation,
                streamed,
                database=own_warehouse(config, settings),
                nodes=invocation.manifest["nodes"],
            )
    if not variables:  # a partition's vars make a parse no other step can use
        keep_partial_parse(target_path, settings.state_dir)


def _multi_asset(
    config: FloeConfig,
    settings: DbtSettings,
    group: DbtGroup,
    specs: DbtSpecs,
    partitions_def: PartitionsDefinition | None,
    backfill_policy: BackfillPolicy | None,
) -> AssetsDefinition:
    op_tags = {DAGSTER_DBT_SELECT_METADATA_KEY: group.select}
    if group.exclude:
        op_tags[DAGSTER_DBT_EXCLUDE_METADATA_KEY] = group.exclude

    with dagster_internal_warnings_silenced():

        @multi_asset(
            name=group.name,
            specs=specs.assets,
            check_specs=specs.checks,
            can_subset=True,
            required_resource_keys={DBT_RESOURCE_KEY, ICEBERG_RESOURCE_KEY},
            partitions_def=partitions_def,
            backfill_policy=backfill_policy,
            op_tags=op_tags,
            allow_arbitrary_check_specs=True,
        )
        def dbt_group(context: AssetExecutionContext):  # type: ignore[no-untyped-def]
            dbt = getattr(context.resources, DBT_RESOURCE_KEY)
            yield from run_dbt_build(context, dbt, config, settings)

    return dbt_group


def build_dbt_assets(
    config: FloeConfig,
    *,
    manifest: DbtManifest,
    settings: DbtSettings,
    translator: FloeDbtTranslator | None = None,
    key_of: Callable[[str], Hashable] | None = None,
    name_of: Callable[[Hashable], str] | None = None,
) -> list[AssetsDefinition]:
    """Every dbt model, seed and snapshot as its own asset, in one multi-asset per group.

    The specs come from the manifest floe-dbt already parsed, one translator call per node and
    question. ``key_of`` (a unique_id -> a hashable group key) decides which nodes share a
    multi-asset; by default the partitions the translator gives a node (``get_partitions_def``,
    equal definitions share one) and the backfill policy floe.yaml's patterns give it, so nodes
    with different partitions never share one. Groups are split into layers of the DAG so that
    no two multi-assets interleave (``plan_groups``). ``AssetSettings.policies`` decides each
    multi-asset's backfill policy.
    """
    translator = translator or FloeDbtTranslator(manifest=manifest, config=config)
    asset_settings = translator.asset_settings
    key_of = key_of or group_key_function(manifest, translator)

    def group_name(key: Hashable) -> str:
        """``dbt_models`` unpartitioned, ``dbt_<floe.yaml partitions>`` partitioned."""
        if name_of is not None:
            return name_of(key)
        named = asset_settings.group_name(key)
        if named:
            return f"dbt_{named}"
        return "dbt_partitioned" if asset_settings.group_partitions(key) else DBT_OP_NAME

    groups = plan_groups(manifest, key_of, group_name)
    keys = node_keys(manifest, translator)
    return [
        build_group(config, settings, manifest, translator, group, keys=keys) for group in groups
    ]


def group_key_function(
    manifest: DbtManifest, translator: FloeDbtTranslator
) -> Callable[[str], Hashable] | None:
    """unique_id -> the key of the multi-asset it belongs to by default: the partitions the
    translator gives it and the backfill policy floe.yaml's patterns give it (None: one group)."""
    asset_settings = translator.asset_settings
    decides = overrides(translator, "get_partitions_def", FloeDbtTranslator)
    if not (asset_settings.configured or decides):
        return None
    raw = manifest.raw["nodes"]

    def key_of(uid: str) -> Hashable:
        props = raw[uid]
        return asset_settings.dbt_group(
            translator.get_asset_key(props), translator.get_partitions_def(props)
        )

    return key_of


def build_group(
    config: FloeConfig,
    settings: DbtSettings,
    manifest: DbtManifest,
    translator: FloeDbtTranslator,
    group: DbtGroup,
    *,
    keys: Mapping[str, AssetKey],
    policy_key: AssetKey | None = None,
) -> AssetsDefinition:
    """The multi-asset of ``group``: its specs, partitions and backfill policy (the policy of
    ``policy_key``, default its first node's: a run worker that builds part of a group names
    the whole group's first node)."""
    asset_settings = translator.asset_settings
    partitions_def = asset_settings.group_partitions(group.key)
    specs = build_dbt_specs(
        manifest, translator, group.unique_ids, keys=keys, partitions_def=partitions_def
    )
    policy = asset_settings.policies.policy_of(
        policy_key or keys[group.unique_ids[0]], partitions_def, dbt=True
    )
    return _multi_asset(config, settings, group, specs, partitions_def, policy)
