"""floe's private Dagster imports still exist: an upgrade that moves one fails here, loudly."""

from __future__ import annotations

from pathlib import Path

from dagster import AssetKey, AssetSpec, DagsterInstance, DailyPartitionsDefinition, asset

from floe_dagster._dagster_internals import (
    AssetGraph,
    UnresolvedAssetJobDefinition,
    asset_graph,
    backfill_status,
    reconstructing,
    submit_asset_backfill,
)


@asset
def upstream() -> None: ...


@asset(deps=[upstream])
def downstream() -> None: ...


def test_the_private_names_resolve() -> None:
    assert isinstance(AssetGraph, type)
    assert isinstance(UnresolvedAssetJobDefinition, type)
    graph = asset_graph([upstream, downstream])
    assert graph.get(AssetKey("downstream")).parent_keys == {AssetKey("upstream")}


def test_plain_asset_specs_join_the_graph() -> None:
    """A module may define plain AssetSpecs (external assets, such as a dbt source's table)."""
    specs = [AssetSpec("raw_events"), AssetSpec("raw_users", group_name="raw")]
    graph = asset_graph([*specs, upstream, downstream])
    assert graph.get(AssetKey("raw_users")).group_name == "raw"
    assert not graph.get(AssetKey("raw_events")).is_executable


def test_a_plain_load_is_not_a_reconstruction() -> None:
    assert reconstructing() is False


def test_a_backfill_submits_through_the_private_api(tmp_path: Path) -> None:
    """``PartitionBackfill``, ``make_new_backfill_id`` and ``BulkActionStatus`` (no public API
    submits an asset backfill): the instance records it as requested, for the daemon."""
    daily = DailyPartitionsDefinition(start_date="2024-01-01")

    @asset(partitions_def=daily)
    def events() -> None: ...

    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        backfill_id = submit_asset_backfill(
            instance,
            asset_graph([events]),
            keys=[AssetKey("events")],
            partitions=["2024-01-01", "2024-01-02"],
            title="two days",
            description=None,
            tags={"floe/test": "yes"},
        )
        assert backfill_status(instance, backfill_id) == "REQUESTED"
        assert backfill_status(instance, "no-such-backfill") is None


def test_dagster_dbts_unexported_names_are_the_ones_its_own_builder_writes() -> None:
    """floe writes dagster-dbt's runtime facts under dagster-dbt's keys: an upgrade that renames
    them, or moves ``DbtManifestWrapper``, fails here instead of at a dbt step."""
    from dagster_dbt import DagsterDbtTranslator  # noqa: PLC0415

    from floe_dagster._dagster_internals import (  # noqa: PLC0415
        DAGSTER_DBT_EXCLUDE_METADATA_KEY,
        DAGSTER_DBT_MANIFEST_METADATA_KEY,
        DAGSTER_DBT_SELECT_METADATA_KEY,
        DAGSTER_DBT_TRANSLATOR_METADATA_KEY,
        DAGSTER_DBT_UNIQUE_ID_METADATA_KEY,
        DbtManifestWrapper,
    )

    node = {
        "unique_id": "model.shop.orders",
        "name": "orders",
        "resource_type": "model",
        "package_name": "shop",
        "fqn": ["shop", "orders"],
        "original_file_path": "models/orders.sql",
        "config": {"materialized": "table"},
        "meta": {},
        "columns": {},
        "tags": [],
        "depends_on": {"nodes": []},
    }
    raw = {"nodes": {"model.shop.orders": node}, "sources": {}, "metadata": {}}
    spec = DagsterDbtTranslator().get_asset_spec(raw, "model.shop.orders", None)
    assert spec.metadata[DAGSTER_DBT_UNIQUE_ID_METADATA_KEY] == "model.shop.orders"
    assert isinstance(spec.metadata[DAGSTER_DBT_MANIFEST_METADATA_KEY], DbtManifestWrapper)
    assert isinstance(spec.metadata[DAGSTER_DBT_TRANSLATOR_METADATA_KEY], DagsterDbtTranslator)
    assert DAGSTER_DBT_SELECT_METADATA_KEY.startswith("dagster_dbt/")
    assert DAGSTER_DBT_EXCLUDE_METADATA_KEY.startswith("dagster_dbt/")
