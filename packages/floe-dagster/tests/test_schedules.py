"""What a schedule's tick runs over partitioned jobs (the newest complete window, every static
key, both in a multi partition), ``enabled`` as the default status, and selectors that do not
fit the job's partitions."""

from __future__ import annotations

from datetime import UTC, datetime

from dagster import (
    AssetKey,
    DailyPartitionsDefinition,
    DefaultScheduleStatus,
    HourlyPartitionsDefinition,
    MultiPartitionsDefinition,
    RunRequest,
    StaticPartitionsDefinition,
    build_schedule_context,
    define_asset_job,
)

from floe_config import Schedule
from floe_dagster._orchestration.jobs import JobAssets
from floe_dagster._orchestration.schedules import (
    build_schedule,
    partition_requests,
    selected_keys,
    selector_problem,
)

DAYS = DailyPartitionsDefinition(start_date="2024-01-01", timezone="America/New_York")
REGIONS = StaticPartitionsDefinition(["us", "eu"])
NOON = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)


def test_a_tick_runs_the_newest_complete_window_in_the_partitions_own_zone() -> None:
    assert selected_keys(DAYS, NOON) == ["2024-03-09"]  # 08:00 in New York: the 10th is open
    hourly = HourlyPartitionsDefinition(start_date="2024-01-01-00:00")
    assert selected_keys(hourly, NOON) == ["2024-03-10-11:00"]
    assert selected_keys(DAYS, datetime(2023, 12, 31, tzinfo=UTC)) == []


def test_static_keys_run_every_key_and_a_multi_partition_both() -> None:
    assert selected_keys(REGIONS, NOON) == ["us", "eu"]
    sales = MultiPartitionsDefinition({"day": DAYS, "region": REGIONS})
    assert selected_keys(sales, NOON) == ["2024-03-09|us", "2024-03-09|eu"]


def test_enabled_is_the_default_status_and_each_tick_requests_its_window() -> None:
    job = define_asset_job("daily", selection=[AssetKey("orders")])
    assets = JobAssets(frozenset({AssetKey("orders")}), DAYS)
    on = Schedule(job="daily", cron_schedule="0 12 * * *", enabled=True)
    off = Schedule(job="daily", cron_schedule="0 12 * * *", enabled=False)
    schedule = build_schedule("noon", on, job=job, assets=assets)
    assert schedule.default_status == DefaultScheduleStatus.RUNNING
    stopped = build_schedule("noon", off, job=job, assets=assets).default_status
    assert stopped == DefaultScheduleStatus.STOPPED
    context = build_schedule_context(scheduled_execution_time=NOON)
    [request] = list(partition_requests(DAYS)(context))
    assert isinstance(request, RunRequest)
    assert (request.partition_key, request.run_key) == ("2024-03-09", "2024-03-09")


def test_a_selector_that_does_not_fit_the_partitions() -> None:
    timed = JobAssets(frozenset(), DAYS)
    static = JobAssets(frozenset(), REGIONS)
    plain = JobAssets(frozenset(), None)
    every = Schedule(job="j", cron_schedule="@daily", partition_selector="all")
    latest = Schedule(job="j", cron_schedule="@daily", partition_selector="latest")
    default = Schedule(job="j", cron_schedule="@daily")
    assert selector_problem(every, timed) is not None  # every window on every tick
    assert selector_problem(latest, static) is not None  # no latest of static keys
    assert selector_problem(latest, plain) is not None  # nothing to select
    assert selector_problem(default, static) is None  # left out: the one that fits
    assert selector_problem(default, plain) is None
