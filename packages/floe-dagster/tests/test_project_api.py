"""What the ``floe`` command and a Dagster component share (``_project``): the starter files,
dbt parse with floe's profile, compiling floe.yaml into an artifact, and finding it again."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from projects import config_of, write_dbt_project

from floe_config import DEFAULT_ARTIFACT_NAME, FloeConfigError, IssueCode, read_artifacts
from floe_dagster._dbt.settings import keep_partial_parse, seed_partial_parse
from floe_dagster._project import (
    ARTIFACT_ENV,
    STARTER_DEFINITIONS,
    compile_project,
    dbt_project_folder,
    dg_project_of,
    ignore_state,
    locate_artifacts,
    parse,
    project_name,
    starter_floe_yaml,
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
    config = config_of(tmp_path, starter_floe_yaml(name))
    assert config.dbt_project_dir == "."
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
    heard: list[str] = []
    later = manifest.stat().st_mtime + 2
    (tmp_path / "dbt" / "notes.py").write_text("# not a file dbt parses\n")
    os.utime(tmp_path / "dbt" / "notes.py", (later, later))
    compile_project(config, output=output, env=env, parsing=heard.append)
    assert json.loads(output.read_text())["dbt_manifest"]["sha256"] == recorded  # not parsed
    assert heard == []
    (tmp_path / "dbt" / "models" / "extra.sql").write_text("select 1 as x\n")
    os.utime(tmp_path / "dbt" / "models" / "extra.sql", (later, later))
    compile_project(config, output=output, env=env, parsing=heard.append)  # dbt's file: again
    assert heard == [
        "the dbt project's models/extra.sql changed after target/manifest.json was written"
    ]
    assert "extra" in load_manifest(manifest).models
    assert json.loads(output.read_text())["dbt_manifest"]["sha256"] != recorded


def test_parse_needs_a_dbt_section(tmp_path: Path) -> None:
    config = config_of(tmp_path, "name: shop\n")
    with pytest.raises(FloeDbtError) as raised:
        parse(config, {})
    assert raised.value.codes == [IssueCode.MISSING_MANIFEST_PATH]


@pytest.mark.parametrize(
    ("folder", "manifest"),
    [
        ("../dbt/shop", "../dbt/shop/target/manifest.json"),
        ("../my dbt: project", '"../my dbt: project/target/manifest.json"'),
    ],
    ids=["relative", "quoted"],
)
def test_the_starter_floe_yaml_points_at_a_dbt_project_elsewhere(
    tmp_path: Path, folder: str, manifest: str
) -> None:
    text = starter_floe_yaml("shop", folder)
    assert f"    manifest_path: {manifest} " in text
    config = config_of(tmp_path, text)
    assert config.dbt_project_dir == folder.strip('"')
    assert dbt_project_folder(config) == tmp_path / folder


def test_a_project_that_declares_dbt_packages_ignores_their_installs_too(tmp_path: Path) -> None:
    (tmp_path / "packages.yml").write_text("packages:\n  - local: ../calendar\n")
    assert ignore_state(tmp_path)[1] == [
        ".floe/",
        "target/",
        "compiled_artifacts.json",
        "dbt_packages/",
    ]


def test_state_target_and_artifact_are_ignored_once(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.pyc\n/target\n")  # a dbt project's own
    assert ignore_state(tmp_path) == (
        tmp_path / ".gitignore",
        [".floe/", "compiled_artifacts.json"],
    )
    assert ignore_state(tmp_path) == (tmp_path / ".gitignore", [])
    lines = (tmp_path / ".gitignore").read_text().splitlines()
    assert [line for line in lines if not line.startswith("#")] == [
        "*.pyc",
        "/target",
        "",
        ".floe/",
        "compiled_artifacts.json",
    ]


def test_a_dg_project_is_found_from_any_folder_inside_it(tmp_path: Path) -> None:
    inside = tmp_path / "src" / "shop" / "defs" / "dbt"
    inside.mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert dg_project_of(inside) is None  # a pyproject without [tool.dg]
    (tmp_path / "pyproject.toml").write_text('[tool.dg]\ndirectory_type = "project"\n')
    assert dg_project_of(inside) == tmp_path
    (tmp_path / "pyproject.toml").write_text("[tool.dg\n")  # unreadable: not a dg project
    assert dg_project_of(inside) is None
    (tmp_path / "src" / "dg.toml").write_text("")
    assert dg_project_of(inside) == tmp_path / "src"


def test_parse_writes_the_manifest_whole_where_it_is_asked(tmp_path: Path) -> None:
    write_dbt_project(tmp_path / "dbt")
    config = config_of(tmp_path, FLOE_YAML)
    env = {"FLOE_STATE_DIR": str(tmp_path / "state")}
    elsewhere = tmp_path / "component-state" / "manifest.json"
    assert parse(config, env, destination=elsewhere) == elsewhere
    assert "model.tiny_shop.customer_totals" in load_manifest(elsewhere).raw["nodes"]
    assert not (tmp_path / "dbt" / "target" / "manifest.json").exists()  # floe.yaml's own path
    # dbt's saved parse beside it: a dbt step starts from it instead of parsing everything
    assert sorted(p.name for p in elsewhere.parent.iterdir()) == [
        "manifest.json",
        "partial_parse.msgpack",
    ]
    assert not list((tmp_path / "state" / "dbt").glob("parse-*"))  # each parse's own folder, gone
    state = tmp_path / "state" / "dbt"
    step = state / "runs" / "r1" / "dbt_models"
    seed_partial_parse(elsewhere, step, state)
    saved = elsewhere.with_name("partial_parse.msgpack").read_bytes()
    assert (step / "partial_parse.msgpack").read_bytes() == saved
    seed_partial_parse(tmp_path / "nowhere" / "manifest.json", tmp_path / "other", tmp_path)
    assert not (tmp_path / "other").exists()  # nothing saved: dbt parses as before

    # a step without vars keeps the parse dbt wrote with this machine's profile, and the
    # newer of the two seeds the next step: that one, until a parse since is newer
    (step / "partial_parse.msgpack").write_bytes(b"parsed by the step")
    keep_partial_parse(step, state)
    assert (state / "partial_parse.msgpack").read_bytes() == b"parsed by the step"
    assert [p.name for p in state.glob(".partial_parse*")] == []  # written aside, renamed
    seed_partial_parse(elsewhere, state / "runs" / "r2" / "dbt_models", state)
    assert (state / "runs" / "r2" / "dbt_models" / "partial_parse.msgpack").read_bytes() == (
        b"parsed by the step"
    )
    os.utime(state / "partial_parse.msgpack", (1, 1))
    seed_partial_parse(elsewhere, state / "runs" / "r3" / "dbt_models", state)
    assert (state / "runs" / "r3" / "dbt_models" / "partial_parse.msgpack").read_bytes() == saved
