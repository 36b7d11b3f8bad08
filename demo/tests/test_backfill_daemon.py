"""The demo's named backfill submitted to a Dagster instance with the daemon running (SC-007):
the daemon runs it in batches of ``batch_size`` and the instance lists it as a backfill."""

from __future__ import annotations

from pathlib import Path

from backfills import (
    BACKFILL,
    FIRST_DAYS,
    RANGE_END,
    RANGE_START,
    backfill_project,
    every_day_materialized,
)
from dagster import DagsterInstance, RunsFilter
from dagster_processes import dagster_server
from demo_env import floe


def test_the_named_backfill_runs_through_the_daemon(tmp_path: Path) -> None:
    project, env = backfill_project(tmp_path)
    home = Path(env["DAGSTER_HOME"])
    (home / "dagster.yaml").write_text(
        "telemetry:\n  enabled: false\nrun_queue:\n  max_concurrent_runs: 2\n"
    )
    module = "backfill_shop.orchestration.definitions"
    with dagster_server(env, tmp_path / "dagster.log", module=module, daemon=True):
        result = floe(
            env,
            *("backfill", BACKFILL, str(project / "floe.yaml"), "--wait", "--timeout", "600"),
            timeout=900,
        )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "COMPLETED_SUCCESS, 12 run(s) succeeded, 0 failed" in result.stdout
    instance = DagsterInstance.from_config(str(home))
    [backfill] = instance.get_backfills()
    assert backfill.title == BACKFILL
    assert backfill.status.value == "COMPLETED_SUCCESS"
    runs = instance.get_runs(RunsFilter(tags={"dagster/backfill": backfill.backfill_id}))
    assert len(runs) == 12
    sizes = sorted((r.tags[RANGE_START], r.tags[RANGE_END]) for r in runs if RANGE_START in r.tags)
    assert sizes == [(FIRST_DAYS[i], FIRST_DAYS[i + 9]) for i in range(0, 120, 10)]
    every_day_materialized(instance)
    instance.dispose()
