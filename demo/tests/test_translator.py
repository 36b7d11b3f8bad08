"""A user's translator changes exactly what it overrides, in the UI (GraphQL) and in lineage.

The subclass overrides ``get_asset_key``, ``get_group_name`` and ``get_description`` of dbt
nodes; the Python assets, the edges and everything else stay as they were.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dagster import DagsterInstance
from dagster_processes import dagster_server, wait_for_repository
from demo_env import (
    BRONZE,
    GOLD,
    SILVER,
    WHOLE_YEAR,
    compile_project,
    copy_demo,
    demo_environment,
    expect_prefixed_dbt_keys,
)

from floe_dagster import FloeDefinitions

TRANSLATOR = '''\
from dagster import AssetKey

from floe_dagster import FloeDbtTranslator


class ShopTranslator(FloeDbtTranslator):
    """The shop's conventions: dbt assets under shop/, grouped by dbt folder."""

    def get_asset_key(self, dbt_resource_props):
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return AssetKey(["shop", dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props):
        return f"dbt_{dbt_resource_props['fqn'][1]}"

    def get_description(self, dbt_resource_props):
        return f"{dbt_resource_props['name']} ({dbt_resource_props['original_file_path']})"
'''
DEFINITIONS = """\
from floe_dagster import FloeDefinitions

from .translator import ShopTranslator

defs = FloeDefinitions.from_compiled_artifacts(translator_class=ShopTranslator)
"""
QUERY = """
{
  assetNodes { assetKey { path } groupName description dependencyKeys { path } }
  repositoriesOrError { ... on RepositoryConnection { nodes { name } } }
}
"""


def test_a_translator_changes_exactly_what_it_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_demo(tmp_path / "root", "translated_shop")
    orchestration = project / "orchestration"
    (orchestration / "translator.py").write_text(TRANSLATOR)
    (orchestration / "definitions.py").write_text(DEFINITIONS)
    expect_prefixed_dbt_keys(project / "floe.yaml", "shop")
    compile_project(project)
    env = demo_environment(tmp_path / "state", FLOE_DEMO_SCALE="0.05")
    env["PYTHONPATH"] = str(tmp_path / "root")

    module = "translated_shop.orchestration.definitions"
    with dagster_server(env, tmp_path / "webserver.log", module=module) as url:
        data = wait_for_repository(url, QUERY)
    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
    assert set(nodes) == set(BRONZE) | {f"shop/{name}" for name in SILVER + GOLD}
    stg = nodes["shop/stg_orders"]
    assert stg["groupName"] == "dbt_staging"
    assert stg["description"] == "stg_orders (models/staging/stg_orders.sql)"
    assert sorted(d["path"] for d in stg["dependencyKeys"]) == [
        ["bronze_orders"],
        ["shop", "stg_customers"],
    ]
    assert nodes["bronze_orders"]["groupName"] == "bronze"  # Python assets: untouched
    assert nodes["bronze_orders"]["description"] == "Orders; a status change arrives as a new row."

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.syspath_prepend(str(tmp_path / "root"))
    from translated_shop.orchestration.translator import ShopTranslator  # noqa: PLC0415

    defs = FloeDefinitions.from_compiled_artifacts(
        project / "compiled_artifacts.json", env=env, translator_class=ShopTranslator
    )
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("medallion_pipeline").execute_in_process(
            instance=instance, tags=WHOLE_YEAR
        )
    assert result.success
    lines = (tmp_path / "state" / "observability" / "lineage.jsonl").read_text().splitlines()
    complete = [json.loads(line) for line in lines if '"COMPLETE"' in line]
    edges = {
        (i["name"], o["name"])
        for event in complete
        for i in event["inputs"]
        for o in event["outputs"]
    }
    assert ("bronze_orders", "shop/stg_orders") in edges
    assert ("shop/stg_orders", "shop/customer_orders") in edges
    jobs = {event["job"]["name"] for event in complete}
    assert {f"shop/{name}" for name in SILVER + GOLD} <= jobs
