"""The demo's sensors under a real daemon (FR-030..035, SC-008): each test starts ``dagster
dev`` (webserver and daemon) on 127.0.0.1 over an empty instance, with 5-second sensor
intervals, and reads what happened from the instance and the sensors' ticks (GraphQL)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter
from dagster_http import graphql, launch
from dagster_processes import dagster_server, until
from demo_env import compile_project, copy_demo, demo_environment

WAIT_SECONDS = 300
"""How long a step waits for a tick or a run: a bound on a hang, not a speed claim (a run the
daemon starts takes two to three times as long beside two busy tests on CI's two cores)."""
FAST = {
    "INCOMING_POLL_SECONDS": "5",
    "ASSET_SENSOR_POLL_SECONDS": "5",
    "ALERT_POLL_SECONDS": "5",
    "FLOE_DEMO_SCALE": "0.05",
}
TICKS = """
query Ticks($selector: SensorSelector!) {
  sensorOrError(sensorSelector: $selector) {
    __typename
    ... on Sensor {
      sensorState {
        ticks(limit: 100) { status timestamp skipReason error { message causes { message } } }
      }
    }
  }
}
"""


def _until(
    what: str, condition: Callable[[], Any], log: Path, seconds: float = WAIT_SECONDS
) -> Any:
    return until(what, condition, log, seconds)


def _ticks(url: str, module: str, sensor: str) -> list[dict[str, Any]]:
    selector = {
        "repositoryLocationName": module,
        "repositoryName": "__repository__",
        "sensorName": sensor,
    }
    data = graphql(url, TICKS, {"selector": selector})["sensorOrError"]
    assert data["__typename"] == "Sensor", data
    ticks: list[dict[str, Any]] = data["sensorState"]["ticks"]
    return ticks


def _project(tmp_path: Path, package: str) -> tuple[Path, dict[str, str], str]:
    project = copy_demo(tmp_path / "root", package)
    env = demo_environment(tmp_path / "state", **FAST)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "root"), *filter(None, sys.path)])
    return project, env, f"{package}.orchestration.definitions"


def _runs_for(instance: DagsterInstance, **tags: str) -> list[Any]:
    return list(instance.get_runs(RunsFilter(tags=tags)))


def _three_more_ticks(url: str, module: str, sensor: str, log: Path) -> None:
    """Until ``sensor`` has ticked three more times (what it would do, it has done)."""
    before = len(_ticks(url, module, sensor))
    _until(
        f"three more ticks of {sensor}", lambda: len(_ticks(url, module, sensor)) >= before + 3, log
    )


def _drop(folder: Path, name: str) -> Path:
    """A new file, written and then dated a few seconds back (settled, as a finished copy)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("order_id,amount\n1,9.99\n")
    moment = time.time() - 5
    os.utime(path, (moment, moment))
    return path


def test_the_file_watcher_runs_each_file_once_across_restarts(tmp_path: Path) -> None:
    project, env, module = _project(tmp_path, "watched_shop")
    compile_project(project)
    incoming = Path(env["FLOE_INCOMING_DIR"])
    instance = DagsterInstance.from_config(env["DAGSTER_HOME"])
    log = tmp_path / "dagster.log"

    with dagster_server(env, log, module=module, daemon=True) as url:
        first = _drop(incoming, "orders_0001.csv")
        dropped = time.monotonic()
        _until(
            "a run for the dropped file",
            lambda: _runs_for(instance, **{"floe/file_path": str(first)}),
            log,
            60,
        )
        started = time.monotonic() - dropped
        print(f"SC-008: a dropped file started bronze_refresh {started:.1f} s later")
        [run] = _runs_for(instance, **{"floe/file_path": str(first)})
        assert run.job_name == "bronze_refresh"
        assert run.tags["floe/sensor"] == "incoming_orders"
        # a partitioned job: the file runs what its schedule would (`latest`: the newest
        # complete daily window, which for the demo's partitions, ending with 2024, is its last)
        assert run.tags["dagster/partition"] == "2024-12-31"

        # dropped again unchanged (same name, same modification time): nothing new
        shutil.copy2(first, tmp_path / "again.csv")
        shutil.copy2(tmp_path / "again.csv", first)
        _three_more_ticks(url, module, "incoming_orders", log)
        assert len(_runs_for(instance, **{"floe/file_path": str(first)})) == 1

        # the folder disappears: ticks skip with the reason; it comes back: the next file runs
        shutil.rmtree(incoming)
        reason = f"the watched folder {incoming} does not exist (yet)"
        _until(
            "a tick that says the folder is missing",
            lambda: any(t["skipReason"] == reason for t in _ticks(url, module, "incoming_orders")),
            log,
        )
        second = _drop(incoming, "orders_0002.csv")
        _until(
            "a run for the next file",
            lambda: _runs_for(instance, **{"floe/file_path": str(second)}),
            log,
            60,
        )

    # the daemon restarts: no file runs twice
    with dagster_server(env, tmp_path / "restarted.log", module=module, daemon=True) as url:
        _three_more_ticks(url, module, "incoming_orders", tmp_path / "restarted.log")
    for path in (first, second):
        assert len(_runs_for(instance, **{"floe/file_path": str(path)})) == 1, path
    instance.dispose()


DOOMED = '''\
def explode() -> None:
    """A job that fails on purpose, for the alert."""
    raise RuntimeError("simulated failure: the orders API is down")


def flaky_api(context) -> bool:
    """A custom sensor whose check raises."""
    raise ConnectionError("the orders API is unreachable")
'''


def test_alerts_assets_and_a_failing_custom_sensor(tmp_path: Path) -> None:
    project, env, module = _project(tmp_path, "alerting_shop")
    (project / "orchestration" / "assets" / "doomed.py").write_text(DOOMED)
    text = (project / "floe.yaml").read_text()
    text = text.replace(
        "    send_alert:",
        "    doomed:\n      type: ops\n      target_function: .orchestration.assets.doomed.explode\n"
        "    send_alert:",
    )
    text = text.replace(
        "watched_jobs: [bronze_refresh, daily_ingest, medallion_pipeline, gold_refresh]",
        "watched_jobs: [bronze_refresh, daily_ingest, medallion_pipeline, gold_refresh, doomed]",
    )
    text = text.replace(
        "  backfills:\n",
        "    flaky_api:\n      type: custom\n      job: gold_refresh\n"
        "      target_function: .orchestration.assets.doomed.flaky_api\n"
        "      poll_interval_seconds: 5\n"
        + "".join(
            f"    ingest_{status.lower()}:\n      type: run_status\n      job: send_alert\n"
            f"      watched_jobs: [daily_ingest]\n      status: {status}\n"
            "      poll_interval_seconds: 5\n"
            for status in ("STARTED", "SUCCESS")
        )
        + "  backfills:\n",
    )
    (project / "floe.yaml").write_text(text)
    compile_project(project)
    alerts = tmp_path / "alerts.jsonl"
    env["FLOE_ALERTS_PATH"] = str(alerts)
    instance = DagsterInstance.from_config(env["DAGSTER_HOME"])
    log = tmp_path / "dagster.log"
    with dagster_server(env, log, module=module, daemon=True) as url:
        # a custom sensor that raises: failed ticks with the message; the others keep ticking
        failed = _until(
            "a failed tick of flaky_api",
            lambda: [t for t in _ticks(url, module, "flaky_api") if t["status"] == "FAILURE"],
            log,
        )
        error = failed[-1]["error"]
        message = "\n".join([error["message"], *(c["message"] for c in error["causes"])])
        assert (
            "sensor 'flaky_api': .orchestration.assets.doomed.flaky_api raised ConnectionError: "
            "the orders API is unreachable" in message
        )
        since = failed[-1]["timestamp"]
        _until(
            "incoming_orders ticking after that failure",
            lambda: [t for t in _ticks(url, module, "incoming_orders") if t["timestamp"] > since],
            log,
        )

        # a failing job, launched as from the UI: send_alert runs, and its alert names the run
        # and the real error
        run_id = launch(url, module, "doomed")
        doomed = _until(
            "the doomed run to fail",
            lambda: (
                (r := instance.get_run_by_id(run_id)) and r.status == DagsterRunStatus.FAILURE and r
            ),
            log,
        )
        lines = _until(
            "the alert", lambda: alerts.exists() and alerts.read_text().splitlines(), log
        )
        alert = json.loads(lines[0])
        assert alert["failed_run_id"] == doomed.run_id
        assert alert["failed_job"] == "doomed"
        assert "RuntimeError: simulated failure: the orders API is down" in alert["error"]
        [sent] = _runs_for(instance, **{"floe/watched_run_id": doomed.run_id})
        assert sent.job_name == "send_alert"

        # both watched silver assets materialize: gold_refresh runs exactly once
        # launched as from the UI: a run status sensor watches its own code location's runs,
        # which a run executed from a shell (`dagster job execute`) is not (Dagster's rule)
        ingest = launch(url, module, "daily_ingest", tags={"dagster/partition": "2024-03-10"})
        _until(
            "the daily_ingest run to succeed",
            lambda: (r := instance.get_run_by_id(ingest)) and r.status == DagsterRunStatus.SUCCESS,
            log,
        )
        _until(
            "gold_refresh from the asset sensor",
            lambda: _runs_for(instance, **{"floe/sensor": "gold_after_silver"}),
            log,
        )
        _three_more_ticks(url, module, "gold_after_silver", log)
        [gold] = _runs_for(instance, **{"floe/sensor": "gold_after_silver"})
        assert gold.job_name == "gold_refresh"
        assert gold.tags["floe/changed_assets"] == "stg_order_items,stg_orders"

        # a pipeline that ends in gold leaves gold_after_silver nothing to do: it waits for the
        # run while it goes, and then sees gold already refreshed (no second gold_refresh)
        pipeline = launch(
            url, module, "medallion_pipeline", tags={"dagster/partition": "2024-03-12"}
        )
        _until(
            "the medallion_pipeline run to succeed",
            lambda: (
                (r := instance.get_run_by_id(pipeline)) and r.status == DagsterRunStatus.SUCCESS
            ),
            log,
        )
        _three_more_ticks(url, module, "gold_after_silver", log)
        again = _runs_for(instance, **{"floe/sensor": "gold_after_silver"})
        assert [r.run_id for r in again] == [gold.run_id]
        reasons = [t["skipReason"] or "" for t in _ticks(url, module, "gold_after_silver")]
        assert any("refreshed gold_refresh's assets" in r for r in reasons), reasons

        # FR-032's other statuses: the same run, once STARTED and once SUCCESS
        for sensor in ("ingest_started", "ingest_success"):
            [reacted] = _until(
                f"send_alert from {sensor}",
                lambda sensor=sensor: _runs_for(instance, **{"floe/sensor": sensor}),
                log,
            )
            assert reacted.job_name == "send_alert"
            assert reacted.tags["floe/watched_run_id"] == ingest

        # ... and a run executed from a shell is not its code location's: none reacts (README)
        dagster = str(Path(sys.executable).parent / "dagster")
        partition = json.dumps({"dagster/partition": "2024-03-11"})
        command = [
            dagster,
            "job",
            "execute",
            "-m",
            module,
            "-j",
            "daily_ingest",
            "--tags",
            partition,
        ]
        shell = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=600, check=False
        )
        assert shell.returncode == 0, shell.stderr[-3000:]
        [from_shell] = [
            r for r in instance.get_runs(RunsFilter(job_name="daily_ingest")) if r.run_id != ingest
        ]
        _three_more_ticks(url, module, "ingest_success", log)
        assert not _runs_for(instance, **{"floe/watched_run_id": from_shell.run_id})
    instance.dispose()
