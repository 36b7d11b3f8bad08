"""An ops job around a function: args as its default run config, editable in the launchpad,
and what the function returns as the output's metadata."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dagster import DagsterInstance, MetadataValue

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
