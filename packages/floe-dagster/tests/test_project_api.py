"""What the ``floe`` command and a Dagster component share (``_project``): the starter files,
dbt parse with floe's profile, compiling floe.yaml into an artifact, and finding it again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from projects import config_of, write_dbt_project

from floe_config import DEFAULT_ARTIFACT_NAME, FloeConfigError, IssueCode, read_artifacts
from floe_dagster._project import (
    ARTIFACT_ENV,
    STARTER_DEFINITIONS,
    STARTER_FLOE_YAML,
    compile_project,
    locate_artifacts,
    parse,
    project_name,
)
from floe_dbt import FloeDbtError, load_manifest

FLOE_YAML = """\
name: shop
transforms:
  dbt: {project_dir: dbt}
orchestration:
  dbt: {manifest_path: dbt/target/manifest.json}
"""


def test_the_artifact_is_the_path_else_the_variable_else_beside_floe_yaml(tmp_path: Path) -> None:
    (tmp_path / "floe.yaml").write_text("name: x\n")
    code = tmp_path / "orchestration" / "deep"
    code.mkdir(parents=True)
    given = tmp_path / "given.json"
    assert locate_artifacts(given, env={ARTIFACT_ENV: "/elsewhere.json"}, caller=code) == given
    assert locate_artifacts(None, env={ARTIFACT_ENV: "/elsewhere.json"}, caller=code) == Path(
        "/elsewhere.json"
    )
    assert locate_artifacts(None, env={}, caller=code) == tmp_path / DEFAULT_ARTIFACT_NAME
    with pytest.raises(FloeConfigError) as missing:
        locate_artifacts(None, env={}, caller=Path("/"))
    assert missing.value.codes == [IssueCode.ARTIFACT_NOT_FOUND]


def test_the_starter_files_are_valid_for_any_dbt_project_name(tmp_path: Path) -> None:
    (tmp_path / "dbt_project.yml").write_text("name: 'Jaffle Shop-2'\n")
    name = project_name(tmp_path / "dbt_project.yml")
    assert name == "jaffle_shop_2"
    config = config_of(tmp_path, STARTER_FLOE_YAML.format(name=name))
    assert config.orchestration.jobs["all_models"].type == "batch"
    assert config.orchestration.schedules["nightly"].enabled is False
    assert "FloeDefinitions.from_compiled_artifacts()" in STARTER_DEFINITIONS
    (tmp_path / "dbt_project.yml").write_text("[not a mapping")
    assert project_name(tmp_path / "dbt_project.yml") == tmp_path.name.lower().replace("-", "_")


def test_compiling_a_fresh_project_parses_it_first(tmp_path: Path) -> None:
    write_dbt_project(tmp_path / "dbt")
    config = config_of(tmp_path, FLOE_YAML)
    env = {"FLOE_STATE_DIR": str(tmp_path / "state")}
    output = tmp_path / "state" / DEFAULT_ARTIFACT_NAME
    manifest = compile_project(config, output=output, env=env)
    assert manifest == tmp_path / "dbt" / "target" / "manifest.json"
    assert sorted(load_manifest(manifest).models) == [
        "customer_totals",
        "stg_customers",
        "stg_orders",
    ]
    artifacts = read_artifacts(output)
    assert artifacts.manifest_file == manifest
    recorded = json.loads(output.read_text())["dbt_manifest"]["sha256"]
    (tmp_path / "dbt" / "models" / "extra.sql").write_text("select 1 as x\n")
    compile_project(config, output=output, env=env)  # the manifest is there: not parsed again
    assert json.loads(output.read_text())["dbt_manifest"]["sha256"] == recorded


def test_parse_needs_a_dbt_section(tmp_path: Path) -> None:
    config = config_of(tmp_path, "name: shop\n")
    with pytest.raises(FloeDbtError) as raised:
        parse(config, {})
    assert raised.value.codes == [IssueCode.MISSING_MANIFEST_PATH]
