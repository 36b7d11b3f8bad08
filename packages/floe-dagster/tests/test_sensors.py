"""Sensors from floe.yaml, tick by tick on a real instance: file batches and cursors, asset
sensors' all/any, custom functions' results and failures, and load errors at their line.
(The daemon runs them in demo/tests/test_sensors.py.)"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    build_sensor_context,
    materialize,
)
from projects import write_project

from floe_config import load_config
from floe_dagster import FloeDagsterError, FloeDefinitions, cli_main
from floe_dagster._orchestration import file_watcher as watcher

ASSETS = """\
from dagster import RunRequest, SkipReason, asset


@asset
def left() -> None: ...


@asset
def right() -> None: ...


@asset(deps=[left, right])
def both() -> None: ...


def handle(file_path: str = "", file_mtime: str = "") -> str:
    return file_path


def decide(context, answer: str = "run"):
    if answer == "run":
        return RunRequest(run_key="once")
    if answer == "bool":
        return True
    if answer == "none":
        return None
    if answer == "many":
        return [RunRequest(run_key="a"), RunRequest(run_key="b")]
    if answer == "text":
        return "yes please"
    raise ConnectionError("the upstream API is down")
"""

FLOE_YAML = """\
name: sensing
orchestration:
  asset_modules: [.assets]
  jobs:
    all_assets: {type: batch, selection: [both]}
    on_file: {type: ops, target_function: .assets.handle}
  sensors:
    drops:
      type: file_watcher
      job: on_file
      path: ${DROP_DIR}
      pattern: "*.csv"
      recursive: true
      poll_interval_seconds: 7
    both_changed: {type: asset_sensor, job: all_assets, watched_assets: [left, right]}
    either_changed:
      type: asset_sensor
      job: all_assets
      watched_assets: [left, right]
      trigger: any
      enabled: false
    asks: {type: custom, job: all_assets, target_function: .assets.decide, args: {answer: run}}
"""


@pytest.fixture
def sensing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    drops = tmp_path / "drops"
    env = {"FLOE_STATE_DIR": str(tmp_path / "state"), "DROP_DIR": str(drops)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path = write_project(tmp_path / "code", "sensing_project", floe_yaml=FLOE_YAML, assets=ASSETS)
    config = load_config(path, env=env)
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # nothing of Dagster's lands in ~/.dagster
    return {
        "defs": FloeDefinitions.from_config(config, env=env),
        "instance": DagsterInstance.from_config(str(home)),
        "drops": drops,
        "path": path,
        "env": env,
    }


def _tick(defs: Any, name: str, instance: DagsterInstance, cursor: str | None = None) -> Any:
    sensor = defs.resolve_sensor_def(name)
    context = build_sensor_context(
        instance=instance, cursor=cursor, repository_def=defs.get_repository_def()
    )
    return sensor.evaluate_tick(context)


def test_settings_reach_dagster(sensing: dict[str, Any]) -> None:
    defs = sensing["defs"]
    drops = defs.resolve_sensor_def("drops")
    assert drops.minimum_interval_seconds == 7
    assert drops.default_status.value == "RUNNING"
    assert defs.resolve_sensor_def("either_changed").default_status.value == "STOPPED"
    assert drops.job_name == "on_file"


def test_a_thousand_files_run_in_bounded_batches_each_once(sensing: dict[str, Any]) -> None:
    defs, instance, drops = sensing["defs"], sensing["instance"], sensing["drops"]
    (drops / "nested").mkdir(parents=True)
    old = time.time() - 60
    for index in range(1000):
        folder = drops / "nested" if index % 2 else drops
        path = folder / f"orders_{index:04d}.csv"
        path.write_text(f"{index}\n")
        os.utime(path, (old + index / 100, old + index / 100))
    (drops / "ignored.txt").write_text("not a csv")
    cursor, keys, ticks = None, [], 0
    while ticks < 20:
        result = _tick(defs, "drops", instance, cursor)
        ticks += 1
        if not result.run_requests:
            assert "no new or changed '*.csv' file" in result.skip_message
            break
        assert len(result.run_requests) <= watcher.FILES_PER_TICK
        keys += [r.run_key for r in result.run_requests]
        cursor = result.cursor
    assert ticks == 11  # ten ticks of 100, then nothing new
    assert len(keys) == len(set(keys)) == 1000
    request = _tick(defs, "drops", instance).run_requests[0]  # what one run gets
    op, config = next(iter(request.run_config["ops"].items()))
    assert op == "on_file_op"
    assert config["config"]["file_path"] == request.tags["floe/file_path"]
    assert request.tags["floe/sensor"] == "drops"

    # a changed file runs again; an unchanged one, and a deleted one, never
    changed = drops / "orders_0000.csv"
    changed.write_text("changed\n")
    os.utime(changed, (old + 30, old + 30))
    (drops / "orders_0002.csv").unlink()
    result = _tick(defs, "drops", instance, cursor)
    assert [r.tags["floe/file_path"] for r in result.run_requests] == [str(changed)]
    assert len(json.loads(result.cursor)) == 999


def test_a_file_still_being_written_waits(sensing: dict[str, Any]) -> None:
    drops = sensing["drops"]
    drops.mkdir()
    (drops / "fresh.csv").write_text("still writing")
    result = _tick(sensing["defs"], "drops", sensing["instance"])
    assert not result.run_requests


def test_a_missing_or_hung_folder_skips_with_a_reason(
    sensing: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    defs, instance = sensing["defs"], sensing["instance"]
    result = _tick(defs, "drops", instance)
    assert result.skip_message == f"the watched folder {sensing['drops']} does not exist (yet)"

    sensing["drops"].mkdir()

    def hang(root: Path, pattern: str, recursive: bool) -> list[tuple[str, int]]:
        time.sleep(2)  # a listing that does not return in time, as on a dead mount
        return []

    monkeypatch.setattr(watcher, "_walk", hang)
    monkeypatch.setattr(watcher, "LISTING_TIMEOUT_SECONDS", 0.2)
    assert (
        "took longer than 0 s (an unreachable mount?)"
        in _tick(defs, "drops", instance).skip_message
    )
    assert "has not returned" in _tick(defs, "drops", instance).skip_message
    time.sleep(2.2)
    monkeypatch.undo()
    assert "no new or changed" in _tick(defs, "drops", instance).skip_message  # recovered


def test_asset_sensors_wait_for_all_or_fire_on_any(sensing: dict[str, Any]) -> None:
    defs, instance = sensing["defs"], sensing["instance"]
    result = _tick(defs, "both_changed", instance)
    assert result.skip_message == "waiting for a new materialization of left, right"
    assets = [defs.resolve_assets_def(AssetKey(k)) for k in ("left", "right")]
    assert materialize([assets[0]], instance=instance).success
    waiting = _tick(defs, "both_changed", instance)
    assert waiting.skip_message == "waiting for a new materialization of right"
    fired = _tick(defs, "either_changed", instance)
    assert [r.tags["floe/changed_assets"] for r in fired.run_requests] == ["left"]

    assert materialize([assets[1]], instance=instance).success
    both = _tick(defs, "both_changed", instance)
    [request] = both.run_requests
    assert request.tags["floe/changed_assets"] == "left,right"
    again = _tick(defs, "both_changed", instance, both.cursor)
    assert again.skip_message == "waiting for a new materialization of left, right"


def test_an_asset_sensor_leaves_alone_what_the_changing_run_refreshed(
    sensing: dict[str, Any],
) -> None:
    """A run that changes the watched assets and then the job's own (a pipeline ending in
    them) leaves the job nothing to do; a run that changes only the watched ones does not."""
    defs, instance = sensing["defs"], sensing["instance"]
    left, right, both = (defs.resolve_assets_def(AssetKey(k)) for k in ("left", "right", "both"))
    assert materialize([left, right, both], instance=instance).success  # the pipeline
    skipped = _tick(defs, "both_changed", instance)
    assert skipped.run_requests == []
    assert skipped.skip_message == (
        "the run that changed left, right refreshed all_assets's assets"
    )
    assert _tick(defs, "both_changed", instance, skipped.cursor).skip_message == (
        "waiting for a new materialization of left, right"
    )  # the cursor moved past them
    assert materialize([left, right], instance=instance).success  # only what it watches
    queued = instance.add_run(
        DagsterRun(
            job_name="all_assets", run_id=str(uuid.uuid4()), status=DagsterRunStatus.NOT_STARTED
        )
    )  # one refresh at a time: while the job's run waits, the sensor does too
    assert _tick(defs, "both_changed", instance, skipped.cursor).skip_message == (
        f"a run of all_assets is not finished yet ({queued.run_id})"
    )
    instance.report_run_canceled(queued)
    [request] = _tick(defs, "both_changed", instance, skipped.cursor).run_requests
    assert request.tags["floe/changed_assets"] == "left,right"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("run", ["once"]),
        ("bool", [None]),
        ("many", ["a", "b"]),
        ("none", "asked for no run"),
    ],
)
def test_custom_functions_decide(
    sensing: dict[str, Any], answer: str, expected: list[str | None] | str
) -> None:
    text = sensing["path"].read_text().replace("{answer: run}", f"{{answer: {answer}}}")
    sensing["path"].write_text(text)
    config = load_config(sensing["path"], env=sensing["env"])
    defs = FloeDefinitions.from_config(config, env=sensing["env"])
    result = _tick(defs, "asks", sensing["instance"])
    if isinstance(expected, str):
        assert expected in result.skip_message
    else:
        assert [r.run_key for r in result.run_requests] == expected
        assert all(r.tags["floe/sensor"] == "asks" for r in result.run_requests)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("fail", "sensor 'asks': .assets.decide raised ConnectionError: the upstream API is down"),
        (
            "text",
            "sensor 'asks': .assets.decide returned str; expected RunRequest(s), a SkipReason",
        ),
    ],
)
def test_a_custom_function_that_fails_fails_its_tick(
    sensing: dict[str, Any], answer: str, message: str
) -> None:
    text = sensing["path"].read_text().replace("{answer: run}", f"{{answer: {answer}}}")
    sensing["path"].write_text(text)
    defs = FloeDefinitions.from_config(load_config(sensing["path"], env=sensing["env"]))
    with pytest.raises(Exception, match="sensor 'asks'") as caught:
        _tick(defs, "asks", sensing["instance"])
    assert message in str(caught.value)


def test_what_a_sensor_refers_to_must_exist(sensing: dict[str, Any]) -> None:
    text = (
        sensing["path"]
        .read_text()
        .replace("watched_assets: [left, right]}", "watched_assets: [left, rihgt]}")
        .replace("target_function: .assets.decide,", "target_function: .assets.decied,")
    )
    sensing["path"].write_text(text)
    with pytest.raises(FloeDagsterError) as caught:
        FloeDefinitions.from_config(load_config(sensing["path"], env=sensing["env"]))
    found = [(i.code, i.path, i.hint) for i in caught.value.issues]
    lines = text.splitlines()
    assert found == [
        (
            "unknown_asset",
            "orchestration.sensors.both_changed.watched_assets[1]",
            "did you mean 'right'?",
        ),
        (
            "unknown_function",
            "orchestration.sensors.asks.target_function",
            "did you mean 'decide'?",
        ),
    ]
    assert [i.line for i in caught.value.issues] == [
        next(n for n, line in enumerate(lines, 1) if "rihgt" in line),
        next(n for n, line in enumerate(lines, 1) if "decied" in line),
    ]


def test_a_watched_folder_that_is_missing_is_a_warning_and_a_file_is_an_error(
    sensing: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """FR-035: ``floe validate`` and every load say which file watcher watches a folder that is
    not there (a warning, with floe.yaml's line: a landing folder another system creates later
    is allowed, and each tick skips until it exists); a path that is a file is an error."""
    path, env = sensing["path"], sensing["env"]
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "DROP_DIR" in text)
    with caplog.at_level("WARNING", logger="floe"):
        FloeDefinitions.from_config(load_config(path, env=env), env=env)
    [warning] = [
        r.getMessage() for r in caplog.records if "watched_folder_missing" in r.getMessage()
    ]
    assert f"floe.yaml:{line}:" in warning
    assert "orchestration.sensors.drops.path" in warning
    assert f"watches {sensing['drops']}, which does not exist on this machine" in warning
    assert "fix: create the folder" in warning

    caplog.clear()
    assert cli_main(["validate", str(path)]) == 0  # floe validate reports it and passes
    assert any("watched_folder_missing" in r.getMessage() for r in caplog.records)

    caplog.clear()
    sensing["drops"].mkdir()
    with caplog.at_level("WARNING", logger="floe"):
        FloeDefinitions.from_config(load_config(path, env=env), env=env)
    assert not [r for r in caplog.records if "watched_folder" in r.getMessage()]

    sensing["drops"].rmdir()
    sensing["drops"].write_text("a file, not a folder")
    with pytest.raises(FloeDagsterError) as caught:
        FloeDefinitions.from_config(load_config(path, env=env), env=env)
    [issue] = caught.value.issues
    assert (issue.code, issue.path, issue.line) == (
        "watched_path_not_a_folder",
        "orchestration.sensors.drops.path",
        line,
    )
    assert "`pattern`" in str(issue.hint)
