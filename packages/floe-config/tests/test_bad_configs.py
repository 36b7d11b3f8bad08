"""One bad floe.yaml per check: the exact code, the line (marked ``# <-``) and the key path."""

from __future__ import annotations

from pathlib import Path

import pytest
from bad_config_documents import DOCUMENTS

from floe_config import FloeConfigError, load_config

BASE = """\
name: shop
orchestration:
  jobs:
    bronze_refresh: {type: batch, selection: ["group:bronze"]}
    vacuum: {type: ops, target_function: pkg.ops.vacuum}
  partitions:
    daily: {type: time_window, start: "2024-01-01", end: "2024-12-31"}
    regions: {type: static, partition_keys: [us, eu]}
  assets:
    "bronze_*": {partitions: daily, group_name: bronze}
"""

SCHEDULE = """\
  schedules:
    nightly:
      job: bronze_refresh
"""

# (id, text appended to BASE, env, code, key path). The marked line is where the error points.
CASES: list[tuple[str, str, dict[str, str], str, str]] = [
    ("unknown_top_key", "observabilty: {}  # <-\n", {}, "unknown_key", "observabilty"),
    (
        "unknown_nested_key",
        SCHEDULE + '      cron_schedule: "0 1 * * *"\n      timezon: UTC  # <-\n',
        {},
        "unknown_key",
        "orchestration.schedules.nightly.timezon",
    ),
    (
        "schedule_unknown_job",
        '  schedules:\n    nightly:\n      job: bronze_refrsh  # <-\n      cron_schedule: "@daily"\n',
        {},
        "unknown_job",
        "orchestration.schedules.nightly.job",
    ),
    (
        "sensor_unknown_job",
        "  sensors:\n    s:\n      type: asset_sensor\n      job: gold  # <-\n"
        "      watched_assets: [a]\n",
        {},
        "unknown_job",
        "orchestration.sensors.s.job",
    ),
    (
        "backfill_unknown_job",
        "  backfills:\n    b:\n      job: nope  # <-\n      partitions: [us]\n",
        {},
        "unknown_job",
        "orchestration.backfills.b.job",
    ),
    (
        "run_status_unknown_watched_job",
        "  sensors:\n    s:\n      type: run_status\n      job: vacuum\n"
        "      watched_jobs: [bronze_refresh,\n        ghost]  # <-\n      status: FAILURE\n",
        {},
        "unknown_job",
        "orchestration.sensors.s.watched_jobs[1]",
    ),
    (
        "asset_unknown_partition",
        '    "stg_*": {partitions: weekly}  # <-\n',
        {},
        "unknown_partition",
        "orchestration.assets.stg_*.partitions",
    ),
    (
        "multi_unknown_dimension",
        "    by_region:\n      type: multi\n      dimensions:\n        date: daily\n"
        "        region: regoins  # <-\n",
        {},
        "unknown_partition",
        "orchestration.partitions.by_region.dimensions.region",
        # appended under assets: a mapping key at partitions' indentation is another section;
        # this case is rewritten below to sit under partitions.
    ),
    (
        "invalid_cron",
        SCHEDULE + '      cron_schedule: "0 25 * * *"  # <-\n',
        {},
        "invalid_cron",
        "orchestration.schedules.nightly.cron_schedule",
    ),
    (
        "cron_with_seconds",
        SCHEDULE + '      cron_schedule: "0 0 1 * * *"  # <-\n',
        {},
        "invalid_cron",
        "orchestration.schedules.nightly.cron_schedule",
    ),
    (
        "cron_february_30",
        SCHEDULE + '      cron_schedule: "0 0 30 2 *"  # <-\n',
        {},
        "invalid_cron",
        "orchestration.schedules.nightly.cron_schedule",
    ),
    (
        "schedule_timezone",
        SCHEDULE + '      cron_schedule: "@daily"\n      timezone: Europe/Berln  # <-\n',
        {},
        "invalid_timezone",
        "orchestration.schedules.nightly.timezone",
    ),
    (
        "partition_selector",
        SCHEDULE + '      cron_schedule: "@daily"\n      partition_selector: newest  # <-\n',
        {},
        "invalid_choice",
        "orchestration.schedules.nightly.partition_selector",
    ),
    (
        "schedule_missing_cron",
        "  schedules:\n    nightly:  # <-\n      job: bronze_refresh\n",
        {},
        "missing_key",
        "orchestration.schedules.nightly",
    ),
    (
        "enabled_not_bool",
        SCHEDULE + '      cron_schedule: "@daily"\n      enabled: ${ON:maybe}  # <-\n',
        {},
        "invalid_type",
        "orchestration.schedules.nightly.enabled",
    ),
    (
        "unset_variable",
        SCHEDULE + "      cron_schedule: ${NIGHTLY_CRON}  # <-\n",
        {},
        "unset_variable",
        "orchestration.schedules.nightly.cron_schedule",
    ),
    (
        "malformed_placeholder",
        SCHEDULE + "      cron_schedule: ${NIGHTLY-CRON:@daily}  # <-\n",
        {},
        "invalid_placeholder",
        "orchestration.schedules.nightly.cron_schedule",
    ),
    (
        "env_value_invalid_cron",
        SCHEDULE + "      cron_schedule: ${NIGHTLY_CRON:@daily}  # <-\n",
        {"NIGHTLY_CRON": "every day"},
        "invalid_cron",
        "orchestration.schedules.nightly.cron_schedule",
    ),
    (
        "schedule_and_sensor_share_a_name",
        SCHEDULE + '      cron_schedule: "@daily"\n  sensors:\n    nightly:  # <-\n'
        "      type: asset_sensor\n      job: bronze_refresh\n      watched_assets: [x]\n",
        {},
        "duplicate_name",
        "orchestration.sensors.nightly",
    ),
    (
        "sensor_interval_zero",
        "  sensors:\n    s:\n      type: file_watcher\n      job: bronze_refresh\n"
        "      path: incoming\n      poll_interval_seconds: 0  # <-\n",
        {},
        "must_be_positive",
        "orchestration.sensors.s.poll_interval_seconds",
    ),
    (
        "sensor_unknown_type",
        "  sensors:\n    s:\n      type: s3_watcher  # <-\n      job: bronze_refresh\n",
        {},
        "invalid_choice",
        "orchestration.sensors.s.type",
    ),
    (
        "run_status_bad_status",
        "  sensors:\n    s:\n      type: run_status\n      job: vacuum\n"
        "      watched_jobs: [bronze_refresh]\n      status: FAILED  # <-\n",
        {},
        "invalid_choice",
        "orchestration.sensors.s.status",
    ),
    (
        "asset_sensor_no_assets",
        "  sensors:\n    s:\n      type: asset_sensor\n      job: bronze_refresh\n"
        "      watched_assets: []  # <-\n",
        {},
        "empty_list",
        "orchestration.sensors.s.watched_assets",
    ),
    (
        "custom_sensor_target",
        "  sensors:\n    s:\n      type: custom\n      job: bronze_refresh\n"
        "      target_function: ready  # <-\n",
        {},
        "invalid_function_path",
        "orchestration.sensors.s.target_function",
    ),
    (
        "backfill_before_partition_start",
        "  backfills:\n    b:\n      job: bronze_refresh\n"
        '      partition_range: {start: "2023-06-01", end: "2024-02-01"}  # <-\n',
        {},
        "backfill_out_of_range",
        "orchestration.backfills.b.partition_range.start",
    ),
    (
        "backfill_after_partition_end",
        "  backfills:\n    b:\n      job: bronze_refresh\n      partition_range:\n"
        '        start: "2024-02-01"\n        end: "2025-01-05"  # <-\n',
        {},
        "backfill_out_of_range",
        "orchestration.backfills.b.partition_range.end",
    ),
    (
        "backfill_end_before_start",
        "  backfills:\n    b:\n      job: bronze_refresh\n      partition_range:\n"
        '        start: "2024-03-01"\n        end: "2024-02-01"  # <-\n',
        {},
        "start_after_end",
        "orchestration.backfills.b.partition_range.end",
    ),
    (
        "backfill_bad_date",
        "  backfills:\n    b:\n      job: bronze_refresh\n      partition_range:\n"
        '        start: "01/02/2024"  # <-\n        end: "2024-02-01"\n',
        {},
        "invalid_partition_date",
        "orchestration.backfills.b.partition_range.start",
    ),
    (
        "backfill_range_and_keys",
        "  backfills:\n    b:\n      job: bronze_refresh\n"
        '      partition_range: {start: "2024-01-01", end: "2024-01-02"}  # <-\n'
        "      partitions: [us]\n",
        {},
        "invalid_backfill_target",
        "orchestration.backfills.b.partition_range",
    ),
    (
        "backfill_batch_size_zero",
        "  backfills:\n    b:\n      job: bronze_refresh\n"
        '      partition_range: {start: "2024-01-01", end: "2024-01-02"}\n'
        "      batch_size: 0  # <-\n",
        {},
        "must_be_positive",
        "orchestration.backfills.b.batch_size",
    ),
    (
        "backfill_ops_job",
        "  backfills:\n    b:\n      job: vacuum  # <-\n      partitions: [us]\n",
        {},
        "backfill_needs_batch_job",
        "orchestration.backfills.b.job",
    ),
    (
        "asset_bad_automation",
        '    "stg_*": {automation_condition: eagr}  # <-\n',
        {},
        "invalid_choice",
        "orchestration.assets.stg_*.automation_condition",
    ),
    (
        "on_cron_without_cron",
        '    "stg_*": {automation_condition: on_cron}  # <-\n',
        {},
        "missing_cron",
        "orchestration.assets.stg_*.automation_condition",
    ),
    (
        "on_cron_bad_cron",
        '    "stg_*":\n      automation_condition: {type: on_cron, cron_schedule: "0 * * *"}  # <-\n',
        {},
        "invalid_cron",
        "orchestration.assets.stg_*.automation_condition.cron_schedule",
    ),
    (
        "single_run_with_max",
        '    "stg_*":\n      partitions: daily\n      backfill_policy:\n        type: single_run\n'
        "        max_partitions_per_run: 5  # <-\n",
        {},
        "invalid_backfill_policy",
        "orchestration.assets.stg_*.backfill_policy.max_partitions_per_run",
    ),
    (
        "backfill_policy_without_partitions",
        '    "stg_*":\n      backfill_policy: {type: multi_run}  # <-\n',
        {},
        "backfill_policy_without_partitions",
        "orchestration.assets.stg_*.backfill_policy",
    ),
    (
        "multi_run_max_zero",
        '    "stg_*":\n      partitions: daily\n'
        "      backfill_policy: {type: multi_run, max_partitions_per_run: 0}  # <-\n",
        {},
        "must_be_positive",
        "orchestration.assets.stg_*.backfill_policy.max_partitions_per_run",
    ),
    (
        "asset_group_name",
        '    "stg_*": {group_name: "silver layer"}  # <-\n',
        {},
        "invalid_name",
        "orchestration.assets.stg_*.group_name",
    ),
    ("invalid_project_name", None, {}, "invalid_name", "name"),
    ("duplicate_key", None, {}, "duplicate_key", "orchestration.jobs.gold"),
    ("yaml_syntax", None, {}, "invalid_yaml", ""),
    ("job_unknown_type", None, {}, "invalid_choice", "orchestration.jobs.gold.type"),
    ("job_missing_type", None, {}, "missing_key", "orchestration.jobs.gold"),
    ("batch_empty_selection", None, {}, "empty_list", "orchestration.jobs.gold.selection"),
    (
        "ops_target_not_dotted",
        None,
        {},
        "invalid_function_path",
        "orchestration.jobs.v.target_function",
    ),
    (
        "ops_negative_retention",
        None,
        {},
        "must_be_positive",
        "orchestration.jobs.v.args.retention_days",
    ),
    ("asset_module_path", None, {}, "invalid_module_path", "orchestration.asset_modules[0]"),
    (
        "relative_module_outside_package",
        None,
        {},
        "relative_module_outside_package",
        "orchestration.asset_modules[0]",
    ),
    ("hourly_cron_day_fmt", None, {}, "fmt_too_coarse", "orchestration.partitions.hourly.fmt"),
    ("partition_start_after_end", None, {}, "start_after_end", "orchestration.partitions.p.end"),
    (
        "partition_start_format",
        None,
        {},
        "invalid_partition_date",
        "orchestration.partitions.p.start",
    ),
    ("partition_timezone", None, {}, "invalid_timezone", "orchestration.partitions.p.timezone"),
    (
        "static_duplicate_keys",
        None,
        {},
        "duplicate_partition_key",
        "orchestration.partitions.p.partition_keys[2]",
    ),
    (
        "static_forbidden_key",
        None,
        {},
        "invalid_partition_key",
        "orchestration.partitions.p.partition_keys[0]",
    ),
    (
        "multi_three_dimensions",
        None,
        {},
        "multi_dimensions",
        "orchestration.partitions.m.dimensions",
    ),
    ("multi_nested", None, {}, "nested_multi", "orchestration.partitions.m2.dimensions.inner"),
    (
        "multi_forbidden_key",
        None,
        {},
        "invalid_partition_key",
        "orchestration.partitions.m.dimensions.region.partition_keys[1]",
    ),
    ("dynamic_fn_path", None, {}, "invalid_function_path", "orchestration.partitions.d.fn"),
    (
        "backfill_static_unknown_key",
        None,
        {},
        "unknown_partition_key",
        "orchestration.backfills.b.partitions[1]",
    ),
    (
        "backfill_range_on_static",
        None,
        {},
        "backfill_kind_mismatch",
        "orchestration.backfills.b.partition_range",
    ),
    ("lineage_http_without_url", None, {}, "missing_url", "observability.lineage.url"),
    ("compute_threads_zero", None, {}, "must_be_positive", "storage.compute.threads"),
    (
        "dbt_observability_level",
        None,
        {},
        "invalid_choice",
        "orchestration.dbt.observability_level",
    ),
    ("dbt_without_manifest", None, {}, "missing_manifest_path", "orchestration.dbt"),
]


def _document(case_id: str, extra: str | None) -> str:
    if extra is None:
        return DOCUMENTS[case_id]
    if case_id == "multi_unknown_dimension":
        return BASE.replace("  assets:\n", extra + "  assets:\n")
    if extra.startswith('    "'):
        return BASE + extra  # another asset pattern under assets:
    return BASE + extra


def _marked_line(text: str) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if "# <-" in line]
    assert len(lines) == 1, "each case marks exactly one line"
    return lines[0]


@pytest.mark.parametrize(
    ("case_id", "extra", "env", "code", "path"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_bad_config_reports_code_line_and_path(
    tmp_path: Path, case_id: str, extra: str | None, env: dict[str, str], code: str, path: str
) -> None:
    text = _document(case_id, extra)
    (tmp_path / "floe.yaml").write_text(text)
    with pytest.raises(FloeConfigError) as caught:
        load_config(tmp_path / "floe.yaml", env=env)
    found = [(i.code, i.line, i.path) for i in caught.value.issues]
    assert (code, _marked_line(text), path) in found, str(caught.value)
    assert len(found) == 1, f"expected one problem, got:\n{caught.value}"


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
    assert len({c[0] for c in CASES}) == len(CASES)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = BASE + (
        "  schedules:\n    nightly:\n      job: bronze_refrsh\n"
        '      cron_schedule: "0 25 * * *"\n      timezone: Europe/Berln\n      jbo: x\n'
    )
    (tmp_path / "floe.yaml").write_text(text)
    with pytest.raises(FloeConfigError) as caught:
        load_config(tmp_path / "floe.yaml", env={})
    golden = Path("packages/floe-config/tests/golden/every_problem_at_once.txt").read_text()
    assert str(caught.value) + "\n" == golden
