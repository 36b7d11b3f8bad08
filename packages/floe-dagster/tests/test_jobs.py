"""Jobs: ops args from the environment reach the run config by name; a function with **kwargs
takes args it does not name; every selection item must match on its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import DagsterInstance
from projects import write_project

from floe_config import load_config
from floe_dagster import FloeDagsterError, FloeDefinitions

OPS = """\
import os


def tidy(retention_days: int = 7, url: str = "", token: str = "", **extra) -> str:
    return f"{retention_days} {url} {token} {sorted(extra)}"
"""
FLOE_YAML = """\
name: tiny
orchestration:
  asset_modules: [.assets]
  jobs:
    tidy_up:
      type: ops
      target_function: .ops.tidy
      args:
        retention_days: ${DAYS:7}
        url: https://${HOST:localhost}/hook
        token: ${TIDY_TOKEN}
        dry_run: true
"""


def test_ops_args_travel_by_name_and_resolve_when_the_op_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_project(tmp_path, "ops_project", floe_yaml=FLOE_YAML, ops=OPS)
    env = {
        "DAYS": "30",
        "HOST": "hooks.example.org",
        "TIDY_TOKEN": "s3cr3t-2222",
        "FLOE_STATE_DIR": str(tmp_path / "s"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    defs = FloeDefinitions.from_config(load_config(path, env=env), env=env)
    job = defs.resolve_job_def("tidy_up")
    assert job.run_config == {
        "ops": {
            "tidy_up_op": {
                "config": {
                    "retention_days": {"env": "DAYS"},
                    "url": "https://${HOST:localhost}/hook",
                    "token": {"env": "TIDY_TOKEN"},
                    "dry_run": True,
                }
            }
        }
    }
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance)
        records = instance.all_logs(result.run_id)
    assert result.success
    logs = [r.user_message for r in records if "returned" in r.user_message]
    assert logs == [
        ".ops.tidy returned \"30 https://hooks.example.org/hook s3cr3t-2222 ['dry_run']\""
    ]


def test_every_selection_item_is_checked(tmp_path: Path) -> None:
    text = (
        "name: tiny\norchestration:\n  asset_modules: [.assets]\n  jobs:\n"
        '    j: {type: batch, selection: ["+daily_counts", "+daily_count"]}\n'
    )
    path = write_project(tmp_path, "typo_project", floe_yaml=text)
    with pytest.raises(FloeDagsterError) as caught:
        FloeDefinitions.from_config(load_config(path, env={}), env={})
    assert [(i.code, i.line, i.path, i.hint) for i in caught.value.issues] == [
        (
            "selection_matches_nothing",
            5,
            "orchestration.jobs.j.selection[1]",
            "did you mean 'daily_counts'?",
        )
    ]
