"""The three code locations the run-cost benchmark runs, beside a synthetic project.

``write_locations(floe_yaml)`` adds to the package of ``synthetic_project.write_project``:

- ``rc_assets.py``: the Python side: ``raw_00`` (writes the table the dbt source ``raw.t_00``
  reads, so the dbt model ``m_00000`` really runs), ``raw_01`` .. ``raw_19`` as external
  specs, ``tiny`` (one small asset), ``report_a`` (after ``m_00000``) and ``report_b``;
- ``rc_floe.yaml`` and its artifact, and ``rc_floe.py``: floe's location (jobs
  ``five_steps``: raw_00 -> m_00000 -> report_a -> report_b, and tiny; ``everything``);
- ``rc_dagster_dbt.py``: plain dagster-dbt ``@dbt_assets`` with the same Python assets, jobs
  and a profile of its own (the anchor);
- ``rc_floor.py``: the same graph as plain ``AssetSpec``s in one ``multi_asset`` (the floor:
  its "dbt model" step runs no dbt);
- ``rc_component/``: a ``dg`` project (``write_component``) whose ``defs/synth`` is a
  ``FloeComponent`` over the same dbt project and floe.yaml, and whose ``defs/python.py`` holds
  the same Python assets as plain Dagster definitions: floe the way a ``dg`` user has it. Its
  state is written by ``dg utils refresh-defs-state``, as in production.

Every location reads the DuckDB file named by ``RC_WAREHOUSE``: ``rc_warehouse.duckdb`` in the
package, emptied before each run. ``save_parses(package)`` gives floe and dagster-dbt each the
saved dbt parse their dbt steps start from, made with the profile those steps use (dbt reparses
from scratch when the profile differs): floe's beside ``rc_floe_target/manifest.json`` (what
``floe parse`` keeps), dagster-dbt's in ``dbt/target`` (where dagster-dbt looks for it).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import synthetic_project

from floe_config import compile_artifacts, load_config, write_artifacts
from floe_dbt import DbtRunner

WAREHOUSE = "rc_warehouse.duckdb"
FLOE_TARGET = "rc_floe_target"
COMPONENT = "rc_component"
COMPONENT_MODULE = "rc_dg"

DG_PYPROJECT = f"""\
[project]
name = "rc-dg"
version = "0.1.0"

[tool.dg]
directory_type = "project"

[tool.dg.project]
root_module = "{COMPONENT_MODULE}"
"""
DG_DEFINITIONS = """\
from pathlib import Path

import dagster as dg


@dg.definitions
def defs():
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
"""
DG_PYTHON = """\
import dagster as dg

from {package}.rc_assets import PYTHON


@dg.definitions
def defs():
    return dg.Definitions(assets=PYTHON)
"""
DEFS_YAML = """\
type: floe_dagster.FloeComponent
attributes:
  config: floe.yaml
"""

ASSETS = '''\
"""The Python side of the run-cost locations."""

import os

import duckdb
from dagster import AssetKey, AssetSpec, asset


@asset(key="raw_00", group_name="raw")
def raw_00() -> None:
    """The table the dbt source raw.t_00 reads."""
    with duckdb.connect(os.environ["RC_WAREHOUSE"]) as connection:
        connection.execute("create schema if not exists raw")
        connection.execute("create or replace table raw.t_00 as select 1 as id")


raw = [AssetSpec(f"raw_{i:02d}", group_name="raw") for i in range(1, {sources})]


@asset(group_name="python")
def tiny() -> None:
    """One small Python asset."""


@asset(deps=[AssetKey("m_00000")], group_name="python")
def report_a() -> None: ...


@asset(deps=[report_a], group_name="python")
def report_b() -> None: ...


PYTHON = [raw_00, *raw, tiny, report_a, report_b]
'''

FLOE = """\
from pathlib import Path

from floe_dagster import FloeDefinitions

defs = FloeDefinitions.from_compiled_artifacts(Path(__file__).parent / "rc_compiled_artifacts.json")
"""

JOBS = """
import dagster as dg

JOBS = [
    dg.define_asset_job("five_steps", selection=dg.AssetSelection.from_string(
        "key:raw_00 or key:m_00000 or key:tiny or key:report_a or key:report_b")),
    dg.define_asset_job("everything", selection="*"),
]
"""

DAGSTER_DBT = '''\
"""The anchor: plain dagster-dbt, the same Python assets and jobs."""

import os
import sys
from pathlib import Path

import dagster as dg
import dagster_dbt
from dagster import AssetExecutionContext

from .rc_assets import PYTHON
from .rc_jobs import JOBS

HERE = Path(__file__).parent
translator = dagster_dbt.DagsterDbtTranslator(
    settings=dagster_dbt.DagsterDbtTranslatorSettings(enable_asset_checks=True)
)


@dagster_dbt.dbt_assets(manifest=HERE / "dbt" / "target" / "manifest.json",
                        dagster_dbt_translator=translator)
def models(context: AssetExecutionContext, dbt: dagster_dbt.DbtCliResource):
    yield from dbt.cli(["build"], context=context).stream()


defs = dg.Definitions(
    assets=[*PYTHON, models],
    jobs=JOBS,
    resources={"dbt": dagster_dbt.DbtCliResource(
        project_dir=str(HERE / "dbt"), profiles_dir=str(HERE / "rc_profiles"),
        dbt_executable=str(Path(sys.executable).parent / "dbt"))},
)
'''

FLOOR = '''\
"""The floor: the same graph as plain AssetSpecs in one multi_asset; no dbt runs."""

import json
from pathlib import Path

import dagster as dg

from .rc_assets import PYTHON
from .rc_jobs import JOBS

manifest = json.loads((Path(__file__).parent / "dbt" / "target" / "manifest.json").read_text())
nodes = manifest["nodes"]
sources = manifest["sources"]
keys = {uid: dg.AssetKey(s["meta"]["dagster"]["asset_key"]) for uid, s in sources.items()}
models = {uid: n for uid, n in nodes.items() if n["resource_type"] == "model"}
keys.update({uid: dg.AssetKey(n["name"]) for uid, n in models.items()})
specs = [
    dg.AssetSpec(keys[uid], deps=[keys[p] for p in n["depends_on"]["nodes"]],
                 group_name=n["config"]["meta"]["dagster"]["group"], description=n["description"],
                 skippable=True)
    for uid, n in models.items()
]
checks = [dg.AssetCheckSpec(n["name"], asset=keys[n["attached_node"]])
          for n in nodes.values() if n["resource_type"] == "test"]


@dg.multi_asset(specs=specs, check_specs=checks, can_subset=True)
def models(context: dg.AssetExecutionContext):
    for key in context.selected_asset_keys:
        yield dg.MaterializeResult(asset_key=key)
    for check in context.selected_asset_check_keys:
        yield dg.AssetCheckResult(asset_key=check.asset_key, check_name=check.name, passed=True)


defs = dg.Definitions(assets=[*PYTHON, models], jobs=JOBS)
'''

PROFILES = """\
synth:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('RC_WAREHOUSE') }}"
"""


def write_locations(floe_yaml: Path) -> Path:
    """The run-cost locations beside ``floe_yaml``'s synthetic project; the package folder."""
    package = floe_yaml.parent
    sources = synthetic_project.SOURCES
    (package / "rc_assets.py").write_text(ASSETS.replace("{sources}", str(sources)))
    (package / "rc_jobs.py").write_text(JOBS)
    (package / "rc_floe.py").write_text(FLOE)
    (package / "rc_dagster_dbt.py").write_text(DAGSTER_DBT)
    (package / "rc_floor.py").write_text(FLOOR)
    (package / "rc_profiles").mkdir(exist_ok=True)
    (package / "rc_profiles" / "profiles.yml").write_text(PROFILES)
    head = synthetic_project.floe_yaml_head("synth")
    head = [
        line.replace("[.assets]", "[.rc_assets]")
        .replace("path: .floe/warehouse.duckdb", "path: '${RC_WAREHOUSE}'")
        .replace("dbt/target/manifest.json", f"{FLOE_TARGET}/manifest.json")
        for line in head
    ]
    five = ["key:raw_00", "key:m_00000", "tiny", "report_a", "report_b"]
    lines = [
        *head,
        "  jobs:",
        f"    five_steps: {{type: batch, selection: {json.dumps(five)}}}",
        '    everything: {type: batch, selection: ["*"]}',
    ]
    source = package / "rc_floe.yaml"
    source.write_text("\n".join(lines) + "\n")
    write_component(package, lines)
    save_parses(package)
    artifact = package / "rc_compiled_artifacts.json"
    write_artifacts(compile_artifacts(source, output=artifact), artifact)
    return package


def save_parses(package: Path) -> None:
    """floe's and dagster-dbt's saved dbt parses, each with its own dbt steps' profile (once:
    cached by the project's parse and the warehouse path)."""
    warehouse = str(package / WAREHOUSE)
    parsed = package / "dbt" / "target" / "manifest.json"
    stamp = package / FLOE_TARGET / ".digest"
    digest = hashlib.sha256(parsed.read_bytes() + warehouse.encode()).hexdigest()
    if stamp.is_file() and stamp.read_text() == digest:
        return
    env = {"RC_WAREHOUSE": warehouse}
    config = load_config(package / "rc_floe.yaml", env=env)
    state = package / ".floe" / "rc_dbt"
    runner = DbtRunner(
        project_dir=package / "dbt", state_dir=state, config=config, env={**os.environ, **env}
    )
    manifest = runner.parse()
    target = package / FLOE_TARGET
    target.mkdir(exist_ok=True)
    for name in ("manifest.json", "partial_parse.msgpack"):
        shutil.copyfile(manifest.with_name(name), target / name)
    dbt = Path(sys.executable).parent / "dbt"
    done = subprocess.run(
        [str(dbt), "parse", "--profiles-dir", str(package / "rc_profiles")],
        cwd=package / "dbt", env={**os.environ, **env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"dbt parse for dagster-dbt failed:\n{done.stdout[-3000:]}")
    stamp.write_text(hashlib.sha256(parsed.read_bytes() + warehouse.encode()).hexdigest())


def write_component(package: Path, floe_yaml: list[str]) -> Path:
    """The ``dg`` project ``package/rc_component`` (see the module docstring); its root. Its
    floe.yaml is ``rc_floe.yaml``'s, with the project's paths seen from ``defs/synth`` and the
    Python assets left to ``defs/python.py``."""
    root = package / COMPONENT
    source = root / "src" / COMPONENT_MODULE
    synth = source / "defs" / "synth"
    synth.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(DG_PYPROJECT)
    for init in (source, source / "defs"):
        (init / "__init__.py").write_text("")
    (source / "definitions.py").write_text(DG_DEFINITIONS)
    (source / "defs" / "python.py").write_text(DG_PYTHON.format(package=package.name))
    (synth / "defs.yaml").write_text(DEFS_YAML)
    up = "../../../../../"  # defs/synth -> defs -> rc_dg -> src -> rc_component -> package
    lines = [
        line.replace("project_dir: dbt", f"project_dir: {up}dbt").replace(
            f"manifest_path: {FLOE_TARGET}/", f"manifest_path: {up}{FLOE_TARGET}/"
        )
        for line in floe_yaml
        if "asset_modules" not in line
    ]
    (synth / "floe.yaml").write_text("\n".join(lines) + "\n")
    return root


def refresh_component(package: Path, env: dict[str, str]) -> None:
    """``dg utils refresh-defs-state`` in the component project (it parses the dbt project with
    the profile its dbt steps use, ``RC_WAREHOUSE`` fixed), once per generated project."""
    root = package / COMPONENT
    stamp = root / ".refreshed"
    digest = hashlib.sha256(
        (package / "dbt" / "target" / "manifest.json").read_bytes()
        + (root / "src" / COMPONENT_MODULE / "defs" / "synth" / "floe.yaml").read_bytes()
    ).hexdigest()
    if stamp.is_file() and stamp.read_text() == digest:
        return
    done = subprocess.run(
        [sys.executable, "-m", "dagster_dg_cli.cli", "utils", "refresh-defs-state"],
        cwd=root, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(
            f"dg utils refresh-defs-state failed:\n{(done.stdout + done.stderr)[-4000:]}"
        )
    stamp.write_text(digest)
