"""Backfill policies are decided in one place: a named backfill's ``batch_size`` over the
partitioned assets its job materializes, else an ``assets:`` pattern's policy, else the asset's
own (``single_run`` for a time-partitioned dbt multi-asset); conflicts are errors at their line."""

from __future__ import annotations

from pathlib import Path

from dagster import (
    AssetKey,
    BackfillPolicy,
    DailyPartitionsDefinition,
    StaticPartitionsDefinition,
    asset,
)
from projects import config_of

from floe_config import IssueCode
from floe_dagster._errors import Problems
from floe_dagster._orchestration.asset_settings import AssetSettings
from floe_dagster._orchestration.jobs import JobAssets
from floe_dagster._orchestration.policies import mixed_policies, policy_text, run_size
from floe_dagster._warnings import dagster_internal_warnings_silenced

DAILY = DailyPartitionsDefinition(start_date="2024-01-01")

HEAD = """\
name: shop
orchestration:
  partitions:
    daily: {type: time_window, start: "2024-01-01", cron_schedule: "0 0 * * *"}
  jobs:
    daily_job: {type: batch, selection: [orders]}
"""


@asset(partitions_def=DAILY)
def orders() -> None: ...


with dagster_internal_warnings_silenced():  # backfill_policy= on @asset is beta

    @asset(partitions_def=DAILY, backfill_policy=BackfillPolicy.multi_run(3))
    def customers() -> None: ...


@asset
def totals() -> None: ...


def _settings(tmp_path: Path, tail: str = "") -> AssetSettings:
    return AssetSettings.of(config_of(tmp_path, HEAD + tail))


def test_the_order_of_the_decision(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        '  assets:\n    "customers": {partitions: daily, backfill_policy: {type: single_run}}\n',
    )
    policies = settings.policies
    own = BackfillPolicy.multi_run(3)
    assert policies.policy_of(AssetKey("customers"), DAILY, own=own) == BackfillPolicy.single_run()
    assert policies.policy_of(AssetKey("orders"), DAILY, own=own) == own
    assert policies.policy_of(AssetKey("orders"), DAILY, dbt=True) == BackfillPolicy.single_run()
    static = StaticPartitionsDefinition(["a", "b"])
    assert policies.policy_of(AssetKey("orders"), static, dbt=True) is None
    assert policies.policy_of(AssetKey("totals"), None, own=own) == own  # unpartitioned: its own


def test_a_backfill_batch_size_becomes_the_policy_of_its_jobs_assets(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        "  backfills:\n    first_days:\n      job: daily_job\n"
        '      partition_range: {start: "2024-01-01", end: "2024-01-20"}\n      batch_size: 5\n',
    )
    jobs = {"daily_job": JobAssets(frozenset({AssetKey("orders")}), DAILY)}
    problems = Problems()
    settled = settings.policies.settle(
        [orders, customers, totals], job_assets=jobs, dbt_ops=frozenset(), problems=problems
    )
    assert problems == []
    by_key = {next(iter(a.keys)): a for a in settled}
    assert by_key[AssetKey("orders")].backfill_policy == BackfillPolicy.multi_run(5)
    assert by_key[AssetKey("customers")] is customers  # not the job's: left as it was
    assert by_key[AssetKey("totals")] is totals


def test_a_pattern_policy_that_contradicts_a_batch_size_is_an_error(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        '  assets:\n    "orders": {partitions: daily, backfill_policy: {type: single_run}}\n'
        "  backfills:\n    first_days:\n      job: daily_job\n"
        '      partition_range: {start: "2024-01-01", end: "2024-01-20"}\n      batch_size: 5\n',
    )
    jobs = {"daily_job": JobAssets(frozenset({AssetKey("orders")}), DAILY)}
    problems = Problems()
    settings.policies.settle([orders], job_assets=jobs, dbt_ops=frozenset(), problems=problems)
    assert [(i.code, i.path, i.line) for i in problems] == [
        (IssueCode.BACKFILL_BATCH_CONFLICT, "orchestration.backfills.first_days.batch_size", 13)
    ]


def test_two_backfills_that_disagree_are_an_error(tmp_path: Path) -> None:
    backfill = (
        "    {name}:\n      job: daily_job\n"
        '      partition_range: {{start: "2024-01-01", end: "2024-01-20"}}\n'
        "      batch_size: {size}\n"
    )
    settings = _settings(
        tmp_path,
        "  backfills:\n"
        + backfill.format(name="fives", size=5)
        + backfill.format(name="sevens", size=7),
    )
    jobs = {"daily_job": JobAssets(frozenset({AssetKey("orders")}), DAILY)}
    problems = Problems()
    settings.policies.settle([orders], job_assets=jobs, dbt_ops=frozenset(), problems=problems)
    [issue] = problems
    assert (issue.code, issue.path) == (
        IssueCode.BACKFILL_BATCH_CONFLICT,
        "orchestration.backfills.sevens.batch_size",
    )
    assert "'fives' (5 a run) and 'sevens' (7 a run)" in issue.message


def test_run_sizes_and_the_note_on_a_job_of_mixed_policies() -> None:
    assert run_size([None, BackfillPolicy.multi_run(4)]) == 1
    assert run_size([BackfillPolicy.single_run()]) is None
    assert run_size([BackfillPolicy.multi_run(4), BackfillPolicy.multi_run(2)]) == 2
    assert policy_text(None) == "one partition a run"
    assert policy_text(BackfillPolicy.single_run()) == "single_run"
    jobs = {"both": JobAssets(frozenset({AssetKey("orders"), AssetKey("customers")}), DAILY)}
    note = mixed_policies(jobs, [orders, customers])["both"]
    assert "multi_run(3): customers; one partition a run: orders" in note
    assert note.endswith("a backfill of the job runs 1 partition(s) a run")
