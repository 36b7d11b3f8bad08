"""The pipeline: every wing's problems reported at once, a manifest changed after
``floe compile`` refused, and the automation sensor shipped RUNNING over the automated assets."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetKey, DefaultSensorStatus
from projects import write_project

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
