"""dbt models, seeds and snapshots as Dagster assets: one asset each, run by one dbt step.

No ``from __future__ import annotations`` here: Dagster checks the ``context`` annotation of
the compute function (DESIGN.md).
"""

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from dagster import AssetExecutionContext, AssetsDefinition
from dagster_dbt import dbt_assets

from floe_config import FloeConfig
from floe_dagster._dbt_settings import DbtSettings
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


def build_dbt_assets(
    config: FloeConfig,
    *,
    manifest: DbtManifest,
    settings: DbtSettings,
    translator: FloeDbtTranslator | None = None,
) -> list[AssetsDefinition]:
    """One Dagster multi-asset holding every dbt model, seed and snapshot as its own asset."""
    translator = translator or FloeDbtTranslator(manifest=manifest, config=config)

    with dagster_internal_warnings_silenced():

        @dbt_assets(
            manifest=settings.manifest_path,
            name=DBT_OP_NAME,
            dagster_dbt_translator=translator,
            required_resource_keys={DBT_RESOURCE_KEY},
        )
        def dbt_models(context: AssetExecutionContext):  # type: ignore[no-untyped-def]
            dbt = getattr(context.resources, DBT_RESOURCE_KEY)
            yield from run_dbt_build(context, dbt, config, settings)

    return [dbt_models]
