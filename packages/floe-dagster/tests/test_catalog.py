"""The observer's catalog of a code location, read once off the built assets: every asset's
deps, description, owners and dbt facts, keyed as lineage names its dataset (a key's parts
joined by ``/``), and which op materializes or checks which assets."""

from __future__ import annotations

from pathlib import Path

from dagster import AssetCheckSpec, AssetKey, asset

from floe_dagster._dagster_internals import asset_graph
from floe_dagster._observability.catalog import catalog
from floe_dagster._observability.settings import ObservabilitySettings


@asset(key=["bronze", "orders"], owners=["team:ingest"], description="raw orders")
def orders() -> None: ...


@asset(
    deps=[orders],
    check_specs=[AssetCheckSpec("has_rows", asset="totals")],
)
def totals():  # type: ignore[no-untyped-def]
    yield from ()


def _settings(tmp_path: Path) -> ObservabilitySettings:
    return ObservabilitySettings(
        service_name="shop",
        service_version=None,
        namespace="shop",
        traces_enabled=True,
        trace_exporter="file",
        otlp_traces_url=None,
        lineage_enabled=True,
        lineage_transport="file",
        lineage_url=None,
        state_dir=tmp_path,
        dbt_level="per_model",
        classifications=True,
    )


def test_the_catalog_of_python_assets(tmp_path: Path) -> None:
    definitions = [orders, totals]
    observed = catalog(
        _settings(tmp_path),
        graph=asset_graph(definitions),
        definitions=definitions,
        dbt_keys={},
        dbt_state_dir=tmp_path / "dbt",
    )
    assert set(observed.assets) == {"bronze/orders", "totals"}
    assert observed.assets["totals"].deps == ("bronze/orders",)
    assert observed.assets["bronze/orders"].owners == ("team:ingest",)
    assert observed.assets["bronze/orders"].description == "raw orders"
    assert observed.assets_by_op == {"bronze__orders": ["bronze/orders"], "totals": ["totals"]}
    assert observed.checks_by_op == {"totals": [("totals", "has_rows")]}
    assert observed.dbt_ops == set()
    assert observed.dbt_state_dir == tmp_path / "dbt"
    assert AssetKey(["bronze", "orders"]).to_user_string() == "bronze/orders"
