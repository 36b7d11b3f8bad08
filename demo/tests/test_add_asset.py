"""SC-005: a new module listed in floe.yaml is all it takes for its assets to appear."""

from __future__ import annotations

from pathlib import Path

from dagster import AssetKey
from demo_env import GOLD_PY, compile_project, copy_demo, demo_environment

from floe_dagster import FloeDefinitions


def test_a_new_module_is_discovered(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "root", "shop_with_gold")
    (project / "orchestration" / "assets" / "gold.py").write_text(GOLD_PY)
    floe_yaml = project / "floe.yaml"
    floe_yaml.write_text(
        floe_yaml.read_text().replace(
            "    - .orchestration.assets.ops\n",
            "    - .orchestration.assets.ops\n    - .orchestration.assets.gold\n",
        )
    )
    artifact = compile_project(project)
    defs = FloeDefinitions.from_compiled_artifacts(artifact, env=demo_environment(tmp_path / "s"))
    graph = defs.resolve_asset_graph()
    node = graph.get(AssetKey("top_customers"))
    assert node.group_name == "gold"
    assert node.parent_keys == {AssetKey("customer_orders")}
    assert node.description == "The ten best customers, by lifetime revenue."
    assert len(graph.get_all_asset_keys()) == 11
