"""An ops job around a function: args as its default run config, editable in the launchpad,
and what the function returns as the output's metadata."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster import DagsterInstance, MetadataValue
from projects import write_project

from floe_config import OpsJob
from floe_dagster._orchestration.ops_jobs import build_ops_job, result_metadata


@dataclass
class Report:
    table: str
    files: list[str]


def tidy(context: Any, retention_days: int = 7, tables: list[str] | None = None) -> Report:
    context.log.info("tidying")
    return Report("bronze.orders", [f"{retention_days}d", *(tables or [])])


def test_args_are_the_default_run_config_and_the_result_is_metadata() -> None:
    spec = OpsJob(type="ops", target_function="x.tidy", args={"retention_days": 3})
    job = build_ops_job("tidy_up", spec, function=tidy, resource_keys=())
    assert job.run_config == {"ops": {"tidy_up_op": {"config": {"retention_days": 3}}}}
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance,
            run_config={"ops": {"tidy_up_op": {"config": {"retention_days": 9, "tables": ["a"]}}}},
        )
    assert result.success
    [materialization] = [e for e in result.all_events if e.event_type_value == "STEP_OUTPUT"]
    metadata = materialization.step_output_data.metadata
    assert metadata["table"].value == "bronze.orders"
    assert metadata["files"].value == ["9d", "a"]


def test_result_metadata_keeps_scalars_and_writes_the_rest_as_json() -> None:
    assert result_metadata(3) == {"result": 3}
    found = result_metadata({"rows": 2, "tables": ("a", "b"), "odd": {1, 2}})
    assert found["rows"] == 2
    assert found["tables"] == MetadataValue.json(["a", "b"])
    assert found["odd"] == MetadataValue.json("{1, 2}")


DEFINITIONS = """\
import os
from pathlib import Path

from floe_config import load_config
from floe_dagster import FloeDefinitions

defs = FloeDefinitions.from_config(load_config(Path(__file__).parent / "floe.yaml", env=os.environ))
"""


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_an_ops_job_is_observed_like_an_asset_job(tmp_path: Path) -> None:
    """An ops job run by ``dagster job execute`` (the multiprocess executor: the op in its own
    step process) from an empty instance: the op's step is a span and an OpenLineage run of its
    own, with the run's ids, and what the function returned is the output's metadata."""
    write_project(tmp_path / "code", "observed_ops", definitions=DEFINITIONS)
    home, state = tmp_path / "home", tmp_path / "state"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    paths = [str(tmp_path / "code"), *(p for p in sys.path if p)]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OPENLINEAGE_"))},
        "PYTHONPATH": os.pathsep.join(paths),
        "DAGSTER_HOME": str(home),
        "FLOE_STATE_DIR": str(state),
    }
    done = subprocess.run(
        [sys.executable, "-m", "dagster", "job", "execute", "-m", "observed_ops.definitions",
         "-j", "tidy_up"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "Multiprocess executor" in output  # the op ran in a step process of its own

    with DagsterInstance.from_config(str(home)) as instance:
        [run] = instance.get_runs()
        assert (run.job_name, run.status.value) == ("tidy_up", "SUCCESS")
        [output_event] = [
            e.dagster_event
            for e in instance.all_logs(run.run_id)
            if e.dagster_event is not None and e.dagster_event.event_type_value == "STEP_OUTPUT"
        ]
    metadata = output_event.step_output_data.metadata
    assert metadata["result"].value == 3  # tidy(retention_days=3) returns it

    observed = state / "observability"
    [span] = [s for s in _lines(observed / "traces.jsonl") if s["name"] == "tidy_up_op"]
    assert span["attributes"]["dagster.run_id"] == run.run_id
    assert span["attributes"]["dagster.job"] == "tidy_up"
    assert span["attributes"]["dagster.step_key"] == "tidy_up_op"
    assert span["status"]["status_code"] == "OK"
    events = [e for e in _lines(observed / "lineage.jsonl") if e["job"]["name"] == "tidy_up_op"]
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"]
    assert {e["run"]["runId"] for e in events} == {events[0]["run"]["runId"]}
