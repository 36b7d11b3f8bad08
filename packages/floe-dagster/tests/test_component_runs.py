"""FloeComponent runs where users run it: ``dg dev`` (webserver, daemon, code server, run
workers), and the production path (``dg utils refresh-defs-state``, then ``dagster api grpc``
and the daemon, without ``dg``). Each starts from an empty instance.

What is shown: floe's errors as the UI shows a code location's load error; a job launched
through the daemon ends SUCCESS; no run or step worker runs ``dbt parse`` (``.venv/bin/dbt``
logs every dbt command and who ran it); spans and lineage exist for the assets floe builds
and for no other; Ctrl-C to the process group leaves no process behind.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import uuid
from pathlib import Path
from typing import Any

import pytest
from dagster import DagsterInstance, DagsterRunStatus
from dagster_http import graphql, launch, run_status
from dg_project import (
    FLOE_YAML,
    DgProject,
    build_wheels,
    free_port,
    leftovers,
    serving,
    write_project,
)

STARTUP_SECONDS = 240
RUN_SECONDS = 300
DBT_MODELS = {"raw_customers", "raw_orders", "stg_customers", "stg_orders", "customer_totals"}
LOCATION = """
{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message causes { message stack } } } } } } }
"""
RELOAD = """
mutation Reload($name: String!) { reloadRepositoryLocation(repositoryLocationName: $name) {
  __typename } }
"""


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build_wheels(Path.cwd(), tmp_path_factory.mktemp("wheels"))


def _location(url: str) -> dict[str, Any]:
    """The one code location, once the webserver has loaded it (or failed to)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            entries = graphql(url, LOCATION)["workspaceOrError"]["locationEntries"]
            if entries and entries[0]["loadStatus"] == "LOADED":
                entry: dict[str, Any] = entries[0]
                return entry
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        assert time.monotonic() < deadline, "the webserver did not load the location in time"
        time.sleep(1)


def _load_error(entry: dict[str, Any]) -> str:
    """What the UI shows for a location that failed to load: the error and its causes."""
    error = entry["locationOrLoadError"]
    assert error["__typename"] == "PythonError", entry
    return "\n".join(
        [error["message"], *(c["message"] + "".join(c["stack"]) for c in error["causes"])]
    )


def _reload(url: str, name: str) -> dict[str, Any]:
    graphql(url, RELOAD, {"name": name})
    return _location(url)


def test_dg_dev_shows_floe_errors_then_runs_a_job_through_the_daemon(
    wheels: list[Path], tmp_path: Path
) -> None:
    project = write_project(tmp_path / "shop", wheels)
    defs_yaml = project.defs / "shop" / "defs.yaml"
    floe_yaml = project.defs / "shop" / "floe.yaml"
    defs_yaml.write_text(defs_yaml.read_text() + "  refresh_if_dev: false\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    dev = [str(project.python), "-m", "dagster_dg_cli.cli", "dev", "-p", str(port)]
    dev += ["-h", "127.0.0.1"]
    log = tmp_path / "dg-dev.log"
    with serving(project, dev, log=log):
        entry = _location(url)  # no state, and refresh_if_dev off
        name = entry["name"]
        missing = _load_error(entry)
        assert "src/shop_project/defs/shop/defs.yaml:1:1: no state for" in missing
        assert "[component_state_missing]" in missing
        assert project.parses() == 0

        defs_yaml.write_text(defs_yaml.read_text().replace("false", "true"))  # a typo
        floe_yaml.write_text(FLOE_YAML.replace("  traces:", "  tarces:"))
        typo = _load_error(_reload(url, name))
        assert re.search(r"floe\.yaml:\d+:\d+ observability\.tarces: .*\[unknown_key\]", typo)
        assert len(re.findall(r"/floe_dagster/", typo)) == 1, typo  # one frame of floe's

        floe_yaml.write_text(FLOE_YAML)  # fixed: the state is made, the location loads
        loaded = _reload(url, name)
        assert loaded["locationOrLoadError"]["__typename"] == "RepositoryLocation", loaded
        assert project.parses() == 1
    assert leftovers(project) == {}, log.read_text()[-2000:]

    # Dagster's daemon reloads a workspace once a minute, so a run launched right after a
    # reload in the UI may still meet the old error; a fresh dg dev starts with the fixed one.
    with serving(project, dev, log=log) as process:
        entry = _location(url)
        assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation", entry
        assert project.parses() == 1, "an unchanged project is not parsed at start"
        nodes = graphql(url, "{ assetNodes { assetKey { path } } }")["assetNodes"]
        keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
        assert DBT_MODELS | {"stg_payments", "order_summary", "payments"} <= keys

        run_id = launch(url, name, "shop_daily")  # queued; the daemon starts it
        deadline = time.monotonic() + RUN_SECONDS
        while (status := run_status(url, run_id)) not in ("SUCCESS", "FAILURE", "CANCELED"):
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(1)
        assert status == "SUCCESS", log.read_text()[-3000:]
        assert project.parses() == 1, "no run or step worker parses"
        runners = [parent for command, parent in project.dbt_calls() if command == "build"]
        assert runners, project.dbt_calls()
        assert all("multiprocessing" in r for r in runners), runners  # step processes

        manifest = next(p for p in project.state_files() if p.name == "manifest.json")
        defs_yaml.write_text(defs_yaml.read_text().replace("true", "false"))  # stale manifest
        manifest.write_text(manifest.read_text().replace('"shop"', '"shop" ', 1))
        stale = _load_error(_reload(url, name))
        assert re.search(r"floe\.yaml:\d+:\d+ orchestration\.dbt\.manifest_path: .*changed", stale)
        assert "fix: run `dg utils refresh-defs-state`" in stale
    assert leftovers(project) == {}, log.read_text()[-2000:]

    observed = project.defs / "shop" / ".floe" / "observability"
    spans = {json.loads(line)["name"] for line in _lines(observed / "traces.jsonl")}
    lineage = [json.loads(line) for line in _lines(observed / "lineage.jsonl")]
    assert spans >= DBT_MODELS  # each dbt model its own span ...
    assert {e["job"]["name"] for e in lineage} >= DBT_MODELS  # ... and its own lineage events
    # floe observes what floe builds: a plain @dg.asset elsewhere in defs/ gets neither
    assert "order_summary" not in spans
    assert "order_summary" not in {e["job"]["name"] for e in lineage}


def test_production_path_grpc_and_daemon_without_dg(wheels: list[Path], tmp_path: Path) -> None:
    project = write_project(tmp_path / "shop", wheels)
    module = ["-m", "shop_project.definitions"]
    port = free_port()
    no_state = project.dagster("api", "grpc", *module, "-p", str(port), check=False)
    assert no_state.returncode != 0
    assert "[component_state_missing]" in no_state.stderr
    assert "fix: run `dg utils refresh-defs-state`" in no_state.stderr

    project.dg("utils", "refresh-defs-state")  # what CI or an image build runs
    assert project.parses() == 1
    (project.root / "workspace.yaml").write_text(
        "load_from:\n  - grpc_server:\n"
        f"      host: 127.0.0.1\n      port: {port}\n      location_name: shop\n"
    )
    grpc = [str(project.python), "-m", "dagster", "api", "grpc", *module, "-p", str(port)]
    daemon = [str(project.python), "-m", "dagster._daemon", "run", "-w", "workspace.yaml"]
    run_id = str(uuid.uuid4())
    with (
        serving(project, [*grpc, "-h", "127.0.0.1"], log=tmp_path / "grpc.log"),
        serving(project, daemon, log=tmp_path / "daemon.log"),
    ):
        _launch_when_served(project, run_id)
        status = _wait_for_run(project, run_id)
        assert status == DagsterRunStatus.SUCCESS, (tmp_path / "daemon.log").read_text()[-3000:]
    assert leftovers(project) == {}
    assert project.parses() == 1, project.dbt_calls()  # the run parsed nothing
    assert any(command == "build" for command, _ in project.dbt_calls())


def _launch_when_served(project: DgProject, run_id: str) -> None:
    """``dagster job launch`` once the code server answers (it queues; the daemon runs it)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        launched = project.dagster(
            "job", "launch", "-w", "workspace.yaml", "-j", "shop_daily", "--run-id", run_id,
            check=False,
        )  # fmt: skip
        if launched.returncode == 0:
            return
        assert time.monotonic() < deadline, launched.stderr[-3000:]
        time.sleep(2)


def _wait_for_run(project: DgProject, run_id: str) -> DagsterRunStatus:
    with DagsterInstance.from_config(str(project.home)) as instance:
        deadline = time.monotonic() + RUN_SECONDS
        while True:
            run = instance.get_run_by_id(run_id)
            if run is not None and run.is_finished:
                return run.status
            assert time.monotonic() < deadline, run
            time.sleep(1)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()
