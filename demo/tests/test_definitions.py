"""SC-002: every dbt model is its own asset, wired bronze -> silver -> gold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetKey
from demo_env import (
    ARTIFACT,
    BRONZE,
    DEMO,
    GOLD,
    SILVER,
    compile_project,
    copy_demo,
    demo_environment,
    expect_prefixed_dbt_keys,
)

from floe_dagster import FloeDbtTranslator, FloeDefinitions


def test_exactly_ten_assets_with_exact_edges_and_groups(tmp_path: Path) -> None:
    defs = FloeDefinitions.from_compiled_artifacts(ARTIFACT, env=demo_environment(tmp_path))
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert keys == set(BRONZE + SILVER + GOLD)
    assert "silver_staging" not in keys
    assert "gold_marts" not in keys

    def parents(name: str) -> set[str]:
        return {p.to_user_string() for p in graph.get(AssetKey(name)).parent_keys}

    for name in BRONZE:
        assert parents(name) == set()
        assert graph.get(AssetKey(name)).group_name == "bronze"
    for table in ("customers", "orders", "products", "order_items"):
        assert graph.get(AssetKey(f"stg_{table}")).group_name == "silver"
    for dimension in ("customers", "products"):
        assert parents(f"stg_{dimension}") == {f"bronze_{dimension}"}
    # a day's orders and lines read the whole dimensions (built first, read by their tests)
    assert parents("stg_orders") == {"bronze_orders", "stg_customers"}
    assert parents("stg_order_items") == {"bronze_order_items", "stg_products"}
    assert parents("customer_orders") == {"stg_customers", "stg_orders", "stg_order_items"}
    assert parents("revenue_by_product") == {"stg_products", "stg_orders", "stg_order_items"}
    for name in GOLD:
        assert graph.get(AssetKey(name)).group_name == "gold"
    assert len(graph.asset_check_keys) == 23  # every dbt test is an asset check


def test_jobs_select_what_their_expressions_say(tmp_path: Path) -> None:
    defs = FloeDefinitions.from_compiled_artifacts(ARTIFACT, env=demo_environment(tmp_path))

    def selected(job: str) -> set[str]:
        resolved = defs.resolve_job_def(job)
        return {key.to_user_string() for key in resolved.asset_layer.executable_asset_keys}

    assert selected("bronze_refresh") == set(BRONZE)
    assert selected("medallion_pipeline") == set(BRONZE + SILVER + GOLD)
    vacuum = defs.resolve_job_def("vacuum_tables")
    assert [node.name for node in vacuum.nodes] == ["vacuum_tables_op"]
    assert vacuum.run_config == {
        "ops": {
            "vacuum_tables_op": {
                "config": {"retention_days": 7, "dry_run": False, "retain_last": 1}
            }
        }
    }


class PrefixedTranslator(FloeDbtTranslator):
    """A user's translator that reads the real dbt node properties, as dagster-dbt's do."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return AssetKey(["shop", dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return f"dbt_{dbt_resource_props['fqn'][1]}"

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        return f"{dbt_resource_props['name']} ({dbt_resource_props['original_file_path']})"


def test_a_translator_subclass_sees_real_node_properties(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "root", "translated_shop")
    expect_prefixed_dbt_keys(project / "floe.yaml", "shop")
    defs = FloeDefinitions.from_compiled_artifacts(
        compile_project(project),
        env=demo_environment(tmp_path / "s"),
        translator_class=PrefixedTranslator,
    )
    graph = defs.resolve_asset_graph()
    node = graph.get(AssetKey(["shop", "stg_orders"]))
    assert node.group_name == "dbt_staging"
    assert node.description == "stg_orders (models/staging/stg_orders.sql)"
    assert node.parent_keys == {  # sources still map to bronze
        AssetKey("bronze_orders"),
        AssetKey(["shop", "stg_customers"]),
    }
    assert graph.get(AssetKey(["shop", "customer_orders"])).parent_keys == {
        AssetKey(["shop", name]) for name in ("stg_customers", "stg_orders", "stg_order_items")
    }
    job = defs.resolve_job_def("medallion_pipeline")
    keys = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert keys == set(BRONZE) | {f"shop/{name}" for name in SILVER + GOLD}


LOAD_AND_LIST = """\
import json, sys
from floe_dagster import FloeDefinitions
from floe_dagster._lazy import loaded_step_only
defs = FloeDefinitions.from_compiled_artifacts(sys.argv[1])
defs.get_repository_def().get_all_jobs()
print(json.dumps(loaded_step_only(sys.modules)))
"""


def test_loading_the_demo_imports_no_lake_library(tmp_path: Path) -> None:
    """Every run worker and step process loads the demo; its Python modules import pyarrow,
    PyIceberg and floe's lake in the steps that write, so a load imports none of them."""
    env = demo_environment(tmp_path)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    done = subprocess.run(
        [sys.executable, "-c", LOAD_AND_LIST, str(ARTIFACT)],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_demo_filters_partitions_with_the_macros_floe_init_ships() -> None:
    """One copy of the partition macros: what `floe init` writes into a user's project ends
    with the demo's own file, word for word."""
    from floe_dagster._project import PARTITION_MACROS  # noqa: PLC0415

    demo = (DEMO / "dbt" / "macros" / "partition_window.sql").read_text()
    assert PARTITION_MACROS.endswith(demo)
