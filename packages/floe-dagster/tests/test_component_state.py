"""A ``FloeComponent``'s state and its fingerprint, without Dagster's loader: what makes a state
stale, what does not, and a state this floe cannot read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from projects import write_dbt_project

from floe_config import FloeConfigError, IssueCode
from floe_dagster._component.state import (
    MANIFEST_NAME,
    REFRESH,
    ComponentState,
    Fingerprint,
    dbt_files,
    make_state,
)
from floe_dagster._project import starter_floe_yaml


def _component(folder: Path) -> tuple[Path, Path]:
    """floe.yaml in ``folder/defs/shop`` over the dbt project ``folder/dbt/shop``."""
    dbt = write_dbt_project(folder / "dbt" / "shop", "shop")
    (dbt / "models" / "keyed.sql").write_text(
        'select \'{{ env_var("SHOP_REGION", "eu") }}\' as region\n'
    )
    defs = folder / "defs" / "shop"
    defs.mkdir(parents=True)
    (defs / "floe.yaml").write_text(starter_floe_yaml("shop", "../../dbt/shop"))
    return defs / "floe.yaml", dbt


def _print(floe_yaml: Path, dbt: Path, env: dict[str, str]) -> Fingerprint:
    return Fingerprint.of(floe_yaml, dbt_project=dbt, variables=["SHOP_SCHEMA"], env=env)


def test_what_changes_a_fingerprint_and_what_does_not(tmp_path: Path) -> None:
    floe_yaml, dbt = _component(tmp_path)
    first = _print(floe_yaml, dbt, {"HOME": "/root"})
    assert first.dbt_project == "../../dbt/shop"
    assert first.variables == ("FLOE_STATE_DIR", "SHOP_REGION", "SHOP_SCHEMA")
    assert first.again(floe_yaml, {"HOME": "/elsewhere"}) == first  # a variable nobody reads

    # dbt's own output, installed packages and hidden state folders are not the project
    for ignored in ["target/manifest.json", "logs/dbt.log", "dbt_packages/x/a.sql", ".floe/x"]:
        (dbt / ignored).parent.mkdir(parents=True, exist_ok=True)
        (dbt / ignored).write_text("{}")
    assert first.again(floe_yaml, {}) == first
    assert all("target" not in f.parts and ".floe" not in f.parts for f in dbt_files(dbt))

    (dbt / "models" / "refunds.sql").write_text("select 1 as id\n")
    assert first.changes(first.again(floe_yaml, {})) == ["the dbt project's files (../../dbt/shop)"]
    (dbt / "models" / "refunds.sql").unlink()
    assert first.changes(first.again(floe_yaml, {})) == []

    for variable in ["SHOP_REGION", "SHOP_SCHEMA", "FLOE_STATE_DIR", "DBT_TARGET_PATH"]:
        now = first.again(floe_yaml, {variable: "x"})
        assert first.changes(now) == ["the environment variables floe.yaml or dbt read"], variable
        assert first.changes(now, environment=False) == []
    (floe_yaml).write_text(floe_yaml.read_text() + "\n# edited\n")
    assert first.changes(first.again(floe_yaml, {})) == ["floe.yaml"]


def test_no_value_of_a_variable_is_kept(tmp_path: Path) -> None:
    floe_yaml, dbt = _component(tmp_path)
    printed = json.dumps(_print(floe_yaml, dbt, {"SHOP_SCHEMA": "s3cr3t"}).__dict__)
    assert "s3cr3t" not in printed


def test_a_state_this_floe_cannot_read_says_how_to_write_it_again(tmp_path: Path) -> None:
    state = tmp_path / "state"
    for text in ["not json", "[]", '{"floe_component_state": 99}', '{"floe_component_state": 1}']:
        state.write_text(text)
        with pytest.raises(FloeConfigError) as bad:
            ComponentState.read(state)
        [issue] = bad.value.issues
        assert issue.code == IssueCode.COMPONENT_STATE_INVALID
        assert issue.file == str(state)
        assert issue.hint == f"run `{REFRESH}` to write it again"


def test_a_state_is_the_artifact_and_the_manifest_it_was_compiled_against(tmp_path: Path) -> None:
    floe_yaml, dbt = _component(tmp_path)
    path = tmp_path / "local_state" / "state"
    made = make_state(floe_yaml, path, {})
    manifest = path.with_name(MANIFEST_NAME)
    assert manifest.is_file()
    assert not (dbt / "target" / "manifest.json").exists()  # parsed aside, never into target/
    assert not (floe_yaml.parent / "compiled_artifacts.json").exists()
    read = ComponentState.read(path)
    assert read == made
    assert read.manifest_matches(manifest)
    assert read.fingerprint.changes(read.fingerprint.again(floe_yaml, {})) == []
    artifacts = read.artifacts(floe_yaml)
    assert artifacts.project == "shop"
    assert artifacts.dbt_manifest is not None
    manifest.write_text(manifest.read_text().replace('"stg_orders"', '"stg_orders2"', 1))
    assert not read.manifest_matches(manifest)
    manifest.unlink()
    assert not read.manifest_matches(manifest)


def test_a_state_installs_the_dbt_packages_first_and_stays_fresh(tmp_path: Path) -> None:
    """A project that declares a dbt package not installed yet: the state installs it (dbt
    deps writes package-lock.yml into the project) before it fingerprints the project, so the
    next load finds it fresh, not stale from the lock file it wrote itself."""
    floe_yaml, dbt = _component(tmp_path)
    shared = tmp_path / "dbt" / "calendar"
    (shared / "models").mkdir(parents=True)
    (shared / "dbt_project.yml").write_text("name: calendar\nversion: '1.0'\nprofile: shop\n")
    (shared / "models" / "days.sql").write_text("select 1 as day\n")
    (dbt / "packages.yml").write_text("packages:\n  - local: ../calendar\n")
    path = tmp_path / "local_state" / "state"
    made = make_state(floe_yaml, path, {})
    assert (dbt / "dbt_packages" / "calendar" / "models" / "days.sql").is_file()
    assert (dbt / "package-lock.yml").is_file()
    assert made.fingerprint.changes(made.fingerprint.again(floe_yaml, {})) == []
    nodes = json.loads(path.with_name(MANIFEST_NAME).read_text())["nodes"]
    assert "model.calendar.days" in nodes
