"""The floe CLI on a small project of Python assets (no dbt), end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from projects import write_project

from floe_dagster import cli_main

ASSETS = """\
from dagster import asset


@asset(group_name="raw")
def events() -> None: ...


@asset(group_name="marts", deps=[events])
def daily_counts() -> None: ...
"""

FLOE_YAML = """\
name: tiny
orchestration:
  asset_modules: [.assets]
  jobs:
    everything: {type: batch, selection: ["+daily_counts"]}
  schedules:
    nightly:
      job: everything
      cron_schedule: "0 1 * * *"
      timezone: Europe/Berlin
      enabled: ${NIGHTLY:false}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path, "tiny_project", floe_yaml=FLOE_YAML, assets=ASSETS).parent


def test_validate_prints_a_summary(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["validate", str(project / "floe.yaml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "floe.yaml OK: tiny"
    assert out[1].split() == ["assets:", "2", "asset", "checks:", "0"]
    assert out[2].split() == ["jobs:", "1", "(1", "batch,", "0", "ops)"]
    assert out[4].startswith("    nightly: everything STOPPED '0 1 * * *' Europe/Berlin, next ")
    assert out[4].endswith(("CET", "CEST"))


def test_validate_reports_every_problem(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = FLOE_YAML.replace('["+daily_counts"]', '["+daily_count"]').replace(".assets]", ".asets]")
    (project / "floe.yaml").write_text(text)
    assert cli_main(["validate", str(project / "floe.yaml")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "1 problem building the Dagster definitions:"
    assert err[1] == (
        "floe.yaml:3:19 orchestration.asset_modules[0]: no module named 'tiny_project.asets' "
        "(is it on the Python path, spelled right?) [missing_module]"
    )


def test_validate_reports_config_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "floe.yaml").write_text(FLOE_YAML.replace("job: everything", "job: everythin"))
    assert cli_main(["validate", str(project / "floe.yaml")]) == 1
    assert (
        "floe.yaml:8:12 orchestration.schedules.nightly.job: unknown job" in capsys.readouterr().err
    )


def test_compile_writes_the_artifact(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["compile", str(project / "floe.yaml")]) == 0
    artifact = json.loads((project / "compiled_artifacts.json").read_text())
    assert artifact["project"] == "tiny"
    assert artifact["base_package"] == "tiny_project"
    assert capsys.readouterr().out.startswith("wrote ")


def test_a_path_the_machine_refuses_is_named_not_called_a_bug(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--output`` inside a file (its folder cannot be made): the command says which path, and
    exits 1 like any floe error, not 2 with "internal error"."""
    blocker = project / "notes.txt"
    blocker.write_text("a file, not a folder\n")
    output = blocker / "compiled_artifacts.json"
    assert cli_main(["compile", str(project / "floe.yaml"), "--output", str(output)]) == 1
    err = capsys.readouterr().err
    assert f"floe compile: cannot use {blocker}: " in err, err
    assert "fix: check that path" in err
    assert "internal error" not in err
    assert blocker.read_text() == "a file, not a folder\n"


def test_an_error_floe_did_not_expect_is_one_line_and_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the shell prints for a bug (here, one put in compile's path on purpose): one line
    that says so, the traceback only with FLOE_DEBUG=1."""
    from floe_dagster.cli import _commands  # noqa: PLC0415

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("no filename: not the machine's")  # an OSError of no path is floe's too

    monkeypatch.setattr(_commands, "compile_artifacts", broken)
    assert cli_main(["compile", str(project / "floe.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("floe: internal error (OSError: no filename: not the machine's); ")
    assert "Traceback" not in err
    monkeypatch.setenv("FLOE_DEBUG", "1")
    assert cli_main(["compile", str(project / "floe.yaml")]) == 2
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_schema_prints_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "floe.yaml"
    assert "orchestration" in schema["properties"]


def test_validate_lists_sensors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = FLOE_YAML + (
        "  sensors:\n    s: {type: asset_sensor, job: everything, watched_assets: [events]}\n"
    )
    (project / "floe.yaml").write_text(text)
    assert cli_main(["validate", str(project / "floe.yaml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "  sensors:      1" in out
    assert (
        "    s: asset_sensor -> everything RUNNING, every 30 s, when all of events materialized"
    ) in out
    assert not any("not built" in line for line in out)


def test_a_partition_selector_on_an_unpartitioned_job_is_an_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = FLOE_YAML + "      partition_selector: latest\n"
    (project / "floe.yaml").write_text(text)
    assert cli_main(["validate", str(project / "floe.yaml")]) == 1
    err = capsys.readouterr().err
    assert (
        "floe.yaml:12:27 orchestration.schedules.nightly.partition_selector: job 'everything' "
        "is not partitioned; partition_selector applies to jobs over partitioned assets "
        "[selector_without_partitions]"
    ) in err


def test_validate_says_where_traces_and_lineage_go(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOE_STATE_DIR", "/srv/floe-state")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    monkeypatch.delenv("OPENLINEAGE_URL", raising=False)
    assert cli_main(["validate", str(project / "floe.yaml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "  traces:       OTLP/HTTP http://collector:4318/v1/traces" in out
    assert "  lineage:      JSON lines /srv/floe-state/observability/lineage.jsonl" in out


def test_validate_and_plan_warn_of_what_applies_to_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """A pattern typo (``evnts*``) and a partitions definition no asset has: ``floe validate``
    and ``floe plan`` both warn of each, at its line, in the same words (FR-015)."""
    text = FLOE_YAML + (
        "  partitions:\n"
        '    daily: {type: time_window, start: "2024-01-01", cron_schedule: "0 0 * * *"}\n'
        "    regions: {type: static, partition_keys: [us, eu]}\n"
        "  assets:\n"
        '    "evnts*": {partitions: daily}\n'
        '    "daily_*": {group_name: marts}\n'
    )
    (project / "floe.yaml").write_text(text)
    expected = [
        "floe.yaml:16:5 orchestration.assets.evnts*: pattern 'evnts*' matches no asset, so its "
        "settings apply to nothing [pattern_matches_nothing]\n    fix: assets are matched by "
        "key, parts joined by '/' (closest: events)",
        "floe.yaml:13:5 orchestration.partitions.daily: no asset has partitions 'daily' (time "
        "windows '0 0 * * *' UTC) [partitions_unused]\n    fix: give assets these partitions "
        'with a pattern under orchestration.assets (`"stg_*": {partitions: daily}`), or remove '
        "them",
        "floe.yaml:14:5 orchestration.partitions.regions: no asset has partitions 'regions' "
        "(static keys) [partitions_unused]",
    ]
    with caplog.at_level("WARNING", logger="floe"):  # stderr, in a process of its own
        assert cli_main(["validate", str(project / "floe.yaml")]) == 0
    assert capsys.readouterr().out.startswith("floe.yaml OK: tiny")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for warning in expected:
        assert f"floe: warning: {warning}" in logged
    assert "daily_*" not in logged  # it matches daily_counts

    assert cli_main(["plan", str(project / "floe.yaml"), "--json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert len(warnings) == 3
    for warning in expected:
        assert any(w.startswith(warning) for w in warnings), warnings


def test_plan_shows_each_warning_of_the_load_once(
    project: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """``floe plan`` lists every warning the load gives, the schedule's too, and the load's
    log does not repeat them: each is on screen once."""
    text = FLOE_YAML + (
        "  assets:\n"
        '    "evnts*": {group_name: raw}\n'
        "    daily_counts: {automation_condition: eager}\n"
    )
    (project / "floe.yaml").write_text(text)
    pattern = "floe.yaml:13:5 orchestration.assets.evnts*: pattern 'evnts*' matches no asset"
    schedule = (
        "floe.yaml:8:12 orchestration.schedules.nightly.job: schedule 'nightly' leaves out 1 "
        "asset(s) of job 'everything' that have automation conditions"
    )
    with caplog.at_level("WARNING", logger="floe"):
        assert cli_main(["plan", str(project / "floe.yaml")]) == 0
    captured = capsys.readouterr()
    shown = captured.out + captured.err + "\n".join(r.getMessage() for r in caplog.records)
    assert shown.count(pattern) == 1, shown
    assert shown.count(schedule) == 1, shown
    assert f"warning: {schedule}" in captured.out

    caplog.clear()
    with caplog.at_level("WARNING", logger="floe"):
        assert cli_main(["plan", str(project / "floe.yaml"), "--json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert [w.split(":")[1] for w in warnings] == ["13", "8"], warnings
    assert not [r for r in caplog.records if r.name == "floe"]

    with caplog.at_level("WARNING", logger="floe"):  # validate still logs them (stderr)
        assert cli_main(["validate", str(project / "floe.yaml")]) == 0
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert pattern in logged
    assert schedule in logged


DEFINITIONS = """\
import os
from pathlib import Path

from floe_config import load_config
from floe_dagster import FloeDefinitions

defs = FloeDefinitions.from_config(load_config(Path(__file__).parent / "floe.yaml", env=os.environ))
"""


def test_a_toggle_in_the_instance_wins_and_validate_and_plan_show_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``enabled`` is Dagster's default status; starting the schedule in the instance (``dagster
    schedule start``, what the UI's toggle does) wins, and validate and plan say both."""
    root = tmp_path / "code"
    path = write_project(
        root, "toggled_project", floe_yaml=FLOE_YAML, assets=ASSETS, definitions=DEFINITIONS
    )
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("FLOE_STATE_DIR", str(tmp_path / "state"))

    assert cli_main(["plan", str(path), "--json"]) == 0
    [nightly] = json.loads(capsys.readouterr().out)["schedules"].values()
    assert (nightly["enabled"], nightly["instance_status"]) == (False, None)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), *filter(None, sys.path)])}
    started = subprocess.run(
        [sys.executable, "-m", "dagster", "schedule", "start", "nightly", "-m",
         "toggled_project.definitions"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert started.returncode == 0, started.stdout + started.stderr

    assert cli_main(["plan", str(path), "--json"]) == 0
    [nightly] = json.loads(capsys.readouterr().out)["schedules"].values()
    assert (nightly["enabled"], nightly["instance_status"]) == (False, "RUNNING")
    both = "RUNNING in the instance (toggled; floe.yaml's default: STOPPED)"
    assert cli_main(["plan", str(path)]) == 0
    assert f"  nightly: everything '0 1 * * *' Europe/Berlin {both}" in capsys.readouterr().out
    assert cli_main(["validate", str(path)]) == 0
    assert f"    nightly: everything {both} '0 1 * * *'" in capsys.readouterr().out


def test_one_round_of_validate_shows_every_problem_across_stages(
    project: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Four mistakes as a new user makes them: an unknown job in a schedule and a bad cron
    (floe.yaml's own checks), a selection typo and a pattern typo (only the built assets show
    them). One ``floe validate`` reports all four, each at its line."""
    (project / "floe.yaml").write_text(
        "name: tiny\n"
        "orchestration:\n"
        "  asset_modules: [.assets]\n"
        "  jobs:\n"
        '    everything: {type: batch, selection: ["+daily_counts"]}\n'
        '    raw_only: {type: batch, selection: ["evnts"]}\n'
        "  schedules:\n"
        '    nightly: {job: everythin, cron_schedule: "0 1 * * *"}\n'
        '    hourly: {job: everything, cron_schedule: "61 * * * *"}\n'
        "  assets:\n"
        '    "evnts*": {group_name: raw}\n'
    )
    with caplog.at_level("WARNING", logger="floe"):
        assert cli_main(["validate", str(project / "floe.yaml")]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "3 problems in floe.yaml:", err
    for where, code in [
        ("floe.yaml:6:41 orchestration.jobs.raw_only.selection[0]", "selection_matches_nothing"),
        ("floe.yaml:8:20 orchestration.schedules.nightly.job", "unknown_job"),
        ("floe.yaml:9:46 orchestration.schedules.hourly.cron_schedule", "invalid_cron"),
    ]:
        [line] = [line for line in err.splitlines() if line.startswith(where)]
        assert line.endswith(f"[{code}]"), line
    typo = "floe.yaml:11:5 orchestration.assets.evnts*: pattern 'evnts*' matches no asset"
    assert typo in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="floe"):  # plan stops at the errors, and warns too
        assert cli_main(["plan", str(project / "floe.yaml")]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "3 problems in floe.yaml:"
    assert caplog.text.count(typo) == 1, caplog.text


def test_a_left_out_entry_does_not_make_its_partitions_look_unused(
    project: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """The only pattern that gives ``daily`` has a mistake, so the rest of floe.yaml is built
    without it. That build finds no asset with ``daily``, but the fix is the pattern's, so
    validate reports the pattern's key and not a second, misleading warning."""
    (project / "floe.yaml").write_text(
        FLOE_YAML
        + "  partitions:\n"
        + '    daily: {type: time_window, start: "2024-01-01", cron_schedule: "0 0 * * *"}\n'
        + "  assets:\n"
        + '    "daily_*": {partitions: daily, automation: eager}\n'
    )
    with caplog.at_level("WARNING", logger="floe"):
        assert cli_main(["validate", str(project / "floe.yaml")]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[:2] == [
        "1 problem in floe.yaml:",
        "floe.yaml:15:36 orchestration.assets.daily_*.automation: unknown key 'automation' "
        "[unknown_key]",
    ], err
    assert "partitions_unused" not in err + caplog.text
    with caplog.at_level("WARNING", logger="floe"):
        assert cli_main(["plan", str(project / "floe.yaml")]) == 1
    assert "partitions_unused" not in capsys.readouterr().err + caplog.text


def test_plan_against_a_wrong_file_is_an_error_and_a_stale_one_found_is_a_note(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--against`` names the artifact to compare with (main's, in a CI job): a typo in that
    path, or a file that is no compiled artifact, fails the plan instead of printing one with
    no changes. An artifact floe finds by itself beside floe.yaml that no longer reads is only
    a note: the plan is still shown."""
    floe_yaml = str(project / "floe.yaml")
    missing = project / "main" / "compiled_artifacts.json"
    assert cli_main(["plan", floe_yaml, "--json", "--against", str(missing)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{missing}: no compiled artifact here [artifact_not_found]" in err, err
    assert cli_main(["plan", floe_yaml, "--json", "--against", floe_yaml]) == 1
    assert "not a readable JSON artifact" in capsys.readouterr().err
    (project / "compiled_artifacts.json").write_text("{}\n")  # found, not named
    assert cli_main(["plan", floe_yaml, "--json"]) == 0
    changes = json.loads(capsys.readouterr().out)["changes"]
    assert changes["compared_with"] is None
    assert changes["note"].startswith("the compiled artifact does not load any more: "), changes


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["dev", "-p", "99999"], "argument -p/--port: 99999 is not a TCP port (1 to 65535)"),
        (["dev", "--port", "eighty"], "argument -p/--port: not a port number: 'eighty'"),
        (
            ["backfill", "first", "--wait", "--timeout", "-5"],
            "argument --timeout: -5 is not a positive number of seconds",
        ),
    ],
    ids=["port_too_high", "port_not_a_number", "negative_timeout"],
)
def test_a_number_out_of_range_is_refused_before_anything_starts(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``floe dev -p 99999`` used to start and announce a URL no server could have; a negative
    ``--timeout`` gave up on a backfill at once. argparse refuses both, naming the argument."""
    with pytest.raises(SystemExit) as stopped:
        cli_main(argv)
    assert stopped.value.code == 2
    assert said in capsys.readouterr().err
