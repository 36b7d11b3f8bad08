"""Past one machine: the demo on a PostgreSQL-backed Dagster instance and Iceberg catalog.

A throwaway PostgreSQL server (Debian's binaries, data under ``$TEST_TMPDIR``, an abstract Unix
socket, a password) holds Dagster's run, event and schedule storage and the Iceberg SQL catalog,
as a shared server would for many machines. Everything starts from empty databases, and the
code location is the demo's floe.yaml unchanged, served by ``floe dev --postgres URL``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dagster import DagsterInstance, DagsterRunStatus
from dagster_http import graphql, launch
from dagster_processes import STARTUP_SECONDS, stop, until
from demo_env import (
    BRONZE,
    GOLD,
    SILVER,
    WHOLE_YEAR,
    compile_project,
    copy_demo,
    demo_environment,
    free_port,
)
from postgres_server import PostgresServer
from sqlalchemy import create_engine, text

from floe_dagster.cli._dev import DAGSTER_POSTGRES_ENV, instance_yaml
from floe_dagster.cli._postgres import ensure_databases, postgres_target

LOCATION = "floe_dagster.code_location"  # the module `dagster` commands load
SERVED_AS = "ecommerce_demo"  # the code location `floe dev` serves: floe.yaml's name
RUN_SECONDS = 300
GATE_PY = '''"""An asset that waits at a gate before it opens the catalog (test_postgres)."""

import os
import time
from pathlib import Path

import pyarrow as pa
from dagster import asset

from floe_dagster import overwrite_rows


@asset(required_resource_keys={"iceberg"}, group_name="gate")
def gated_rows(context) -> None:
    gate = Path(os.environ["FLOE_TEST_GATE"])
    (gate / "inside").touch()
    deadline = time.monotonic() + 120
    while not (gate / "open").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the gate stayed shut")
        time.sleep(0.1)
    catalog = context.resources.iceberg.namespace("bronze")
    overwrite_rows(catalog, "bronze.gated_rows", pa.table({"n": [1, 2, 3]}))
'''
GATED_JOB = """  jobs:
    gated:
      type: batch
      selection: ["gated_rows"]
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    postgres = PostgresServer(tmp_path_factory.mktemp("postgres"))
    postgres.start()
    try:
        yield postgres
    finally:
        if postgres.running():
            postgres.stop("fast")


def _project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    project = copy_demo(tmp_path / "root", "pg_shop")
    (project / "orchestration" / "assets" / "gate.py").write_text(GATE_PY)
    floe_yaml = project / "floe.yaml"
    floe_yaml.write_text(
        floe_yaml.read_text()
        .replace(
            "    - .orchestration.assets.ops\n",
            "    - .orchestration.assets.ops\n    - .orchestration.assets.gate\n",
        )
        .replace("  jobs:\n", GATED_JOB, 1)
    )
    env = demo_environment(tmp_path / "state", FLOE_DEMO_SCALE="0.05", DEMO_SENSORS_ENABLED="false")
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "root"), *filter(None, sys.path)])
    env["FLOE_TEST_GATE"] = str(tmp_path / "gate")
    (tmp_path / "gate").mkdir()
    return project, env


def _rows(url: str, query: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


def _until(what: str, condition: Callable[[], Any], log: Path, seconds: float = RUN_SECONDS) -> Any:
    return until(what, condition, log, seconds)


def test_two_machines_materialize_into_one_empty_catalog(
    server: PostgresServer, tmp_path: Path
) -> None:
    """Two code-location processes, each with its own local state (two machines), share the
    Dagster instance and an empty catalog on the server; each materializes a bronze asset."""
    project, base = _project(tmp_path)
    target = postgres_target(server.url + "&dagster_db=race_dagster&iceberg_db=race_iceberg")
    assert ensure_databases(target) == ["race_dagster", "race_iceberg"]
    artifact = compile_project(project)
    processes = []
    for machine, asset in (("a", "bronze_orders"), ("b", "bronze_order_items")):
        env = demo_environment(tmp_path / machine, FLOE_DEMO_SCALE="0.05")
        home = Path(env["DAGSTER_HOME"])
        (home / "dagster.yaml").write_text(instance_yaml(target))
        env.update(
            PYTHONPATH=base["PYTHONPATH"],
            FLOE_COMPILED_ARTIFACTS=str(artifact),
            FLOE_CATALOG_URI=target.iceberg_url,
            FLOE_WAREHOUSE=str(tmp_path / "shared_warehouse"),  # object storage, for both
            **{DAGSTER_POSTGRES_ENV: target.dagster_url},
        )
        command = [
            str(Path(sys.executable).parent / "dagster"),
            "asset",
            "materialize",
            "-m",
            LOCATION,
            "--select",
            asset,
            "--partition",
            "2024-01-05",
        ]
        log = (tmp_path / f"{machine}.log").open("w")
        processes.append(
            (log, subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
        )
    for log, process in processes:
        assert process.wait(timeout=RUN_SECONDS) == 0, Path(log.name).read_text()[-4000:]
        log.close()
    tables = _rows(target.iceberg_url, "select table_name from iceberg_tables order by 1")
    assert tables == [("order_items",), ("orders",)]
    runs = _rows(target.dagster_url, "select status from runs")
    assert runs == [("SUCCESS",), ("SUCCESS",)]


def test_the_demo_runs_on_postgres_and_survives_the_server_stopping(
    server: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, env = _project(tmp_path)
    state = Path(env["FLOE_STATE_DIR"])
    (state / "dagster" / "dagster.yaml").unlink()  # floe dev writes the instance itself
    port = free_port()
    log = tmp_path / "floe_dev.log"
    command = [sys.executable, "-m", "floe_dagster", "dev", str(project / "floe.yaml")]
    command += ["-p", str(port), "--postgres", server.url]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _until("the webserver answers", lambda: _answers(url, process, log), log, STARTUP_SECONDS)
        dagster_url = server.database_url("dagster")
        iceberg_url = server.database_url("iceberg")
        monkeypatch.setenv(DAGSTER_POSTGRES_ENV, dagster_url)
        instance = DagsterInstance.from_config(str(state / "dagster"))

        # 1. The first run, through the daemon, from empty databases.
        first = launch(url, SERVED_AS, "medallion_pipeline", tags=WHOLE_YEAR)
        assert _finished(instance, first, log) == DagsterRunStatus.SUCCESS
        assert _rows(dagster_url, f"select status from runs where run_id = '{first}'") == [
            ("SUCCESS",)
        ]
        bronze = "select table_name from iceberg_tables where table_namespace = 'bronze'"
        assert sorted(_rows(iceberg_url, bronze)) == sorted(
            (name.removeprefix("bronze_"),) for name in BRONZE
        )
        before = _gold_counts(env)
        assert before == [GOLD_ROWS[t] for t in GOLD]
        _assert_observed_per_model(state / "observability")

        # 3. The server stops while a step is about to open the catalog.
        gate = Path(env["FLOE_TEST_GATE"])
        doomed = launch(url, SERVED_AS, "gated")
        _until("the gated step starts", (gate / "inside").exists, log)
        server.stop("immediate")
        (gate / "open").touch()
        time.sleep(3)  # the step fails on the unreachable catalog meanwhile
        server.start()
        assert _finished(instance, doomed, log) == DagsterRunStatus.FAILURE
        [failure] = [
            r.dagster_event.step_failure_data.error
            for r in instance.all_logs(doomed)
            if r.dagster_event and r.dagster_event.event_type_value == "STEP_FAILURE"
        ]
        assert "cannot reach its database 'iceberg'" in failure.message, failure.message
        assert server.password not in failure.message
        again = _launch_after_restart(url, "gated")
        assert _finished(instance, again, log) == DagsterRunStatus.SUCCESS
        assert sorted(_rows(iceberg_url, bronze)) == sorted(
            [(name.removeprefix("bronze_"),) for name in BRONZE] + [("gated_rows",)]
        )
        assert _gold_counts(env) == before  # nothing committed before the outage is lost

        # The password reaches Dagster and the catalog through the environment only.
        info = graphql(url, "{ instance { info } }")["instance"]["info"]
        instance.dispose()
    finally:
        stop(process)
    written = [
        state / "dagster" / "dagster.yaml",
        state / "compiled_artifacts.json",
        log,
    ]
    for path in written:
        assert server.password not in path.read_text(), path
    assert f"env: {DAGSTER_POSTGRES_ENV}" in written[0].read_text()
    assert server.password not in info


GOLD_ROWS = {"customer_orders": (50,), "revenue_by_product": (5,)}
"""One row per customer and per product of the demo's data at scale 0.05 (as at scale 0.1 in
test_first_run: 100 and 10)."""


def _assert_observed_per_model(folder: Path) -> None:
    """Every model has its own span and every asset its lineage run, as in-process runs give
    them, from run workers and step processes that built only the run (issue 21)."""
    spans = [json.loads(line) for line in (folder / "traces.jsonl").read_text().splitlines()]
    assert {s["name"] for s in spans if "dbt.unique_id" in s["attributes"]} == {*SILVER, *GOLD}
    events = [json.loads(line) for line in (folder / "lineage.jsonl").read_text().splitlines()]
    assets = [*BRONZE, *SILVER, *GOLD]
    states = Counter(
        (e["job"]["name"], e["eventType"]) for e in events if e["job"]["name"] in assets
    )
    assert states == Counter({(a, s): 1 for a in assets for s in ("START", "COMPLETE")})


def _launch_after_restart(url: str, job: str) -> str:
    """Launch ``job`` after the server restarted. The webserver keeps one pooled connection per
    storage (Dagster's ``optimize_for_webserver``, without a pre-ping), so its first request on
    each connection the restart killed fails once, as a click in the UI would; the next works."""
    for attempt in range(1, 6):
        try:
            return launch(url, SERVED_AS, job)
        except AssertionError as error:
            if "server closed the connection unexpectedly" not in str(error) or attempt == 5:
                raise
    raise AssertionError("unreachable")


def _answers(url: str, process: subprocess.Popen[Any], log: Path) -> bool:
    import urllib.error  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    assert process.poll() is None, log.read_text()[-4000:]
    try:
        with urllib.request.urlopen(f"{url}/server_info", timeout=2):
            return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _finished(instance: DagsterInstance, run_id: str, log: Path) -> DagsterRunStatus:
    def done() -> DagsterRunStatus | None:
        run = instance.get_run_by_id(run_id)
        return run.status if run is not None and run.is_finished else None

    status: DagsterRunStatus = _until(f"run {run_id} finishes", done, log)
    return status


def _gold_counts(env: dict[str, str]) -> list[tuple[int]]:
    with duckdb.connect(env["FLOE_DUCKDB_PATH"], read_only=True) as db:
        return [db.execute(f"select count(*) from gold.{t}").fetchone() for t in GOLD]  # type: ignore[misc]
