"""dbt models, seeds and snapshots as Dagster assets: one asset each, one dbt step per group.

No ``from __future__ import annotations`` here: Dagster checks the ``context`` annotation of
the compute function (DESIGN.md).
"""

import logging
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    PartitionsDefinition,
    multi_asset,
)
from dagster_dbt.asset_utils import (
    DAGSTER_DBT_EXCLUDE_METADATA_KEY,
    DAGSTER_DBT_SELECT_METADATA_KEY,
)

from floe_config import FloeConfig
from floe_dagster._dbt_groups import DbtGroup, plan_groups
from floe_dagster._dbt_settings import DbtSettings
from floe_dagster._dbt_specs import build_dbt_specs, node_keys
from floe_dagster._resources import DBT_RESOURCE_KEY, FloeDbtCliResource
from floe_dagster._translator import FloeDbtTranslator
from floe_dagster._warnings import dagster_internal_warnings_silenced
from floe_dbt import DbtManifest, file_lock, step_target_path

DBT_OP_NAME = "dbt_models"
log = logging.getLogger("floe")


def warehouse_lock(config: FloeConfig, settings: DbtSettings) -> AbstractContextManager[Any]:
    """DuckDB takes one writing process per file: runs that overlap (a backfill, a sensor
    firing during a schedule) take turns on floe's DuckDB file instead of failing. A user's
    own profile (``profiles_dir``) may point anywhere, so it is not locked."""
    if settings.profiles_dir is not None or config.storage.compute.type != "duckdb":
        return nullcontext()
    database = config.path(config.storage.compute.path)
    return file_lock(database.with_name(database.name + ".lock"), waiting=log.info)


def run_dbt_build(
    context: AssetExecutionContext,
    dbt: FloeDbtCliResource,
    config: FloeConfig,
    settings: DbtSettings,
) -> Iterator[Any]:
    """``dbt build`` of the selected models (and their tests), streaming Dagster events.

    dbt writes its target (``run_results.json`` with every node's timing and status) into a
    folder that is fixed per run and step, where the step's observer reads it.
    """
    step_key = context.op_execution_context.get_step_execution_context().step.key
    target_path = step_target_path(settings.state_dir, context.run.run_id, step_key)
    with warehouse_lock(config, settings):
        yield from dbt.cli(["build"], context=context, target_path=target_path).stream()


def _multi_asset(
    config: FloeConfig,
    settings: DbtSettings,
    manifest: DbtManifest,
    translator: FloeDbtTranslator,
    keys: Mapping[str, AssetKey],
    group: DbtGroup,
) -> AssetsDefinition:
    partitions_def = group.key if isinstance(group.key, PartitionsDefinition) else None
    specs = build_dbt_specs(
        manifest, translator, group.unique_ids, keys=keys, partitions_def=partitions_def
    )
    op_tags = {DAGSTER_DBT_SELECT_METADATA_KEY: group.select}
    if group.exclude:
        op_tags[DAGSTER_DBT_EXCLUDE_METADATA_KEY] = group.exclude

    with dagster_internal_warnings_silenced():

        @multi_asset(
            name=group.name,
            specs=specs.assets,
            check_specs=specs.checks,
            can_subset=True,
            required_resource_keys={DBT_RESOURCE_KEY},
            partitions_def=partitions_def,
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
    question. ``key_of`` (a unique_id -> a hashable group key; default: one group) decides which
    nodes share a multi-asset; a key that is a ``PartitionsDefinition`` partitions it. Groups are
    split into layers of the DAG so that no two multi-assets interleave (``plan_groups``).
    """
    translator = translator or FloeDbtTranslator(manifest=manifest, config=config)
    groups = plan_groups(manifest, key_of, name_of or (lambda key: DBT_OP_NAME))
    keys = node_keys(manifest, translator)
    return [_multi_asset(config, settings, manifest, translator, keys, g) for g in groups]
