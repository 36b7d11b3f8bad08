"""The pipeline: every wing's problems reported at once, a manifest changed after
``floe compile`` refused, and the automation sensor shipped RUNNING over the automated assets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetKey, DefaultSensorStatus
from manifests import manifest, model, source
from projects import write_manifest_project, write_project

from floe_config import IssueCode, load_config
from floe_dagster import FloeDagsterError, build_definitions

ASSETS = """\
from dagster import asset


@asset
def events() -> None: ...


@asset(deps=[events])
def counts() -> None: ...
"""


def test_every_wings_problems_at_once(tmp_path: Path) -> None:
    floe_yaml = """\
name: tiny
orchestration:
  asset_modules: [.assets, .missing]
  jobs:
    everything: {type: batch, selection: [events]}
    tidy: {type: ops, target_function: .assets.nothing}
  sensors:
    watch: {type: asset_sensor, job: everything, watched_assets: [events]}
"""
    path = write_project(tmp_path, "pipeline_a", floe_yaml=floe_yaml, assets=ASSETS)
    with pytest.raises(FloeDagsterError) as raised:
        build_definitions(load_config(path, env={}), env={"FLOE_STATE_DIR": str(tmp_path / "s")})
    assert [(i.code, i.line) for i in raised.value.issues] == [
        (IssueCode.MISSING_MODULE, 3),
        (IssueCode.UNKNOWN_FUNCTION, 6),
    ]


def test_a_manifest_changed_after_compile_is_refused(tmp_path: Path) -> None:
    floe_yaml = "name: tiny\norchestration:\n  asset_modules: [.assets]\n"
    path = write_project(tmp_path, "pipeline_b", floe_yaml=floe_yaml, assets=ASSETS)
    manifest = tmp_path / "manifest.json"
    manifest.write_text("{}")
    with pytest.raises(FloeDagsterError) as raised:
        build_definitions(
            load_config(path, env={}),
            manifest_path=manifest,
            manifest_sha256="0" * 64,
            env={"FLOE_STATE_DIR": str(tmp_path / "s")},
        )
    assert raised.value.codes == [IssueCode.MANIFEST_CHANGED]


def test_automated_assets_get_a_running_sensor(tmp_path: Path) -> None:
    floe_yaml = (
        "name: tiny\norchestration:\n  asset_modules: [.assets]\n"
        '  assets:\n    "counts": {automation_condition: eager}\n'
    )
    path = write_project(tmp_path, "pipeline_c", floe_yaml=floe_yaml, assets=ASSETS)
    defs = build_definitions(load_config(path, env={}), env={"FLOE_STATE_DIR": str(tmp_path / "s")})
    sensor = defs.resolve_sensor_def("floe_automation_sensor")
    assert sensor.default_status == DefaultSensorStatus.RUNNING
    graph = defs.resolve_asset_graph()
    assert graph.get(AssetKey("counts")).automation_condition is not None
    assert graph.get(AssetKey("events")).automation_condition is None


# What a step opens, never what building definitions needs (issue 21: start-up is every run's).
BUILD_AND_LIST = """\
import json, sys
from floe_config import load_config
from floe_dagster import build_definitions
from floe_dagster._lazy import loaded_step_only
defs = build_definitions(load_config(sys.argv[1], env={}), manifest_path=sys.argv[2])
defs.get_repository_def().get_all_jobs()
print(json.dumps(loaded_step_only(sys.modules)))
"""


def test_building_definitions_loads_no_lake_and_no_exporter(tmp_path: Path) -> None:
    """A code location with dbt models, an Iceberg catalog, traces and lineage: building it
    (as a code server, a run worker and a step do) imports none of what only a step uses."""
    write_manifest_project(
        tmp_path,
        manifest([model("stg_orders", ["source.shop.raw.orders"])], [source("raw", "orders")]),
    )
    (tmp_path / "floe.yaml").write_text(
        "name: shop\ntransforms:\n  dbt: {project_dir: dbt}\nstorage:\n"
        "  catalog: {type: sql, uri: 'sqlite:///cat.db', warehouse: wh}\n"
        "  compute: {path: warehouse.duckdb}\n"
        "observability:\n  traces: {enabled: true}\n  lineage: {enabled: true}\n"
        "orchestration:\n  dbt: {manifest_path: manifest.json}\n"
        "  jobs:\n    everything: {type: batch, selection: ['*']}\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    env["FLOE_STATE_DIR"] = str(tmp_path / "state")
    done = subprocess.run(
        [sys.executable, "-c", BUILD_AND_LIST, str(tmp_path / "floe.yaml"),
         str(tmp_path / "manifest.json")],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
