"""The full floe.yaml of spec/floe-yaml.md builds into Dagster definitions, on the demo.

Verbatim, the example contradicts FR-040 (as the partitions issue settles it): its schedule
``daily_bronze`` runs ``bronze_refresh``, every asset of which the ``bronze_*`` pattern gives
``on_missing``, so automation owns them all and the schedule would run nothing. floe says so,
at the schedule's line; without that one condition the example builds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from demo_env import BRONZE, GOLD, SILVER, compile_project, copy_demo, demo_environment

from floe_dagster import FloeDagsterError, FloeDefinitions, cli_main

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
    with pytest.raises(FloeDagsterError) as rejected:
        FloeDefinitions.from_compiled_artifacts(compile_project(project), env=env)
    assert [(i.code, i.line, i.path) for i in rejected.value.issues] == [
        ("schedule_all_automated", 107, "orchestration.schedules.daily_bronze.job")
    ]

    text = (project / "floe.yaml").read_text()
    condition = "      automation_condition: on_missing\n"
    assert text.count(condition) == 1
    (project / "floe.yaml").write_text(text.replace(condition, ""))
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
    out = capsys.readouterr().out
    assert "not built" not in out
    assert "  sensors:      4" in out.splitlines()
    sensors = {s.name: s for s in defs.get_repository_def().sensor_defs}
    assert {"incoming_files", "gold_on_bronze", "failure_alert", "ready_flag"} <= set(sensors)
    assert sensors["incoming_files"].minimum_interval_seconds == 30
    assert sensors["ready_flag"].default_status.value == "STOPPED"
