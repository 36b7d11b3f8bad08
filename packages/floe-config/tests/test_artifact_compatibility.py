"""The artifact contract, proven on checked-in artifacts of each version (schemas/EVOLUTION.md).

- backward: this reader reads a v1.0 artifact (written by floe before the source map) and
  locates errors at the same floe.yaml lines as in the v1.1 it writes today;
- forward: it reads an artifact of a newer v1 writer, unknown fields at several depths
  ignored, and a newer minor floe.yaml grammar as long as it uses nothing new;
- refusals: a newer grammar that uses a key this floe does not know (naming the version and the
  key), another major grammar, and a v2 artifact (naming both major versions).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from floe_config import (
    GRAMMAR_VERSION,
    SCHEMA_VERSION,
    FloeConfigError,
    IssueCode,
    compile_artifacts,
    read_artifacts,
    resolve,
)

ARTIFACTS = Path("packages/floe-config/tests/data/artifacts")
EXAMPLE = Path("packages/floe-config/tests/data/spec_example")
BAD_ENV = {"SCHEDULE_ENABLED": "sometimes"}


def _schedule_issue(name: str) -> tuple[str, int | None, int | None, str]:
    with pytest.raises(FloeConfigError) as caught:
        resolve(read_artifacts(ARTIFACTS / name), env=BAD_ENV)
    [issue] = caught.value.issues
    return issue.code, issue.line, issue.column, issue.path


def test_this_floe_writes_what_the_checked_in_v1_1_artifact_holds(tmp_path: Path) -> None:
    """A change of what `floe compile` writes needs a new version and a new checked-in file."""
    project = tmp_path / "spec_example"
    shutil.copytree(EXAMPLE, project)
    (project / "dbt" / "target").mkdir(parents=True)
    (project / "dbt" / "target" / "manifest.json").write_text('{"metadata": {}}\n')
    written = compile_artifacts(
        project / "floe.yaml",
        output=project / "compiled_artifacts.json",
        source_as="floe.yaml",
        manifest_as="dbt/target/manifest.json",
    )
    checked_in = json.loads((ARTIFACTS / "v1.1.json").read_text())
    assert (SCHEMA_VERSION, GRAMMAR_VERSION) == ("1.1", "1.2")
    assert json.loads(written.model_dump_json()) == checked_in


def test_a_v1_0_artifact_reads_and_names_the_same_lines() -> None:
    old = read_artifacts(ARTIFACTS / "v1.0.json")
    new = read_artifacts(ARTIFACTS / "v1.1.json")
    assert (old.schema_version, old.grammar_version) == ("1.0", "1.0")
    assert old.config == new.config
    assert dict(old.document().source) == dict(new.document().source)
    assert resolve(old, env={}).model_dump() == resolve(new, env={}).model_dump()
    expected = ("invalid_type", 110, 16, "orchestration.schedules.daily_bronze.enabled")
    assert _schedule_issue("v1.0.json") == _schedule_issue("v1.1.json") == expected


def test_a_newer_v1_writer_with_unknown_fields_at_every_depth_reads() -> None:
    raw = json.loads((ARTIFACTS / "v1.2-newer-writer.json").read_text())
    assert raw["schema_version"] == "1.2"
    assert "build" in raw
    assert "mtime" in raw["source"]
    assert "end" in raw["source_map"][1]
    assert "dbt_version" in raw["dbt_manifest"]
    assert "secret" in raw["variables"][0]
    newer = read_artifacts(ARTIFACTS / "v1.2-newer-writer.json")
    assert newer.source.path == "floe.yaml"
    current = read_artifacts(ARTIFACTS / "v1.1.json")
    assert resolve(newer, env={}).model_dump() == resolve(current, env={}).model_dump()
    assert _schedule_issue("v1.2-newer-writer.json")[1:3] == (110, 16)


def test_an_older_grammar_reads_as_it_did() -> None:
    older = read_artifacts(ARTIFACTS / "grammar-v1.1.json")
    assert (older.schema_version, older.grammar_version) == ("1.1", "1.1")
    current = read_artifacts(ARTIFACTS / "v1.1.json")
    assert resolve(older, env={}).model_dump() == resolve(current, env={}).model_dump()


def test_a_newer_grammar_that_uses_nothing_new_reads() -> None:
    artifacts = read_artifacts(ARTIFACTS / "grammar-v1.3-known-keys.json")
    assert artifacts.grammar_version == "1.3"
    assert resolve(artifacts, env={}).name == "ecommerce_demo"


def test_a_newer_grammar_with_a_key_this_floe_cannot_read_is_refused_by_name() -> None:
    artifacts = read_artifacts(ARTIFACTS / "grammar-v1.3-new-key.json")
    with pytest.raises(FloeConfigError) as caught:
        resolve(artifacts, env={})
    [issue] = caught.value.issues
    assert (issue.code, issue.path, issue.line) == (
        IssueCode.ARTIFACT_GRAMMAR,
        "orchestration.dbt.freshness",
        41,
    )
    assert "grammar v1.3" in issue.message
    assert f"v{GRAMMAR_VERSION}" in issue.message
    assert issue.hint is not None
    assert "upgrade floe" in issue.hint


def test_another_major_grammar_is_refused() -> None:
    with pytest.raises(FloeConfigError) as caught:
        read_artifacts(ARTIFACTS / "grammar-v2.0.json")
    assert caught.value.codes == [IssueCode.ARTIFACT_GRAMMAR]
    assert "grammar v2.0" in caught.value.issue.message


def test_a_v2_artifact_is_refused_naming_both_major_versions() -> None:
    with pytest.raises(FloeConfigError) as caught:
        read_artifacts(ARTIFACTS / "v2.0.json")
    assert caught.value.codes == [IssueCode.ARTIFACT_VERSION]
    assert "expected v1, found v2.0" in caught.value.issue.message


def test_the_1_0_position_lists_are_still_there_deprecated() -> None:
    old = json.loads((ARTIFACTS / "v1.0.json").read_text())
    new = read_artifacts(ARTIFACTS / "v1.1.json")
    with pytest.deprecated_call():
        assert new.positions == old["positions"]
    with pytest.deprecated_call():
        assert new.key_positions == old["key_positions"]
    with pytest.deprecated_call():
        assert new.texts == [tuple(t) for t in old["texts"]]
