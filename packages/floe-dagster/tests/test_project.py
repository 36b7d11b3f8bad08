"""A user's own dbt project, from nothing to the Dagster UI, as a user runs it: every step is
the ``floe`` command in its own process, in a folder outside this repository.

``floe init`` -> ``floe validate`` -> ``floe plan --json`` -> ``floe dev``; and each ``fix:``
line that names a command is run, and must fix what it says.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from dagster_http import launch, run_status, served_assets
from projects import DBT_MODELS, DBT_SEEDS, lingering, project_processes, write_dbt_project

ALL_NODES = sorted([*DBT_MODELS, *DBT_SEEDS])
STARTUP_SECONDS = 180


def floe(folder: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``floe ARGS`` in ``folder``, as a user types it (a fresh process, no TTY)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    env.pop("FLOE_STATE_DIR", None)
    env.pop("DAGSTER_HOME", None)
    return subprocess.run(
        [sys.executable, "-m", "floe_dagster", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def test_init_gives_a_project_that_validates_and_plans_unedited(tmp_path: Path) -> None:
    project = write_dbt_project(tmp_path / "tiny_shop")
    (project / "profiles.yml").write_text("tiny_shop: {target: dev, outputs: {}}\n")  # the user's
    said = ok(floe(project, "init"))
    assert "wrote" in said
    assert (project / "target" / "manifest.json").is_file()  # dbt parse ran
    assert (project / "floe.yaml").read_text().startswith("# floe.yaml")
    assert "FloeDefinitions.from_compiled_artifacts()" in (project / "definitions.py").read_text()
    ignored = [".floe/", "target/", "compiled_artifacts.json"]
    assert set(ignored) <= set((project / ".gitignore").read_text().splitlines())
    assert f"added {', '.join(ignored)} to {project / '.gitignore'}" in said
    assert f"to use {project / 'profiles.yml'} instead, set transforms.dbt.profiles_dir" in said
    assert "floe.yaml OK: tiny_shop" in ok(floe(project, "validate"))
    assert "floe.yaml OK: tiny_shop" in ok(floe(tmp_path, "validate", "tiny_shop"))  # a folder
    assert ok(floe(tmp_path, "--version")).startswith("floe 0.1.0 (floe-config 0.1.0, ")
    plan = json.loads(ok(floe(project, "plan", "--json")))
    assert plan["plan_version"] == 1
    assert sorted(plan["assets"]) == ALL_NODES
    assert plan["jobs"]["all_models"]["assets"] == ALL_NODES
    assert plan["schedules"]["nightly"]["enabled"] is False
    assert len(plan["schedules"]["nightly"]["next_ticks"]) == 3


def test_init_never_overwrites_and_says_which_file(tmp_path: Path) -> None:
    project = write_dbt_project(tmp_path / "shop")
    (project / "definitions.py").write_text("# mine\n")
    result = floe(project, "init")
    assert result.returncode == 1
    assert f"{project / 'definitions.py'} already exist" in result.stderr
    assert not (project / "floe.yaml").exists()
    assert (project / "definitions.py").read_text() == "# mine\n"
    elsewhere = floe(tmp_path, "init")
    assert elsewhere.returncode == 1
    assert "no dbt_project.yml in" in elsewhere.stderr


def test_an_init_that_dbt_stops_names_floe_parse_as_the_way_on(tmp_path: Path) -> None:
    """``floe init`` writes its files, then dbt's parse fails (a model refers to a model that
    is not there). The fix line says what floe init already wrote and that ``floe parse``
    finishes the job, and it does: init again would refuse to overwrite floe.yaml."""
    project = write_dbt_project(tmp_path / "shop")
    broken = project / "models" / "late.sql"
    broken.write_text("select * from {{ ref('not_written_yet') }}\n")
    first = floe(project, "init")
    assert first.returncode == 1, first.stdout
    fix = _fix(first)
    assert f"floe init has written {project / 'floe.yaml'}, {project / 'definitions.py'}" in fix
    assert "`floe parse` writes the manifest" in fix
    assert "[dbt_parse_failed]" in first.stderr
    broken.unlink()
    assert "already exist" in floe(project, "init").stderr
    ok(floe(project, "parse"))
    assert "floe.yaml OK" in ok(floe(project, "validate"))


def _dg_project(folder: Path) -> Path:
    """A ``dg`` project's root, as ``create-dagster project`` marks it."""
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "shop_project"\n\n[tool.dg]\ndirectory_type = "project"\n'
    )
    return folder


def test_init_in_a_dg_project_names_the_component_and_writes_nothing(tmp_path: Path) -> None:
    root = _dg_project(tmp_path / "shop_project")
    project = write_dbt_project(root / "dbt" / "shop")
    before = sorted(p.name for p in project.iterdir())
    result = floe(project, "init")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"inside the dg project {root}" in result.stderr
    fix = _fix(result)
    assert "dg scaffold defs floe_dagster.FloeComponent tiny_shop --dbt-project dbt/shop`" in fix
    assert "--standalone" in fix
    assert sorted(p.name for p in project.iterdir()) == before
    said = ok(floe(project, "init", "--standalone"))  # floe's own layout, on purpose
    assert f"wrote {project / 'floe.yaml'}" in said
    refused = floe(project, "dev", "floe.yaml")
    assert "`dg dev`" in _fix(refused)
    assert not (project / ".floe" / "dagster").exists()  # no instance written


def _fix(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip().startswith("fix:")]
    assert lines, result.stderr
    return lines[0]


def test_the_fix_for_a_missing_manifest_is_a_command_that_writes_it(tmp_path: Path) -> None:
    project = write_dbt_project(tmp_path / "shop")
    ok(floe(project, "init"))
    (project / "target" / "manifest.json").unlink()
    fix = _fix(floe(project, "validate"))
    assert "`floe parse floe.yaml`" in fix
    ok(floe(project, "parse", "floe.yaml"))  # the command, as the fix line names it
    ok(floe(project, "validate"))


def test_a_manifest_built_by_bazel_is_found_where_the_fix_says(tmp_path: Path) -> None:
    workspace = tmp_path / "repo"
    project = write_dbt_project(workspace / "shop" / "dbt")
    (workspace / "WORKSPACE").write_text("")
    (project / "BUILD.bazel").write_text('genrule(name = "manifest", outs = ["manifest.json"])\n')
    ok(floe(project, "init"))
    (project / "target" / "manifest.json").rename(tmp_path / "m.json")
    fix = _fix(floe(project, "validate"))
    assert "`tools/bazel build //shop/dbt:manifest`" in fix
    bazel_bin = workspace / "bazel-bin" / "shop" / "dbt" / "manifest.json"
    bazel_bin.parent.mkdir(parents=True)
    (tmp_path / "m.json").rename(bazel_bin)  # what that target writes
    assert "floe.yaml OK" in ok(floe(project, "validate"))
    # a model edited after that build: Bazel's manifest is Bazel's to make again
    later = bazel_bin.stat().st_mtime + 2
    os.utime(project / "models" / "stg_orders.sql", (later, later))
    stale = floe(project, "validate")
    assert "floe.yaml OK" in ok(stale)
    assert "the dbt project's models/stg_orders.sql changed after " in stale.stderr
    assert "[manifest_stale]\n    fix: run `floe parse floe.yaml`" in stale.stderr
    assert "or build it with `tools/bazel build //shop/dbt:manifest`" in stale.stderr


def test_the_compile_fixes_are_floe_compile(tmp_path: Path) -> None:
    project = write_dbt_project(tmp_path / "shop")
    ok(floe(project, "init"))
    load = ["-c", "import definitions"]

    def python(*args: str) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(project), *filter(None, sys.path)]))
        return subprocess.run(
            [sys.executable, *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    missing = python(*load)
    assert "fix: regenerate it with `floe compile`" in missing.stderr
    ok(floe(project, "compile"))
    assert python(*load).returncode == 0
    manifest = project / "target" / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"tiny_shop"', '"tiny_shop" ', 1))
    changed = python(*load)
    assert "run `floe compile` again" in changed.stderr, changed.stderr[-2000:]
    ok(floe(project, "compile"))
    assert python(*load).returncode == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_floe_dev_serves_the_project_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    project = write_dbt_project(tmp_path / "tiny_shop")
    ok(floe(project, "init"))
    # a model added after `floe init` parsed: floe dev parses again before it serves
    added = project / "models" / "customer_count.sql"
    added.write_text("select count(*) as n from {{ ref('stg_customers') }}\n")
    later = (project / "target" / "manifest.json").stat().st_mtime + 2
    os.utime(added, (later, later))
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    env.pop("FLOE_STATE_DIR", None)
    env.pop("DAGSTER_HOME", None)
    log = tmp_path / "dev.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "floe_dagster", "dev", "-p", str(port)],
            cwd=project,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal gives it
        )
    url = f"http://127.0.0.1:{port}"
    state = project / ".floe"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        served = served_assets(url, process, log, STARTUP_SECONDS)
        assert served == sorted([*ALL_NODES, "customer_count"])
        assert (
            "floe: the dbt project's models/customer_count.sql changed after "
            "target/manifest.json was written; parsing it again"
        ) in log.read_text()
        run_id = launch(url, "tiny_shop", "all_models")  # the location is floe.yaml's name
        while (status := run_status(url, run_id)) not in ("SUCCESS", "FAILURE", "CANCELED"):
            assert time.monotonic() < deadline + 120, log.read_text()[-3000:]
            time.sleep(1)
        assert status == "SUCCESS", log.read_text()[-3000:]
        assert (state / "dagster" / "dagster.yaml").is_file()
        assert (state / "warehouse.duckdb").is_file()
        assert (state / "observability" / "traces.jsonl").is_file()
        assert project_processes(state), (
            "the processes carry the state directory in their environment"
        )
    finally:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal
        try:
            process.wait(timeout=60)
        finally:
            leftover = lingering(state, seconds=30)  # a run worker may still be exiting
            for pid in leftover:
                os.kill(pid, signal.SIGKILL)
    assert leftover == {}, f"still running after Ctrl-C: {leftover}\n{log.read_text()[-2000:]}"
    assert "is superseded" not in log.read_text(), log.read_text()[:2000]  # no `dg dev` advice


def test_colour_on_a_terminal_and_plain_in_a_pipe(tmp_path: Path) -> None:
    project = tmp_path / "broken"
    project.mkdir()
    (project / "floe.yaml").write_text("name: x\norchestration:\n  jobs:\n    j: {type: batch}\n")
    piped = floe(project, "validate")
    assert piped.returncode == 1
    assert "\033[" not in piped.stderr
    assert "fix:" in piped.stderr
    env = dict(os.environ, FORCE_COLOR="1")  # what a terminal gets; a pipe cannot be a TTY here
    coloured = subprocess.run(
        [sys.executable, "-m", "floe_dagster", "validate"],
        cwd=project,
        env=dict(env, PYTHONPATH=os.pathsep.join(p for p in sys.path if p)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert coloured.returncode == 1
    assert "\033[31m" in coloured.stderr  # the problem in red
    assert "\033[32m    fix:" in coloured.stderr  # its fix in green


def test_a_failing_test_still_stops_what_is_downstream_and_floe_run_says_what_failed(
    tmp_path: Path,
) -> None:
    """floe's dbt steps order tests with dbt's faster method (``--use-fast-test-edges``): a
    blocking test that fails still skips the models downstream of what it tests, as dbt's
    default does, and a test across two models runs once both are built. ``floe run`` (a
    process per step) ends with what failed: the test, in dbt's words, and the Python asset's
    error where the user's code raised it, below Dagster's log of the run."""
    from dagster import AssetKey, DagsterInstance  # noqa: PLC0415

    project = write_dbt_project(tmp_path / "tiny_shop")
    (project / "models" / "schema.yml").write_text(
        "version: 2\nmodels:\n"
        "  - name: stg_orders\n    columns:\n"
        "      - name: customer_id\n        data_tests: [unique]\n"  # 1 twice: fails
        "  - name: stg_customers\n    columns:\n"
        "      - name: customer_id\n"
        "        data_tests: [{relationships: {to: ref('customer_totals'), field: customer_id}}]\n"
    )
    (project / "audit.py").write_text(
        "from dagster import asset\n\n\ndef _check(rows):\n"
        "    raise ValueError(f'{rows} rows in the audit table')\n\n\n"
        "@asset\ndef audit():\n    _check(0)\n"
    )
    ok(floe(project, "init"))
    floe_yaml = project / "floe.yaml"
    floe_yaml.write_text(
        floe_yaml.read_text().replace("# asset_modules: [assets]", "asset_modules: [audit]")
    )
    run = floe(project, "run", "all_models")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Supersession" not in run.stderr  # dagster job execute's pointer to dg launch
    [run_line] = [line for line in run.stdout.splitlines() if line.startswith("run ")]
    run_id = run_line.split()[1].rstrip(":")
    assert run_line == f"run {run_id}: FAILURE"
    report = run.stdout.split(run_line, 1)[1].strip("\n").splitlines()
    dbt_step = next(line for line in report if "dbt failed" in line)
    assert dbt_step.endswith(": dbt failed 1 of 7 node(s); 2 downstream of them skipped")
    target = project / ".floe" / "dbt" / "target" / run_id
    assert sorted(report) == sorted(
        [
            dbt_step,
            "    test unique_stg_orders_customer_id: Got 1 result, configured to fail if != 0",
            f"    dbt's log: {target / dbt_step.split()[1].rstrip(':')}/dbt.log",
            f"  step audit: ValueError: 0 rows in the audit table (at {project / 'audit.py'}:5 in "
            "_check)",
        ]
    )
    with DagsterInstance.from_config(str(project / ".floe" / "dagster")) as instance:
        built = {
            key
            for key in (AssetKey(n) for n in ("stg_orders", "stg_customers", "customer_totals"))
            if instance.get_latest_materialization_event(key) is not None
        }
    assert built == {AssetKey("stg_orders"), AssetKey("stg_customers")}  # not customer_totals
    [results] = list(target.rglob("run_results.json"))
    ran = json.loads(results.read_text())
    assert ran["args"]["use_fast_test_edges"] is True
    status = {r["unique_id"].split(".")[2]: r["status"] for r in ran["results"]}
    assert status["unique_stg_orders_customer_id"] == "fail"
    assert status["customer_totals"] == "skipped"
    relationship = next(k for k in status if k.startswith("relationships_stg_customers"))
    assert status[relationship] == "skipped"  # it needs customer_totals, which never ran

    # a model added and one broken after the last parse: validate warns, run parses again
    (project / "models" / "customer_ids.sql").write_text(
        "select id from {{ ref('raw_customers') }}\n"
    )
    later = (project / "target" / "manifest.json").stat().st_mtime + 2
    os.utime(project / "models" / "customer_ids.sql", (later, later))
    validated = floe(project, "validate")
    assert validated.returncode == 0, validated.stderr
    assert (
        "orchestration.dbt.manifest_path: the dbt project's models/customer_ids.sql changed after "
        "target/manifest.json was written: floe's assets come from the manifest, and may lack "
        "what was added since or show what was removed or rewired [manifest_stale]"
    ) in validated.stderr
    assert "    fix: run `floe parse floe.yaml`" in validated.stderr
    assert "customer_ids" not in json.loads(ok(floe(project, "plan", "--json")))["assets"]
    (project / "models" / "customer_totals.sql").write_text("select * from {{ ref('nope') }}\n")
    stopped = floe(project, "run", "all_models", "--in-process")
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    assert (
        "floe: the dbt project's models/customer_totals.sql and 1 more of its files changed after "
        "target/manifest.json was written; parsing it again"
    ) in stopped.stderr
    assert "'nope'" in stopped.stderr  # dbt's words, as `floe parse` shows them
    assert "[dbt_parse_failed]\n    fix: fix the dbt project as dbt's output" in stopped.stderr
    assert "Traceback" not in stopped.stderr
    with DagsterInstance.from_config(str(project / ".floe" / "dagster")) as instance:
        assert len(instance.get_run_records()) == 1  # the first run only: this one never began
    (project / "models" / "customer_totals.sql").write_text(DBT_MODELS["customer_totals"])
    again = floe(project, "run", "all_models", "--in-process")
    assert "parsing it again" in again.stderr
    assert again.returncode == 1  # the unique test and the audit, as before
    with DagsterInstance.from_config(str(project / ".floe" / "dagster")) as instance:
        assert instance.get_latest_materialization_event(AssetKey("customer_ids")) is not None
    assert "manifest_stale" not in floe(project, "validate").stderr


MATURE_PROJECT = {
    "dbt_project.yml": "name: mature_shop\nversion: '1.0'\nprofile: mature_shop\n",
    "seeds/raw_people.csv": "id,name,updated_at\n1,ann,2024-01-01\n2,bob,2024-01-02\n",
    "packages.yml": "packages:\n  - local: ../text_tools",
    "../text_tools/dbt_project.yml": "name: text_tools\nversion: '1.0'\nconfig-version: 2",
    "../text_tools/macros/shout.sql": "{% macro shout(column) %}upper({{ column }}){% endmacro %}",
    "models/stg_people.sql": (
        "select id, {{ text_tools.shout('name') }} as name, updated_at from {{ ref('raw_people') }}"
    ),
    "models/people_ids.sql": "{{ config(materialized='ephemeral') }}select id from {{ ref('stg_people') }}",
    "models/dim_people_v1.sql": (
        "select p.id, p.name from {{ ref('stg_people') }} p join {{ ref('people_ids') }} using (id)"
    ),
    "models/dim_people_v2.sql": "select id, name, updated_at from {{ ref('stg_people') }}",
    "models/people_count.py": (
        "def model(dbt, session):\n"
        "    return dbt.ref('dim_people', v=1).aggregate('count(*) as n')\n"
    ),
    "models/schema.yml": """\
version: 2
models:
  - name: dim_people
    latest_version: 2
    columns:
      - name: id
        data_tests: [not_null, unique]
      - name: name
      - name: updated_at
    versions:
      - v: 1
        columns: [{include: all, exclude: [updated_at]}]
      - v: 2
        config: {alias: dim_people}
unit_tests:
  - name: stg_people_upper_cases_names
    model: stg_people
    given:
      - input: ref('raw_people')
        rows: [{id: 1, name: ann, updated_at: "2024-01-01"}]
    expect:
      rows: [{id: 1, name: ANN}]
""",
    "snapshots/people_snapshot.yml": """\
snapshots:
  - name: people_snapshot
    relation: ref('stg_people')
    config: {unique_key: id, strategy: timestamp, updated_at: updated_at}
""",
}


def test_a_mature_dbt_project_runs_with_each_model_version_its_own_asset(tmp_path: Path) -> None:
    """What dbt projects grown over years have: a model in two versions (the newer aliased to
    the old table name), a Python model, a snapshot, an ephemeral model, a unit test, a dbt
    package not installed yet. ``floe init`` takes it as it is (installing the package), and
    ``floe run`` (a process per step, on the state directory's instance) builds each version as
    its own asset with its own checks: dagster-dbt's keys (the relations' names), never one
    asset for two tables. The dbt step keeps the parse dbt wrote, for the next step."""
    from dagster import AssetCheckKey, AssetKey, DagsterInstance  # noqa: PLC0415

    project = tmp_path / "mature_shop"
    for relative, text in MATURE_PROJECT.items():
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(text + "\n")
    ok(floe(project, "init"))
    assert (project / "dbt_packages" / "text_tools" / "macros" / "shout.sql").is_file()
    assert "dbt_packages/" in (project / ".gitignore").read_text().splitlines()
    plan = json.loads(ok(floe(project, "plan", "--json")))
    assets = ["dim_people", "dim_people_v1", "people_count", "people_snapshot", "raw_people"]
    assets.append("stg_people")
    assert sorted(plan["assets"]) == sorted(assets)
    assert plan["assets"]["people_count"]["upstream"] == ["dim_people_v1"]
    run = floe(project, "run", "all_models")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "SUCCESS" in run.stdout.splitlines()[-1], run.stdout[-2000:]
    assert (project / ".floe" / "dbt" / "partial_parse.msgpack").is_file()  # kept by the step
    # v2's relation is dim_people (its alias); its tests are named after the version
    checks = [
        AssetCheckKey(AssetKey(asset), f"{test}_{version}_id")
        for asset, version in [("dim_people", "dim_people_v2"), ("dim_people_v1", "dim_people_v1")]
        for test in ("not_null", "unique")
    ]
    with DagsterInstance.from_config(str(project / ".floe" / "dagster")) as instance:
        done = {
            k for k in instance.get_asset_keys() if instance.get_latest_materialization_event(k)
        }
        results = instance.event_log_storage.get_latest_asset_check_execution_by_key(checks)
    assert done == {AssetKey(a) for a in assets}
    assert {k: r.status.value for k, r in results.items()} == dict.fromkeys(checks, "SUCCEEDED")
    columns = "select column_name from information_schema.columns where table_name = ?"
    with duckdb.connect(str(project / ".floe" / "warehouse.duckdb"), read_only=True) as db:
        tables = {
            t for (t,) in db.execute("select table_name from information_schema.tables").fetchall()
        }
        v1 = {c for (c,) in db.execute(columns, ["dim_people_v1"]).fetchall()}
        v2 = {c for (c,) in db.execute(columns, ["dim_people"]).fetchall()}
    assert {"dim_people", "dim_people_v1", "people_count", "people_snapshot"} <= tables
    assert (v1, v2) == ({"id", "name"}, {"id", "name", "updated_at"})


@pytest.mark.parametrize("profile", ["floe", "own", "stale"])
def test_dbt_models_carry_row_counts_and_columns_as_python_assets_do(
    tmp_path: Path, profile: str
) -> None:
    """``orchestration.dbt.table_metadata`` (on by default): after a real ``dbt build``, every
    seed and table has ``dagster/row_count``, every model its ``dagster/column_schema`` with
    the warehouse's types, a view a note saying why it has no count, and the model's
    OpenLineage output the same facts. Off, none of it is queried. With floe's profile floe
    reads its DuckDB file, and the step opens no dbt adapter of its own; with a profile of
    one's own, dagster-dbt's fetches through the dbt adapter do, and leave neither the file
    open nor the process in another directory. A fetch that fails (``stale``: a manifest
    parsed for another database) is a note, not a gap."""
    import duckdb  # noqa: PLC0415
    from dagster import AssetKey, DagsterInstance  # noqa: PLC0415
    from dbt.adapters.factory import FACTORY, reset_adapters  # noqa: PLC0415

    from floe_config import load_config  # noqa: PLC0415
    from floe_dagster import build_definitions  # noqa: PLC0415

    project = write_dbt_project(tmp_path / "tiny_shop")
    totals = project / "models" / "customer_totals.sql"
    totals.write_text("{{ config(materialized='table') }}\n" + totals.read_text())
    (project / "models" / "schema.yml").write_text(
        "version: 2\nmodels:\n  - name: customer_totals\n    columns:\n"
        "      - name: total\n        description: money spent\n"
    )
    ok(floe(project, "init"))
    own = tmp_path / "own.duckdb"
    if profile in ("own", "stale"):
        (project / "profiles.yml").write_text(
            f"tiny_shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
            f"      path: '{own}'\n      threads: 2\n"
        )
        floe_yaml = project / "floe.yaml"
        floe_yaml.write_text(
            floe_yaml.read_text().replace(
                "    observability_level: per_model\n",
                "    observability_level: per_model\n    profiles_dir: .\n",
            )
        )
        if profile == "own":
            ok(floe(project, "parse"))  # the manifest's relations name the profile's database

    def run(state: Path, *, adapter: bool) -> dict[AssetKey, dict[str, Any]]:
        """The job's materializations' metadata; ``adapter``: whether the step opened dbt's
        adapter in this process (dagster-dbt's fetches need it, floe's reads do not)."""
        env = {"FLOE_STATE_DIR": str(state)}
        config = load_config(project / "floe.yaml", env=env)
        manifest = project / "target" / "manifest.json"
        defs = build_definitions(config, manifest_path=manifest, env=env)
        before = os.getcwd()
        reset_adapters()  # what dagster-dbt's resource opens in this process is counted below
        with DagsterInstance.ephemeral() as instance:
            result = defs.resolve_job_def("all_models").execute_in_process(instance=instance)
        assert result.success
        assert os.getcwd() == before  # the fetches' threads change it; floe puts it back
        assert bool(FACTORY.adapters) == adapter, FACTORY.adapters
        return {
            e.asset_key: dict(e.step_materialization_data.materialization.metadata)
            for e in result.get_asset_materialization_events()
            if e.asset_key
        }

    state = tmp_path / "state"
    found = run(state, adapter=profile != "floe")
    if profile == "stale":  # the relations name floe's database, not the profile's: no count
        totals_metadata = found[AssetKey("customer_totals")]
        assert "dagster/row_count" not in totals_metadata
        assert totals_metadata["floe/row_count"].value.startswith("the count could not be read")
        return
    config = load_config(project / "floe.yaml", env={"FLOE_STATE_DIR": str(state)})
    database = own if profile == "own" else config.path(config.storage.compute.path)
    with duckdb.connect(str(database), read_only=True) as warehouse:
        types = dict(
            warehouse.sql(
                "select column_name, data_type from duckdb_columns() "
                "where table_name = 'customer_totals'"
            ).fetchall()
        )
    for seed in ("raw_customers", "raw_orders"):
        assert found[AssetKey(seed)]["dagster/row_count"].value == 3, seed
    assert found[AssetKey("customer_totals")]["dagster/row_count"].value == 3
    columns = found[AssetKey("customer_totals")]["dagster/column_schema"].value.columns
    assert {c.name: c.type.lower() for c in columns} == {k: v.lower() for k, v in types.items()}
    for view in ("stg_customers", "stg_orders"):
        metadata = found[AssetKey(view)]
        assert "dagster/row_count" not in metadata, view
        assert metadata["floe/row_count"].value.startswith("not counted: a view"), view
        assert {c.name for c in metadata["dagster/column_schema"].value.columns} >= {"customer_id"}

    lineage = (state / "observability" / "lineage.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lineage]
    [complete] = [
        e for e in events if e["eventType"] == "COMPLETE" and e["job"]["name"] == "customer_totals"
    ]
    [output] = complete["outputs"]
    assert output["outputFacets"]["outputStatistics"]["rowCount"] == 3
    fields = {f["name"]: f for f in output["facets"]["schema"]["fields"]}
    assert set(fields) == set(types)
    assert fields["total"]["description"] == "money spent"  # dbt's docs, the warehouse's type
    assert fields["total"]["type"].lower() == types["total"].lower()

    (project / "floe.yaml").write_text(
        (project / "floe.yaml")
        .read_text()
        .replace("    table_metadata: true ", "    table_metadata: false ")
    )
    off = run(tmp_path / "off", adapter=False)
    assert not any("dagster/row_count" in m or "floe/row_count" in m for m in off.values())


def test_init_ships_the_partition_macros_and_a_day_replaces_only_itself(tmp_path: Path) -> None:
    """``floe init`` writes the macros a partitioned model filters with; on a project of its
    own, a daily incremental model run day by day with ``floe run`` holds each day once."""
    project = write_dbt_project(tmp_path / "dated_shop", name="dated_shop")
    (project / "seeds" / "raw_events.csv").write_text(
        "id,happened_at\n1,2024-01-01 08:00:00\n2,2024-01-01 23:59:00\n"
        "3,2024-01-02 00:00:00\n4,2024-01-03 12:00:00\n"
    )
    (project / "models" / "daily_events.sql").write_text(
        "{{ config(materialized='incremental', "
        "pre_hook=\"{{ partition_replace('happened_at') }}\") }}\n"
        "select id, cast(happened_at as timestamp) as happened_at from {{ ref('raw_events') }}\n"
        "where {{ in_partition('cast(happened_at as timestamp)') }}\n"
    )
    said = ok(floe(project, "init"))
    macros = project / "macros" / "floe_partitions.sql"
    assert f"wrote {macros}" in said
    assert "macro in_partition(column)" in macros.read_text()
    floe_yaml = project / "floe.yaml"
    config = yaml.safe_load(floe_yaml.read_text())
    config["orchestration"].update(
        partitions={"daily": {"type": "time_window", "start": "2024-01-01", "end": "2024-01-03"}},
        assets={"daily_events": {"partitions": "daily"}},
    )
    config["orchestration"]["jobs"]["days"] = {"type": "batch", "selection": ["+daily_events"]}
    floe_yaml.write_text(yaml.safe_dump(config, sort_keys=False))
    for day in ("2024-01-01", "2024-01-02", "2024-01-01"):  # the first day twice
        ok(floe(project, "run", "days", "--partition", day, "--in-process"))
    with duckdb.connect(str(project / ".floe" / "warehouse.duckdb"), read_only=True) as db:
        days = db.sql(
            "select cast(happened_at as date)::varchar, count(*) from daily_events group by 1 "
            "order by 1"
        ).fetchall()
    assert days == [("2024-01-01", 2), ("2024-01-02", 1)]
