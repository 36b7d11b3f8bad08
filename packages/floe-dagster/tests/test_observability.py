"""Observability: observations are pure functions of facts; hooks really emit them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from dagster import DagsterInstance
from projects import FLOE_YAML, write_project

from floe_config import load_config
from floe_dagster import FloeDefinitions
from floe_dagster._observability.catalog import (
    AssetInfo,
    DbtInfo,
    DbtTestInfo,
    ObservedDefinitions,
)
from floe_dagster._observability.facts import (
    CheckEvaluation,
    Failure,
    Materialization,
    StepFacts,
)
from floe_dagster._observability.observations import Assertion, observe_step
from floe_dagster._observability.settings import observability_settings
from floe_dagster._observability.sinks import sinks
from floe_dbt import DbtNodeResult


def _catalog(tmp_path: Path, *, level: str = "per_model") -> ObservedDefinitions:
    path = tmp_path / "floe.yaml"
    path.write_text(
        f"name: p\norchestration:\n  dbt: {{manifest_path: m.json, observability_level: {level}}}\n"
    )
    settings = observability_settings(load_config(path, env={}), env={}, state_dir=tmp_path)
    stg = DbtInfo(
        unique_id="model.p.stg",
        relation="db.silver.stg",
        columns=(("id", "int", "the id"),),
        classifications={"email": ("pii",)},
        tests=(DbtTestInfo("test.p.unique_id", "unique", "id"),),
    )
    gold = DbtInfo("model.p.gold", "db.gold.gold", (), {}, ())
    return ObservedDefinitions(
        settings=settings,
        assets={
            "raw": AssetInfo("raw", (), "raw rows", ("team:a",)),
            "stg": AssetInfo("stg", ("raw",), "", (), stg),
            "gold": AssetInfo("gold", ("stg",), "", (), gold),
        },
        assets_by_op={"raw": ["raw"], "dbt_models": ["gold", "stg"]},
        checks_by_op={"raw_fresh": [("raw", "fresh")]},
        dbt_ops={"dbt_models"},
    )


def _facts(op: str, **kw: Any) -> StepFacts:
    return StepFacts(
        run_id="r", job_name="j", step_key=op, op_name=op, started=10.0, finished=20.0,
        seed="s", **kw,
    )  # fmt: skip


def test_a_python_asset_carries_its_checks_as_assertions(tmp_path: Path) -> None:
    facts = _facts(
        "raw",
        materialized={"raw": Materialization(row_count=3, partition="2024-01-02")},
        checks=(CheckEvaluation("raw", "not_empty", True),),
    )
    [observation] = observe_step(_catalog(tmp_path), facts)
    assert observation.name == "raw"
    assert observation.attributes["dagster.partition_key"] == "2024-01-02"
    [output] = observation.outputs
    assert (output.row_count, output.owners) == (3, ("team:a",))
    assert output.assertions == (Assertion("not_empty", True),)


def test_a_check_step_reports_on_its_input(tmp_path: Path) -> None:
    facts = _facts("raw_fresh", checks=(CheckEvaluation("raw", "fresh", False),))
    [observation] = observe_step(_catalog(tmp_path), facts)
    assert observation.outputs == ()
    [checked] = observation.inputs
    assert (checked.name, checked.assertions) == ("raw", (Assertion("fresh", False),))


def test_dbt_models_are_children_with_dbt_times(tmp_path: Path) -> None:
    results = {
        "model.p.stg": DbtNodeResult("model.p.stg", "success", 11.0, 12.0, rows=5),
        "test.p.unique_id": DbtNodeResult("test.p.unique_id", "fail", 12.0, 12.5),
        "model.p.gold": DbtNodeResult("model.p.gold", "error", 13.0, 14.0, message="boom"),
    }
    step, stg, gold = observe_step(_catalog(tmp_path), _facts("dbt_models", dbt=results))
    assert (step.name, step.parent) == ("dbt_models", None)
    assert [(o.name, o.parent, o.start, o.end) for o in (stg, gold)] == [
        ("stg", 0, 11.0, 12.0),
        ("gold", 0, 13.0, 14.0),
    ]
    assert stg.outputs[0].assertions == (Assertion("unique", False, "id"),)
    assert stg.outputs[0].classifications == {"email": ("pii",)}
    assert [e.attributes["dbt.test_status"] for e in stg.events] == ["fail"]
    assert gold.failure == Failure("boom")
    assert len({step.run_id, stg.run_id, gold.run_id}) == 3


def test_skipped_models_are_not_observed_and_job_level_is_one_run(tmp_path: Path) -> None:
    results = {
        "model.p.stg": DbtNodeResult("model.p.stg", "success", 11.0, 12.0),
        "model.p.gold": DbtNodeResult("model.p.gold", "skipped"),
    }
    observations = observe_step(_catalog(tmp_path), _facts("dbt_models", dbt=results))
    assert [o.name for o in observations] == ["dbt_models", "stg"]
    [one] = observe_step(_catalog(tmp_path, level="job_level"), _facts("dbt_models", dbt=results))
    assert ([i.name for i in one.inputs], [o.name for o in one.outputs]) == (["raw"], ["stg"])


def _lineage(state: Path) -> list[dict[str, Any]]:
    lines = (state / "observability" / "lineage.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_python_asset_checks_reach_lineage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state"
    monkeypatch.setenv("FLOE_STATE_DIR", str(state))
    config = load_config(write_project(tmp_path, "checked_project"), env={})
    defs = FloeDefinitions.from_config(config, env={"FLOE_STATE_DIR": str(state)})
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("everything").execute_in_process(
            instance=instance, raise_on_error=False
        )
    assert result.success  # a failed check (counts_are_fresh, on purpose) fails no run
    complete = {e["job"]["name"]: e for e in _lineage(state) if e["eventType"] == "COMPLETE"}
    [events] = complete["events"]["outputs"]
    assert events["facets"]["dataQualityAssertions"]["assertions"] == [
        {"assertion": "has_rows", "success": True, "params": {}}
    ]
    assert events["outputFacets"]["outputStatistics"]["rowCount"] == 3
    [check] = [e for name, e in complete.items() if "counts_are_fresh" in name]
    [checked] = check["inputs"]
    assert checked["name"] == "daily_counts"
    assert checked["inputFacets"]["dataQualityAssertions"]["assertions"] == [
        {"assertion": "counts_are_fresh", "success": False, "params": {}}
    ]


def test_nothing_is_kept_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Observability off: no hooks at all. On: one sink per process, however many runs."""
    state = tmp_path / "state"
    off = FLOE_YAML + "observability:\n  traces: {enabled: false}\n  lineage: {enabled: false}\n"
    path = write_project(tmp_path, "quiet_project", floe_yaml=off)
    env = {"FLOE_STATE_DIR": str(state)}
    monkeypatch.setenv("FLOE_STATE_DIR", str(state))
    defs = FloeDefinitions.from_config(load_config(path, env={}), env=env)
    job = defs.resolve_job_def("everything")
    assert not [h for h in job.hook_defs if h.name.startswith("floe_")]
    sinks.cache_clear()
    with DagsterInstance.ephemeral() as instance:
        for _ in range(3):
            job.execute_in_process(instance=instance, raise_on_error=False)
    assert sinks.cache_info().currsize == 0
    assert not (state / "observability").exists()

    path.write_text(FLOE_YAML)
    defs = FloeDefinitions.from_config(load_config(path, env={}), env=env)
    job = defs.resolve_job_def("everything")
    with DagsterInstance.ephemeral() as instance:
        for _ in range(3):
            job.execute_in_process(instance=instance, raise_on_error=False)
    assert sinks.cache_info().currsize == 1
