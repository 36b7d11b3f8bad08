"""Bad input of every kind ends in one clear error that names the floe.yaml line."""

from __future__ import annotations

from pathlib import Path

import pytest
from bad_inputs import CASES, REGENERATE, edit, line_of, one_item_with_a_typo
from demo_env import compile_project, copy_demo, demo_environment

from floe_config import FloeConfigError
from floe_dagster import FloeDagsterError, FloeDefinitions


def _load(project: Path, env: dict[str, str]) -> None:
    FloeDefinitions.from_compiled_artifacts(compile_project(project), env=env)


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_definition_errors_name_the_line(tmp_path: Path, case: str) -> None:
    project = copy_demo(tmp_path / "root", f"bad_{case}")
    expected = CASES[case](project)
    env = demo_environment(tmp_path / "state")
    artifact = project / "compiled_artifacts.json"
    if case != "missing_manifest":  # that case compiled before it removed the manifest
        compile_project(project)
    with pytest.raises(FloeDagsterError) as caught:
        FloeDefinitions.from_compiled_artifacts(artifact, env=env)
    found = [(i.line, i.code, i.path, i.message) for i in caught.value.issues]
    floe_yaml = project / "floe.yaml"
    assert found == [
        (line_of(floe_yaml, needle), code, path, message)
        for needle, code, path, message in expected
    ], str(caught.value)
    assert all(i.hint for i in caught.value.issues), "every problem says how to fix it"
    if case in ("missing_manifest", "corrupt_manifest"):
        assert caught.value.issues[0].hint.startswith(REGENERATE)


def test_a_typo_suggests_the_asset(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "root", "typo_hint")
    one_item_with_a_typo(project)
    with pytest.raises(FloeDagsterError) as caught:
        FloeDefinitions.from_compiled_artifacts(
            compile_project(project), env=demo_environment(tmp_path / "s")
        )
    assert caught.value.issues[0].hint == "did you mean 'revenue_by_product'?"


def test_unknown_job_in_a_schedule(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "root", "bad_schedule_job")
    edit(project / "floe.yaml", "      job: vacuum_tables\n", "      job: vacum_tables\n")
    with pytest.raises(FloeConfigError) as caught:
        _load(project, demo_environment(tmp_path / "state"))
    [issue] = caught.value.issues
    assert (issue.code, issue.line, issue.path) == (
        "unknown_job",
        line_of(project / "floe.yaml", "job: vacum_tables"),
        "orchestration.schedules.weekly_vacuum.job",
    )
    assert str(issue).endswith(
        "unknown job 'vacum_tables' [unknown_job]\n    fix: did you mean 'vacuum_tables'?"
    )


def test_unset_required_variable(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "root", "bad_unset_variable")
    edit(project / "floe.yaml", "${VACUUM_CRON:0 3 * * 0}", "${VACUUM_CRON}")
    env = demo_environment(tmp_path / "state")
    env.pop("VACUUM_CRON", None)
    with pytest.raises(FloeConfigError) as caught:
        _load(project, env)
    [issue] = caught.value.issues
    assert (issue.code, issue.line, issue.path) == (
        "unset_variable",
        line_of(project / "floe.yaml", "${VACUUM_CRON}"),
        "orchestration.schedules.weekly_vacuum.cron_schedule",
    )
    assert "environment variable VACUUM_CRON is not set and has no default" in issue.message
