"""Why a run failed, read back from a real run's events in a Dagster instance (and, for a dbt
step, from the run_results.json in the step's target folder)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

from dagster import (
    DagsterInstance,
    StaticPartitionsDefinition,
    asset,
    materialize,
)

from floe_config import Backfill
from floe_dagster._failures import MAX_NODES, run_failures
from floe_dagster._orchestration.backfill_run import (
    PARTITION_TAG,
    RANGE_END,
    RANGE_START,
    BackfillResult,
    BatchResult,
    failed_runs,
    partitions_of,
    summary,
)
from floe_dagster._orchestration.backfills import BackfillPlan
from floe_dbt import step_target_path


def _count(rows: int) -> int:
    raise ValueError(f"{rows} rows\nand a second line")


@asset
def audit() -> None:
    _count(0)


@asset(deps=[audit])
def after_audit() -> None: ...


@asset
def fine() -> None: ...


def test_a_python_step_is_its_error_where_the_code_raised_it() -> None:
    line = inspect.getsourcelines(_count)[1] + 1
    with DagsterInstance.ephemeral() as instance:
        run = materialize([audit, after_audit, fine], instance=instance, raise_on_error=False)
        assert run_failures(instance, run.run_id) == [
            f"step audit: ValueError: 0 rows (at {__file__}:{line} in _count)"
        ]
        done = materialize([fine], instance=instance)
        assert run_failures(instance, done.run_id) == []


def _failed_dbt_step(state: Path, results: list[dict[str, object]] | None, said: str) -> list[str]:
    """``run_failures`` of a run whose step of floe's dbt step's name raised ``said``, after
    dbt left ``results`` (or nothing) in the step's target folder."""

    @asset(name="dbt_models")
    def step() -> None:
        raise RuntimeError(said)

    with DagsterInstance.ephemeral() as instance:
        run = materialize([step], instance=instance, raise_on_error=False)
        target = step_target_path(state, run.run_id, "dbt_models")
        target.mkdir(parents=True)
        if results is not None:
            (target / "run_results.json").write_text(json.dumps({"results": results}))
        return [
            *run_failures(instance, run.run_id, dbt_state_dir=state),
            *run_failures(instance, run.run_id),  # without floe's dbt state: an error as any
        ]


def _node(unique_id: str, status: str, message: str | None = None) -> dict[str, object]:
    return {"unique_id": unique_id, "status": status, "message": message}


def test_a_dbt_step_is_the_nodes_dbt_failed_in_dbts_words(tmp_path: Path) -> None:
    errors = [
        _node(f"model.shop.m{i}", "error", f"Runtime Error in model m{i} (models/m{i}.sql)\n  boom")
        for i in range(MAX_NODES + 2)
    ]
    results = [
        _node("seed.shop.raw", "success", "INSERT 3"),
        _node("test.shop.unique_raw_id.4f2a", "fail", "Got 2 results, configured to fail if != 0"),
        *errors,
        _node("model.shop.downstream", "skipped"),
    ]
    lines = _failed_dbt_step(tmp_path, results, "dbt build failed")
    [target] = tmp_path.glob("target/*/dbt_models")
    assert lines[:-1] == [
        "step dbt_models: dbt failed 13 of 15 node(s); 1 downstream of them skipped",
        "  test unique_raw_id: Got 2 results, configured to fail if != 0",
        *(f"  Runtime Error in model m{i} (models/m{i}.sql): boom" for i in range(MAX_NODES - 1)),
        "  and 3 more",
        f"  dbt's log: {target / 'dbt.log'}",
    ]
    assert lines[-1].startswith("step dbt_models: RuntimeError: dbt build failed (at ")


def test_a_dbt_step_that_stopped_before_any_node_is_what_dbt_logged(tmp_path: Path) -> None:
    said = (
        "The dbt CLI process with command\n\n`dbt build`\n\nfailed with exit code `2`. Check "
        "the stdout.\n\nErrors parsed from dbt logs:\n\nEncountered an error:\n\n"
        "Compilation Error\n  Model 'model.shop.daily' depends on a node named 'nope'\n"
    )
    lines = _failed_dbt_step(tmp_path, None, said)
    [target] = tmp_path.glob("target/*/dbt_models")
    assert lines[:-1] == [
        "step dbt_models: dbt stopped (exit code 2) before it built a node",
        "  Encountered an error:",
        "  Compilation Error",
        "  Model 'model.shop.daily' depends on a node named 'nope'",
        f"  dbt's log: {target / 'dbt.log'}",
    ]
    assert lines[-1].startswith(
        "step dbt_models: RuntimeError: The dbt CLI process with command (at "
    )


def test_a_backfill_summary_shows_each_failed_run_under_its_partitions() -> None:
    keys = ("a", "b", "c", "d")
    plan = BackfillPlan(
        name="regions",
        spec=Backfill(job="by_region", partitions=list(keys), batch_size=2),
        assets=frozenset(),
        partitions_def=StaticPartitionsDefinition(list(keys)),
        keys=keys,
        batches=(("a", "b"), ("c", "d")),
    )
    result = BackfillResult(plan, seconds=3.0)
    result.batches += [
        BatchResult(("a", "b"), "run-1", True, 1.0),
        BatchResult(("c", "d"), "run-2", False, 2.0, "step x: dbt failed 1 of 2 node(s)\n  why"),
    ]
    assert summary(result) == [
        "backfill regions: 1 of 2 runs succeeded, 1 failed; 2 of 4 partitions materialized in 3.0 s",
        "  FAILED c..d (run run-2): step x: dbt failed 1 of 2 node(s)",
        "      why",
        "  re-run the backfill to retry: each run replaces its partitions",
    ]


def test_a_daemon_backfills_failed_runs_are_found_with_their_partitions() -> None:
    """What ``floe backfill --wait`` lists after the daemon's backfill: its failed runs, oldest
    first, each with the partition or range it ran."""
    backfill = {"dagster/backfill": "abcdefgh"}
    with DagsterInstance.ephemeral() as instance:
        first = materialize(
            [audit],
            instance=instance,
            raise_on_error=False,
            tags={**backfill, RANGE_START: "2026-01-01", RANGE_END: "2026-01-10"},
        )
        materialize([fine], instance=instance, tags={**backfill, PARTITION_TAG: "2026-01-11"})
        second = materialize(
            [audit],
            instance=instance,
            raise_on_error=False,
            tags={**backfill, PARTITION_TAG: "2026-01-12"},
        )
        materialize([audit], instance=instance, raise_on_error=False)  # no backfill's
        failed = failed_runs(instance, "abcdefgh")
    assert [run.run_id for run in failed] == [first.run_id, second.run_id]
    assert [partitions_of(run) for run in failed] == [("2026-01-01", "2026-01-10"), ("2026-01-12",)]
