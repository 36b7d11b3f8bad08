"""Bad partitions, automation and backfills in the demo's floe.yaml: ``floe validate`` prints
the exact error, at the exact line, and runs nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from bad_inputs import edit, line_of
from demo_env import copy_demo, demo_environment, floe_validate

CASES: dict[str, tuple[str, str, str]] = {
    "hourly_cron_with_daily_fmt": (
        '      cron_schedule: "0 0 * * *"\n',
        '      cron_schedule: "0 * * * *"\n      fmt: "%Y-%m-%d"\n',
        "floe.yaml:{line}:12 orchestration.partitions.daily.fmt: fmt '%Y-%m-%d' has no hour, but "
        "cron '0 * * * *' ticks more than once a day; two partitions would get the same key "
        "[fmt_too_coarse]\n    fix: use fmt '%Y-%m-%d-%H:%M', or omit fmt to derive it",
    ),
    "multi_with_three_dimensions": (
        "  assets:                         #",
        "    regions: {type: static, partition_keys: [us, eu]}\n"
        "    channels: {type: static, partition_keys: [web, shop]}\n"
        "    cube:\n"
        "      type: multi\n"
        "      dimensions: {date: daily, region: regions, channel: channels}\n"
        "  assets:                         #",
        "floe.yaml:{line}:7 orchestration.partitions.cube.dimensions: a multi partition needs "
        "exactly 2 dimensions (Dagster supports no other number), found 3 [multi_dimensions]\n"
        "    fix: keep two dimensions, e.g. date and region",
    ),
    "backfill_before_the_partition_start": (
        '{start: "2024-01-01", end: "2024-04-29"}',
        '{start: "2023-12-01", end: "2024-04-29"}',
        "floe.yaml:{line}:32 orchestration.backfills.first_120_days.partition_range.start: "
        "'2023-12-01' is before the first partition of 'daily' (2024-01-01 .. 2024-12-31) "
        "[backfill_out_of_range]\n    fix: move the range inside the partition "
        "definition (windows that have not ended yet cannot be backfilled)",
    ),
    "partition_selector_on_an_unpartitioned_job": (
        "      cron_schedule: ${VACUUM_CRON:0 3 * * 0}\n",
        "      cron_schedule: ${VACUUM_CRON:0 3 * * 0}\n      partition_selector: latest\n",
        "floe.yaml:{line}:27 orchestration.schedules.weekly_vacuum.partition_selector: job "
        "'vacuum_tables' is not partitioned; partition_selector applies to jobs over "
        "partitioned assets [selector_without_partitions]\n    fix: remove partition_selector, "
        "or give the job's assets partitions",
    ),
    "on_cron_without_any_cron": (
        '    "stg_order*":\n      partitions: daily\n',
        '    "stg_order*":\n      partitions: daily\n'
        "    customer_orders:\n      automation_condition: on_cron\n",
        "floe.yaml:{line}:29 orchestration.assets.customer_orders.automation_condition: on_cron "
        "needs a cron: 'customer_orders' sets no cron_schedule and has no time partitions whose "
        "cron it could use [missing_cron]\n    fix: write automation_condition: {type: on_cron, "
        "cron_schedule: '0 * * * *'}, or give the pattern time_window partitions",
    ),
}


NEEDLES = {  # the line of each case's error, found by its text (the demo's floe.yaml grows)
    "hourly_cron_with_daily_fmt": '      fmt: "%Y-%m-%d"',
    "multi_with_three_dimensions": "      dimensions: {date: daily, region: regions, channel",
    "on_cron_without_any_cron": "      automation_condition: on_cron",
    "backfill_before_the_partition_start": '{start: "2023-12-01"',
    "partition_selector_on_an_unpartitioned_job": "      partition_selector: latest",
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_the_exact_error(tmp_path: Path, case: str) -> None:
    old, new, expected = CASES[case]
    project = copy_demo(tmp_path / "root", f"bad_{case}")
    edit(project / "floe.yaml", old, new)
    result = floe_validate(project / "floe.yaml", demo_environment(tmp_path / "state"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [header, *lines] = result.stderr.strip().splitlines()
    assert header.startswith("1 problem ")
    expected = expected.replace("{line}", str(line_of(project / "floe.yaml", NEEDLES[case])))
    assert "\n".join(lines) == expected
    assert not (tmp_path / "state" / "dagster" / "history").exists()  # nothing ran


def test_validate_lists_partitioned_groups_and_backfill_runs(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "root", "listed_shop")
    result = floe_validate(project / "floe.yaml", demo_environment(tmp_path / "state"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("  partitions:   2 partitioned asset group(s)")
    assert lines[start + 3 : start + 5] == [
        "  backfills:    1",
        "    first_120_days: job daily_ingest, 120 partitions 2024-01-01 .. 2024-04-29, "
        "12 run(s) of up to 10",
    ]
    groups = {
        "bronze": "bronze (2 assets: bronze_order_items, bronze_orders)",
        "silver": "silver (2 assets: stg_order_items, stg_orders)",
    }
    span = "2024-01-01 .. 2024-12-31, 366 partitions"  # the days of 2024 the data covers
    assert lines[start + 1 : start + 3] == [
        f"    {g}: 'daily' time windows '0 0 * * *' UTC; {span}" for g in groups.values()
    ]
