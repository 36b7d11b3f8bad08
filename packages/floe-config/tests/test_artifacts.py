from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from floe_config import (
    SCHEMA_VERSION,
    FloeConfigError,
    compile_artifacts,
    read_artifacts,
    resolve,
    write_artifacts,
)

EXAMPLE = Path("packages/floe-config/tests/data/spec_example")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "spec_example"
    shutil.copytree(EXAMPLE, target)
    manifest = target / "dbt" / "target" / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text('{"metadata": {}}')
    return target


def test_artifact_keeps_placeholders_and_records_sources(project: Path, tmp_path: Path) -> None:
    output = tmp_path / "build" / "compiled_artifacts.json"
    artifacts = compile_artifacts(project / "floe.yaml", output=output)
    write_artifacts(artifacts, output)
    raw = json.loads(output.read_text())
    assert raw["schema_version"] == SCHEMA_VERSION
    schedule = raw["config"]["orchestration"]["schedules"]["daily_bronze"]
    assert schedule["enabled"] == "${SCHEDULE_ENABLED:false}"
    assert raw["source"]["path"] == "../spec_example/floe.yaml"
    source_hash = hashlib.sha256((project / "floe.yaml").read_bytes()).hexdigest()
    assert raw["source"]["sha256"] == source_hash
    assert raw["dbt_manifest"]["path"] == "../spec_example/dbt/target/manifest.json"
    enabled = next(v for v in raw["variables"] if v["name"] == "SCHEDULE_ENABLED")
    assert enabled == {
        "name": "SCHEDULE_ENABLED",
        "default": "false",
        "path": "orchestration.schedules.daily_bronze.enabled",
        "line": 110,
        "column": 16,
    }


def test_read_and_resolve_under_an_environment(project: Path, tmp_path: Path) -> None:
    output = tmp_path / "compiled_artifacts.json"
    write_artifacts(compile_artifacts(project / "floe.yaml", output=output), output)
    artifacts = read_artifacts(output)
    assert artifacts.manifest_file == project / "dbt/target/manifest.json"
    config = resolve(artifacts, env={"SCHEDULE_ENABLED": "true"})
    assert config.orchestration.schedules["daily_bronze"].enabled is True
    assert config.source.file == project / "floe.yaml"
    with pytest.raises(FloeConfigError) as caught:
        resolve(artifacts, env={"SCHEDULE_ENABLED": "sometimes"})
    [issue] = caught.value.issues
    assert (issue.code, issue.line, issue.path) == (
        "invalid_type",
        110,
        "orchestration.schedules.daily_bronze.enabled",
    )
    assert "environment variable SCHEDULE_ENABLED='sometimes'" in issue.message


def test_required_variables_are_checked_at_resolve_time(tmp_path: Path) -> None:
    (tmp_path / "floe.yaml").write_text(
        "name: p\norchestration:\n  jobs:\n    j: {type: batch, selection: [a]}\n"
        "  schedules:\n    s:\n      job: j\n      cron_schedule: ${CRON}\n"
    )
    output = tmp_path / "compiled_artifacts.json"
    write_artifacts(compile_artifacts(tmp_path / "floe.yaml", output=output), output)
    artifacts = read_artifacts(output)
    assert [v.required for v in artifacts.variables] == [True]
    with pytest.raises(FloeConfigError) as caught:
        resolve(artifacts, env={})
    assert [(i.code, i.line) for i in caught.value.issues] == [("unset_variable", 8)]
    assert resolve(artifacts, env={"CRON": "@daily"}).orchestration.schedules["s"].cron_schedule


def test_another_major_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "compiled_artifacts.json"
    path.write_text(json.dumps({"schema_version": "2.0"}))
    with pytest.raises(FloeConfigError) as caught:
        read_artifacts(path)
    assert f"expected v1, found v2.0 in {path}" in str(caught.value)


def test_compile_refuses_a_missing_manifest(tmp_path: Path) -> None:
    target = tmp_path / "spec_example"
    shutil.copytree(EXAMPLE, target)
    with pytest.raises(FloeConfigError) as caught:
        compile_artifacts(target / "floe.yaml", output=tmp_path / "a.json")
    assert caught.value.codes == ["missing_manifest"]
    assert caught.value.issues[0].line == 40


@pytest.mark.parametrize("content", ["{not json", "[]", '{"schema_version": "1.0"}'])
def test_corrupt_artifacts_are_config_errors(tmp_path: Path, content: str) -> None:
    path = tmp_path / "compiled_artifacts.json"
    path.write_text(content)
    with pytest.raises(FloeConfigError):
        read_artifacts(path)
