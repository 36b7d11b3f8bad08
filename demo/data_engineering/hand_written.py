"""What floe.minimal.yaml gives, written by hand with Dagster and dagster-dbt (SC-001).

Not used by the demo: it is the yardstick docs/sc001.md counts, and demo/tests/test_minimal.py
checks that it defines the same assets, partitions, dependencies, jobs, schedule and sensor as
floe.minimal.yaml. It is the smallest honest version: it has no per-model spans, no OpenLineage,
no row counts for dbt models, no validation before deployment and no lock between the dbt steps
that share the DuckDB file, all of which floe.minimal.yaml has; and dbt needs a profiles.yml
besides (floe writes one from ``storage``).
"""

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetRecordsFilter,
    AssetsDefinition,
    AssetSelection,
    BackfillPolicy,
    ConfigurableResource,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    TimeWindowPartitionsDefinition,
    build_schedule_from_partitioned_job,
    define_asset_job,
    load_assets_from_modules,
    sensor,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from pyiceberg.catalog import Catalog, load_catalog

from .orchestration.assets import bronze

HERE = Path(__file__).parent
MANIFEST = HERE / "dbt" / "target" / "manifest.json"
UTC_TEXT = "%Y-%m-%d %H:%M:%S"

daily = TimeWindowPartitionsDefinition(
    start="2024-01-01", end="2025-01-01", cron_schedule="0 0 * * *", fmt="%Y-%m-%d"
)


class IcebergCatalog(ConfigurableResource):  # type: ignore[type-arg]
    """The bronze assets' ``iceberg`` resource: the catalog, with a namespace made sure of."""

    uri: str
    warehouse: str

    def namespace(self, name: str) -> Catalog:
        catalog = load_catalog("demo", type="sql", uri=self.uri, warehouse=self.warehouse)
        catalog.create_namespace_if_not_exists(name)
        return catalog


DAILY = {f"bronze_{name}" for name in bronze.DAY_COLUMNS}  # orders and lines; not dimensions
bronze_assets = [  # a run writes its days, one range or one day
    asset.map_asset_specs(
        lambda spec: spec.replace_attributes(partitions_def=daily)
    ).with_attributes(backfill_policy=BackfillPolicy.single_run())
    if asset.key.to_user_string() in DAILY
    else asset
    for asset in load_assets_from_modules([bronze])
    if isinstance(asset, AssetsDefinition)
]


class Translator(DagsterDbtTranslator):
    """Models keyed by their name, as jobs select them (dagster-dbt puts the schema first)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)  # meta.dagster.asset_key
        return AssetKey(dbt_resource_props["name"])


def _window_vars(context: AssetExecutionContext) -> list[str]:
    """The dbt vars the models' ``in_partition`` macro reads: the run's days, UTC, half open."""
    window = context.partition_time_window
    found = {"partition_start": window.start.strftime(UTC_TEXT)}
    found["partition_end"] = window.end.strftime(UTC_TEXT)
    return ["--vars", json.dumps(found)]


@dbt_assets(
    manifest=MANIFEST, select="stg_customers stg_products", dagster_dbt_translator=Translator()
)
def dimensions(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    yield from dbt.cli(["build"], context=context).stream()


@dbt_assets(
    manifest=MANIFEST,
    select="stg_orders stg_order_items",
    dagster_dbt_translator=Translator(),
    partitions_def=daily,
    backfill_policy=BackfillPolicy.single_run(),
)
def silver(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    yield from dbt.cli(["build", *_window_vars(context)], context=context).stream()


@dbt_assets(manifest=MANIFEST, select="marts", dagster_dbt_translator=Translator())
def gold(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    yield from dbt.cli(["build"], context=context).stream()


GOLD = AssetSelection.assets("customer_orders", "revenue_by_product")
medallion_pipeline = define_asset_job("medallion_pipeline", GOLD.upstream())
gold_refresh = define_asset_job("gold_refresh", GOLD)

nightly_pipeline = build_schedule_from_partitioned_job(
    medallion_pipeline,
    name="nightly_pipeline",
    hour_of_day=2,
    default_status=DefaultScheduleStatus.RUNNING,
)


WATCHED = ["stg_orders", "stg_order_items"]


@sensor(job=gold_refresh, minimum_interval_seconds=30, default_status=DefaultSensorStatus.RUNNING)
def gold_after_silver(context: SensorEvaluationContext) -> RunRequest | SkipReason:
    """Once both silver tables have new materializations since the last request."""
    seen = json.loads(context.cursor or "{}")
    latest = {}
    for name in WATCHED:
        records = context.instance.fetch_materializations(
            AssetRecordsFilter(asset_key=AssetKey(name), after_storage_id=seen.get(name)), limit=1
        ).records
        if not records:
            return SkipReason(f"waiting for a new materialization of {name}")
        latest[name] = records[0].storage_id
    context.update_cursor(json.dumps(latest))
    return RunRequest(run_key=",".join(f"{name}@{id}" for name, id in latest.items()))


defs = Definitions(
    assets=[*bronze_assets, dimensions, silver, gold],
    jobs=[medallion_pipeline, gold_refresh],
    schedules=[nightly_pipeline],
    sensors=[gold_after_silver],
    resources={
        "iceberg": IcebergCatalog(
            uri=os.environ.get("FLOE_CATALOG_URI", "sqlite:///.floe/catalog.db"),
            warehouse=os.environ.get("FLOE_WAREHOUSE", ".floe/warehouse"),
        ),
        "dbt": DbtCliResource(project_dir=str(HERE / "dbt")),
    },
)
