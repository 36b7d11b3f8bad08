"""Bad input of every kind ends in one clear error that names the floe.yaml line."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from demo_env import copy_demo, demo_environment

from floe_config import FloeConfigError, compile_artifacts, write_artifacts
from floe_dagster import FloeDagsterError, FloeDefinitions


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def _load(project: Path, env: dict[str, str]) -> None:
    artifact = project / "compiled_artifacts.json"
    write_artifacts(compile_artifacts(project / "floe.yaml", output=artifact), artifact)
    FloeDefinitions.from_compiled_artifacts(artifact, env=env)


REGENERATE = (
    "fix: regenerate it with `dbt parse` in the dbt project "
    "(for the demo: `tools/bazel build //demo/data_engineering/dbt:manifest`)"
)
MODULES = "  asset_modules:\n    - .orchestration.assets.bronze\n"


def missing_module(project: Path) -> tuple[str, str]:
    _edit(project / "floe.yaml", MODULES, MODULES + "    - .orchestration.assets.nope\n")
    return (
        ".orchestration.assets.nope",
        f"orchestration.asset_modules[1]: no module named '{project.name}.orchestration.assets.nope'"
        " (is it on the Python path, spelled right?)",
    )


def syntax_error(project: Path) -> tuple[str, str]:
    broken = project / "orchestration" / "assets" / "broken.py"
    broken.write_text("from dagster import asset\n\n\ndef oops(:\n    pass\n")
    _edit(project / "floe.yaml", MODULES, MODULES + "    - .orchestration.assets.broken\n")
    return (
        ".orchestration.assets.broken",
        f"orchestration.asset_modules[1]: module '{project.name}.orchestration.assets.broken' has a "
        f"syntax error at {broken}:4: invalid syntax",
    )


def missing_manifest(project: Path) -> tuple[str, str]:
    manifest = project / "dbt" / "target" / "manifest.json"
    write_artifacts(
        compile_artifacts(project / "floe.yaml", output=project / "compiled_artifacts.json"),
        project / "compiled_artifacts.json",
    )
    manifest.unlink()
    return (
        "manifest_path:",
        f"orchestration.dbt.manifest_path: {manifest}: no dbt manifest here; {REGENERATE}",
    )


def corrupt_manifest(project: Path) -> tuple[str, str]:
    manifest = project / "dbt" / "target" / "manifest.json"
    manifest.write_text('{"metadata": {"dbt_schema_version": ')
    return (
        "manifest_path:",
        f"orchestration.dbt.manifest_path: {manifest}: the dbt manifest is not valid JSON: "
        f"Expecting value: line 1 column 37 (char 36); {REGENERATE}",
    )


def selection_matches_nothing(project: Path) -> tuple[str, str]:
    _edit(project / "floe.yaml", 'selection: ["group:bronze"]', 'selection: ["group:platinum"]')
    return (
        'selection: ["group:platinum"]',
        "orchestration.jobs.bronze_refresh.selection: selection ['group:platinum'] matches no "
        "asset; an empty selection never means all assets",
    )


def ops_arg_not_accepted(project: Path) -> tuple[str, str]:
    _edit(
        project / "floe.yaml",
        "        dry_run: ${VACUUM_DRY_RUN:false}\n",
        "        dry_run: ${VACUUM_DRY_RUN:false}\n        force: true\n",
    )
    return (
        "      args:",
        "orchestration.jobs.vacuum_tables.args: .orchestration.assets.ops.vacuum_old_snapshots() "
        "takes no argument 'force' (it takes: retention_days, dry_run)",
    )


CASES: dict[str, Callable[[Path], tuple[str, str]]] = {
    "missing_module": missing_module,
    "syntax_error": syntax_error,
    "missing_manifest": missing_manifest,
    "corrupt_manifest": corrupt_manifest,
    "selection_matches_nothing": selection_matches_nothing,
    "ops_arg_not_accepted": ops_arg_not_accepted,
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_definition_errors_name_the_line(tmp_path: Path, case: str) -> None:
    project = copy_demo(tmp_path / "root", f"bad_{case}")
    needle, expected = CASES[case](project)
    env = demo_environment(tmp_path / "state")
    artifact = project / "compiled_artifacts.json"
    if case != "missing_manifest":  # that case compiled before it removed the manifest
        write_artifacts(compile_artifacts(project / "floe.yaml", output=artifact), artifact)
    with pytest.raises(FloeDagsterError) as caught:
        FloeDefinitions.from_compiled_artifacts(artifact, env=env)
    assert len(caught.value.problems) == 1, str(caught.value)
    [problem] = caught.value.problems
    line = _line_of(project / "floe.yaml", needle)
    assert re.match(rf"floe\.yaml:{line}:\d+ ", problem), problem
    assert problem.split(" ", 1)[1] == expected


def test_unknown_job_in_a_schedule(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "root", "bad_schedule_job")
    _edit(project / "floe.yaml", "      job: vacuum_tables\n", "      job: vacum_tables\n")
    with pytest.raises(FloeConfigError) as caught:
        _load(project, demo_environment(tmp_path / "state"))
    [issue] = caught.value.issues
    assert (issue.code, issue.line, issue.path) == (
        "unknown_job",
        _line_of(project / "floe.yaml", "job: vacum_tables"),
        "orchestration.schedules.weekly_vacuum.job",
    )
    assert str(issue).endswith(
        "unknown job 'vacum_tables' [unknown_job]\n    fix: did you mean 'vacuum_tables'?"
    )


def test_unset_required_variable(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "root", "bad_unset_variable")
    _edit(project / "floe.yaml", "${VACUUM_CRON:0 3 * * 0}", "${VACUUM_CRON}")
    env = demo_environment(tmp_path / "state")
    env.pop("VACUUM_CRON", None)
    with pytest.raises(FloeConfigError) as caught:
        _load(project, env)
    [issue] = caught.value.issues
    assert (issue.code, issue.line, issue.path) == (
        "unset_variable",
        _line_of(project / "floe.yaml", "${VACUUM_CRON}"),
        "orchestration.schedules.weekly_vacuum.cron_schedule",
    )
    assert "environment variable VACUUM_CRON is not set and has no default" in issue.message
