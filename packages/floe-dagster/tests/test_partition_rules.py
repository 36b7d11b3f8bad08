"""The rules around partitions, automation and backfills: what floe.yaml cannot mean is an
error at its line; identical definitions are one object; timezones and daylight saving."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter
from dagster import (
    AssetKey,
    AutomationCondition,
    BackfillPolicy,
    DagsterInstance,
    TimeWindowPartitionsDefinition,
    build_schedule_context,
    build_sensor_context,
)
from projects import write_project

from floe_config import load_config
from floe_dagster import FloeDagsterError, FloeDefinitions
from floe_dagster.cli._backfill import _plan as backfill_plan

NEW_YORK = ZoneInfo("America/New_York")

ASSETS = """\
from dagster import AssetOut, DailyPartitionsDefinition, asset, multi_asset


@asset
def alpha() -> None: ...


@asset
def beta() -> None: ...


@asset(partitions_def=DailyPartitionsDefinition(start_date="2023-06-01"))
def coded() -> None: ...


@multi_asset(outs={"left": AssetOut(), "right": AssetOut()})
def pair():
    return None, None


def takes_a_region(region):
    return [region]
"""

HEAD = """\
name: rules
orchestration:
  asset_modules: [.assets]
  partitions:
    daily: {type: time_window, start: "2024-01-01", cron_schedule: "0 0 * * *"}
    also_daily: {type: time_window, start: "2024-01-01", cron_schedule: "0 0 * * *"}
    regions: {type: static, partition_keys: [us, eu]}
"""


def _load(tmp_path: Path, body: str, name: str) -> Any:
    path = write_project(tmp_path, name, floe_yaml=HEAD + body, assets=ASSETS)
    env = {"FLOE_STATE_DIR": str(tmp_path / "state")}
    return FloeDefinitions.from_config(load_config(path, env=env), env=env)


def _line(body: str, needle: str) -> int:
    """The floe.yaml line (1-based) that holds ``needle``."""
    lines = (HEAD + body).splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def _problems(tmp_path: Path, body: str, name: str) -> list[tuple[int | None, str, str, str]]:
    with pytest.raises(FloeDagsterError) as caught:
        _load(tmp_path, body, name)
    return [(i.line, i.code, i.path, i.message) for i in caught.value.issues]


def test_identical_definitions_are_one_shared_object(tmp_path: Path) -> None:
    defs = _load(
        tmp_path,
        "  assets:\n    alpha: {partitions: daily}\n    beta: {partitions: also_daily}\n"
        "    left: {partitions: regions}\n    right: {partitions: regions}\n",
        "shared_rules",
    )
    graph = defs.resolve_asset_graph()
    alpha, beta = graph.get(AssetKey("alpha")), graph.get(AssetKey("beta"))
    assert alpha.partitions_def is beta.partitions_def
    assert graph.get(AssetKey("left")).partitions_def is graph.get(AssetKey("right")).partitions_def


def test_a_multi_asset_cannot_be_split_by_patterns(tmp_path: Path) -> None:
    body = "  assets:\n    left: {partitions: regions}\n"
    assert _problems(tmp_path, body, "split_rules") == [
        (
            _line(body, "left:"),
            "mixed_partitions",
            "orchestration.assets.left.partitions",
            "the multi-asset 'pair' in 'split_rules.assets' would get different partitions for "
            "its assets: left (regions), right (none); Dagster gives a multi-asset one partitions",
        )
    ]


def test_a_pattern_cannot_change_partitions_the_code_declares(tmp_path: Path) -> None:
    body = '  assets:\n    "cod*": {partitions: regions}\n'
    assert _problems(tmp_path, body, "code_rules") == [
        (
            _line(body, "cod*"),
            "partitions_conflict",
            "orchestration.assets.cod*.partitions",
            "'coded' ('coded' in 'code_rules.assets') declares partitions in code (time windows "
            "'0 0 * * *' UTC); pattern 'cod*' gives it 'regions' (static keys)",
        )
    ]


def test_a_job_over_two_partitions_definitions(tmp_path: Path) -> None:
    body = (
        "  assets:\n    alpha: {partitions: daily}\n    beta: {partitions: regions}\n"
        "  jobs:\n    both: {type: batch, selection: [alpha, beta]}\n"
    )
    assert _problems(tmp_path, body, "job_rules") == [
        (
            _line(body, "both:"),
            "job_mixed_partitions",
            "orchestration.jobs.both.selection",
            "job 'both' selects assets with different partitions (time windows '0 0 * * *' "
            "UTC: alpha; static keys: beta); a run covers one partition of one definition",
        )
    ]


def test_selectors_that_do_not_fit_the_partitions(tmp_path: Path) -> None:
    body = (
        "  assets:\n    alpha: {partitions: daily}\n    beta: {partitions: regions}\n"
        "  jobs:\n"
        "    days: {type: batch, selection: [alpha]}\n"
        "    places: {type: batch, selection: [beta]}\n"
        "  schedules:\n"
        "    every_day: {job: days, cron_schedule: '0 1 * * *', partition_selector: all}\n"
        "    newest_place: {job: places, cron_schedule: '0 1 * * *', partition_selector: latest}\n"
    )
    assert [p[:3] for p in _problems(tmp_path, body, "selector_rules")] == [
        (
            _line(body, "every_day:"),
            "selector_mismatch",
            "orchestration.schedules.every_day.partition_selector",
        ),
        (
            _line(body, "newest_place:"),
            "selector_mismatch",
            "orchestration.schedules.newest_place.partition_selector",
        ),
    ]


def test_a_schedule_that_automation_empties(tmp_path: Path) -> None:
    body = (
        "  assets:\n    alpha: {automation_condition: eager}\n"
        "  jobs:\n    only_alpha: {type: batch, selection: [alpha]}\n"
        "  schedules:\n    nightly: {job: only_alpha, cron_schedule: '0 1 * * *'}\n"
    )
    [(line, code, path, message)] = _problems(tmp_path, body, "automation_rules")
    assert (line, code, path) == (
        _line(body, "nightly:"),
        "schedule_all_automated",
        "orchestration.schedules.nightly.job",
    )
    assert message.startswith("every asset of job 'only_alpha' has an automation condition (alpha)")


def test_sensors_and_backfills_run_the_assets_automation_owns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """FR-040 gives automation precedence over schedules only: a schedule leaves out the
    assets automation owns (and loading warns), while a sensor (an event someone declared) and
    a named backfill (a deliberate request) run their whole job, the automated assets too, and
    validation says nothing of them (README, "Automation conditions")."""
    drops = tmp_path / "drops"
    drops.mkdir()
    body = (
        "  assets:\n"
        "    alpha: {partitions: daily, automation_condition: eager}\n"
        "    beta: {partitions: daily}\n"
        "  jobs:\n    both: {type: batch, selection: [alpha, beta]}\n"
        "  schedules:\n    nightly: {job: both, cron_schedule: '0 1 * * *'}\n"
        "  sensors:\n"
        f"    dropped: {{type: file_watcher, job: both, path: '{drops}'}}\n"
        "  backfills:\n"
        "    january: {job: both, partition_range: {start: '2024-01-01', end: '2024-01-31'}}\n"
    )
    with caplog.at_level("WARNING", logger="floe"):
        defs = _load(tmp_path, body, "automation_precedence")
    warnings = [r.getMessage() for r in caplog.records]
    assert any("schedule 'nightly' leaves out 1 asset(s) of job 'both'" in w for w in warnings)
    assert not [w for w in warnings if "dropped" in w or "january" in w]

    with DagsterInstance.ephemeral() as instance:
        schedule = defs.resolve_schedule_def("nightly")
        context = build_schedule_context(
            instance=instance,
            scheduled_execution_time=datetime(2024, 3, 2, 1, tzinfo=ZoneInfo("UTC")),
            repository_def=defs.get_repository_def(),
        )
        [scheduled] = schedule.evaluate_tick(context).run_requests or []
        assert scheduled.asset_selection is None  # the schedule's own job is the subset
        kept = defs.get_repository_def().get_job(schedule.job_name).asset_layer
        assert kept.selected_asset_keys == {AssetKey("beta")}

        dropped = drops / "orders.csv"
        dropped.write_text("id\n1\n")
        moment = datetime(2024, 3, 2, tzinfo=ZoneInfo("UTC")).timestamp()
        os.utime(dropped, (moment, moment))
        sensor = defs.resolve_sensor_def("dropped")
        result = sensor.evaluate_tick(
            build_sensor_context(instance=instance, repository_def=defs.get_repository_def())
        )
        [requested] = result.run_requests or []
        job = defs.resolve_job_def("both")
        assert requested.job_name in (None, "both")
        assert requested.asset_selection in (None, [])  # the whole job ...
        assert job.asset_layer.selected_asset_keys == {AssetKey("alpha"), AssetKey("beta")}

    config = load_config(tmp_path / "automation_precedence" / "floe.yaml", env={})
    plan = backfill_plan(config, "january", defs.resolve_asset_graph(), None)
    assert plan.assets == {AssetKey("alpha"), AssetKey("beta")}  # ... and the backfill's


def test_backfills_that_cannot_run(tmp_path: Path) -> None:
    body = (
        "  assets:\n"
        "    alpha: {partitions: daily, backfill_policy: {type: single_run}}\n"
        "    beta: {partitions: regions}\n"
        "  jobs:\n"
        "    days: {type: batch, selection: [alpha]}\n"
        "    places: {type: batch, selection: [beta]}\n"
        "    plain: {type: batch, selection: [left]}\n"
        "  backfills:\n"
        "    ten_a_run:\n"
        "      job: days\n"
        '      partition_range: {start: "2024-01-01", end: "2024-01-31"}\n'
        "      batch_size: 10\n"
        "    two_places: {job: places, partitions: [us, eu], batch_size: 2}\n"
        "    one_place: {job: places, partitions: [eu], batch_size: 1}\n"
        "    nothing: {job: plain, partitions: [x]}\n"
    )
    found = _problems(tmp_path, body, "backfill_rules")
    assert [p[:3] for p in found] == [
        (
            _line(body, "batch_size: 10"),
            "backfill_batch_conflict",
            "orchestration.backfills.ten_a_run.batch_size",
        ),
        (
            _line(body, "one_place:"),
            "backfill_batch_conflict",
            "orchestration.backfills.one_place.batch_size",
        ),
        (
            _line(body, "nothing:"),
            "backfill_without_partitions",
            "orchestration.backfills.nothing.job",
        ),
    ]
    assert found[0][3] == (
        "backfill 'ten_a_run' runs 10 partition(s) a run, but an assets pattern gives 'alpha' "
        "the backfill policy single_run; Dagster's daemon batches by the assets' policy"
    )
    assert found[1][3] == (
        "backfills 'two_places' (2 a run) and 'one_place' (1 a run) both cover 'beta'; its "
        "backfill policy can be only one"
    )


def test_a_key_function_must_take_no_arguments(tmp_path: Path) -> None:
    body = "    people: {type: dynamic, fn: .assets.takes_a_region}\n"
    path = write_project(tmp_path, "fn_rules", floe_yaml=HEAD + body, assets=ASSETS)
    env = {"FLOE_STATE_DIR": str(tmp_path / "state")}
    with pytest.raises(FloeDagsterError) as caught:
        FloeDefinitions.from_config(load_config(path, env=env), env=env)
    [issue] = caught.value.issues
    assert (issue.line, issue.code, issue.path) == (
        _line(body, "people:"),
        "partition_function_failed",
        "orchestration.partitions.people.fn",
    )


def test_inclusive_end_and_a_policy_and_conditions_reach_dagster(tmp_path: Path) -> None:
    body = (
        "    january: {type: time_window, start: '2024-01-01', end: '2024-01-31', "
        "cron_schedule: '0 0 * * *'}\n"
        "  assets:\n"
        "    alpha: {partitions: january, automation_condition: on_cron, "
        "backfill_policy: {type: multi_run, max_partitions_per_run: 7}}\n"
        "    beta: {automation_condition: on_missing}\n"
    )
    defs = _load(tmp_path, body, "reach_rules")
    graph = defs.resolve_asset_graph()
    alpha = graph.get(AssetKey("alpha"))
    keys = alpha.partitions_def.get_partition_keys()
    assert (keys[0], keys[-1], len(keys)) == ("2024-01-01", "2024-01-31", 31)  # end inclusive
    assert alpha.backfill_policy == BackfillPolicy.multi_run(7)
    assert alpha.automation_condition == AutomationCondition.on_cron("0 0 * * *", "UTC")
    assert "on_missing (floe" in (graph.get(AssetKey("beta")).automation_condition.label or "")
    sensor = defs.resolve_sensor_def("floe_automation_sensor")
    assert sensor.default_status.value == "RUNNING"


def _windows(cron: str, timezone: str, day: str) -> list[tuple[str, float]]:
    definition = TimeWindowPartitionsDefinition(
        start="2024-01-01-00:00", cron_schedule=cron, timezone=timezone, fmt="%Y-%m-%d-%H:%M"
    )
    start = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(timezone))
    keys = [k for k in definition.get_partition_keys() if k.startswith(day)]
    found = []
    for key in keys:
        window = definition.time_window_for_partition_key(key)
        if window.start >= start:
            found.append((key, (window.end.timestamp() - window.start.timestamp()) / 3600))
    return found


@pytest.mark.parametrize(("day", "hours"), [("2024-03-10", 23), ("2024-11-03", 25)])
def test_daylight_saving_days_in_new_york(day: str, hours: int) -> None:
    """Spring forward and fall back: the day is one window of 23 or 25 hours, with 23 or 25
    hourly windows, none doubled, none dropped."""
    daily = _windows("0 0 * * *", "America/New_York", day)
    assert daily == [(f"{day}-00:00", hours)]
    hourly = _windows("0 * * * *", "America/New_York", day)
    assert len(hourly) == hours
    assert len({k for k, _ in hourly}) == hours
    assert all(length == 1 for _, length in hourly)


def test_a_new_york_schedule_runs_each_new_york_day_once_across_both_changes(
    tmp_path: Path,
) -> None:
    """A schedule at 01:30 New York time over daily New York partitions, ticking through both
    changes (croniter's ticks; on the fall-back night 01:30 happens twice): every tick asks for
    the previous day under that day's own key as run key, so the repeated tick is a no-op for
    Dagster, and the days run are exactly the days in between, none dropped."""
    body = (
        "    ny_days: {type: time_window, start: '2024-01-01', cron_schedule: '0 0 * * *', "
        "timezone: America/New_York}\n"
        "  assets:\n    alpha: {partitions: ny_days}\n"
        "  jobs:\n    days: {type: batch, selection: [alpha]}\n"
        "  schedules:\n    nightly: {job: days, cron_schedule: '30 1 * * *', "
        "timezone: America/New_York}\n"
    )
    defs = _load(tmp_path, body, "dst_rules")
    schedule = defs.resolve_schedule_def("nightly")
    with DagsterInstance.ephemeral() as instance:
        for first, last in (("2024-03-08", "2024-03-13"), ("2024-10-31", "2024-11-05")):
            ticks = croniter(
                schedule.cron_schedule, datetime.fromisoformat(first).replace(tzinfo=NEW_YORK)
            )
            end = datetime.fromisoformat(last).replace(tzinfo=NEW_YORK)
            run_keys = []
            while (tick := ticks.get_next(datetime)) < end:
                context = build_schedule_context(
                    instance=instance,
                    scheduled_execution_time=tick,
                    repository_def=defs.get_repository_def(),
                )
                [request] = schedule.evaluate_tick(context).run_requests or []
                assert request.partition_key == (tick - timedelta(days=1)).strftime("%Y-%m-%d")
                assert request.run_key == request.partition_key
                run_keys.append(request.run_key)
            start = datetime.fromisoformat(first) - timedelta(days=1)  # ticks run yesterday
            expected = [(start + timedelta(days=d)).strftime("%Y-%m-%d") for d in range(5)]
            assert sorted(set(run_keys)) == expected
