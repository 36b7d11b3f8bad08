"""What a triggered run gets: an ops job its trigger as config on top of its defaults, a
partitioned job one run per partition, every run the sensor's tags."""

from __future__ import annotations

from dagster import AssetKey, StaticPartitionsDefinition, define_asset_job

from floe_config import OpsJob
from floe_dagster._orchestration.jobs import JobAssets
from floe_dagster._orchestration.ops_jobs import build_ops_job
from floe_dagster._orchestration.sensor_target import Target, op_config_fields, tick_result


def load(file_path: str = "", batch: int = 100, dry_run: bool = False) -> None: ...


def test_an_ops_job_gets_the_values_it_takes_on_top_of_its_defaults() -> None:
    spec = OpsJob(type="ops", target_function="x.load", args={"batch": 10})
    job = build_ops_job("load_file", spec, function=load, resource_keys=())
    fields = op_config_fields(job)
    assert fields == ("load_file_op", frozenset({"file_path", "batch", "dry_run"}))
    target = Target("load_file", job, None, fields)
    [request] = target.requests(
        run_key="f:1",
        tags={"floe/sensor": "s"},
        values={"file_path": "/in/a.csv", "run_id": "not taken"},
    )
    assert request.run_config == {
        "ops": {"load_file_op": {"config": {"batch": 10, "file_path": "/in/a.csv"}}}
    }
    assert (request.run_key, request.tags) == ("f:1", {"floe/sensor": "s"})


def test_a_partitioned_job_gets_a_run_per_partition() -> None:
    regions = StaticPartitionsDefinition(["us", "eu"])
    job = define_asset_job("regional", selection=[AssetKey("sales")])
    target = Target("regional", job, JobAssets(frozenset({AssetKey("sales")}), regions), None)
    assert op_config_fields(job) is None
    every = target.requests(run_key="k", tags={}, values={})
    assert [(r.partition_key, r.run_key) for r in every] == [("us", "k|us"), ("eu", "k|eu")]
    changed = target.requests(run_key="k", tags={}, values={}, partition_keys=["eu"])
    assert [r.partition_key for r in changed] == ["eu"]


def test_a_tick_keeps_its_cursor_as_sorted_json() -> None:
    result = tick_result([], {"b": 2, "a": 1})
    assert result.cursor == '{"a": 1, "b": 2}'
