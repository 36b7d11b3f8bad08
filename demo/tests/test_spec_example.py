"""The full floe.yaml of spec/floe-yaml.md builds into Dagster definitions, on the demo."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from demo_env import BRONZE, GOLD, SILVER, compile_project, copy_demo, demo_environment

from floe_dagster import FloeDefinitions, cli_main

SPEC_EXAMPLE = Path("packages/floe-config/tests/data/spec_example/floe.yaml")
PROFILES = """\
ecommerce:
  target: dev
  outputs:
    dev: {type: duckdb, path: "{path}", threads: 2}
"""


def test_the_spec_example_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_demo(tmp_path / "root", "spec_shop")
    shutil.copyfile(SPEC_EXAMPLE, project / "floe.yaml")
    warehouse = tmp_path / "state" / "warehouse.duckdb"
    (project / "dbt" / "profiles.yml").write_text(PROFILES.replace("{path}", str(warehouse)))
    env = demo_environment(tmp_path / "state")
    defs = FloeDefinitions.from_compiled_artifacts(compile_project(project), env=env)

    graph = defs.resolve_asset_graph()
    assert {k.to_user_string() for k in graph.get_all_asset_keys()} == set(BRONZE + SILVER + GOLD)
    jobs = {job.name for job in defs.resolve_all_job_defs()}
    assert {"bronze_refresh", "gold_pipeline", "vacuum_tables", "send_alert"} <= jobs
    assert defs.resolve_schedule_def("daily_bronze").execution_timezone == "America/New_York"
    assert defs.resolve_schedule_def("weekly_vacuum").cron_schedule == "0 2 * * 0"

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli_main(["validate", str(project / "floe.yaml")]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("  not built yet (validated only): partitions (5), ")
