"""The bad-config cases: one floe.yaml per check, and the code and key path it must report.

Each document marks the line its error must point at with ``# <-``. ``test_bad_configs`` loads
them with floe-config; the demo's CLI test runs ``floe validate`` over every one of them.
"""

DOCUMENTS = {
    "invalid_project_name": "name: my shop  # <-\n",
    "duplicate_key": "name: shop\norchestration:\n  jobs:\n"
    "    gold: {type: batch, selection: [a]}\n    gold: {type: batch, selection: [b]}  # <-\n",
    "yaml_syntax": "name: shop\norchestration:\n  jobs: [a, b\n  schedules: {}  # <-\n",
    "job_unknown_type": "name: shop\norchestration:\n  jobs:\n    gold:\n      type: batchh  # <-\n"
    "      selection: [a]\n",
    "job_missing_type": "name: shop\norchestration:\n  jobs:\n    gold:  # <-\n      selection: [a]\n",
    "batch_empty_selection": "name: shop\norchestration:\n  jobs:\n"
    "    gold: {type: batch, selection: []}  # <-\n",
    "ops_target_not_dotted": "name: shop\norchestration:\n  jobs:\n"
    "    v: {type: ops, target_function: vacuum}  # <-\n",
    "ops_negative_retention": "name: shop\norchestration:\n  jobs:\n    v:\n      type: ops\n"
    "      target_function: pkg.ops.vacuum\n      args:\n"
    "        retention_days: -1  # <-\n",
    "shell_style_default": "name: shop\norchestration:\n  jobs:\n    v:\n      type: ops\n"
    "      target_function: pkg.ops.vacuum\n      args:\n"
    "        retention_days: ${DAYS:-1}  # <-\n",
    "relative_target_outside_package": "name: shop\norchestration:\n  jobs:\n"
    "    v: {type: ops, target_function: .ops.vacuum}  # <-\n",
    "relative_sensor_target_outside_package": "name: shop\norchestration:\n  jobs:\n"
    "    j: {type: batch, selection: [a]}\n  sensors:\n    s:\n      type: custom\n"
    "      job: j\n      target_function: .sensors.ready  # <-\n",
    "relative_partition_fn_outside_package": "name: shop\norchestration:\n  partitions:\n"
    "    d: {type: dynamic, fn: .assets.customers}  # <-\n",
    "selection_not_a_list": "name: shop\norchestration:\n  jobs:\n"
    "    gold: {type: batch, selection: -1}  # <-\n  backfills:\n"
    "    b: {job: gold, partitions: [us]}\n",
    "selection_a_bool": "name: shop\norchestration:\n  jobs:\n"
    "    gold: {type: batch, selection: true}  # <-\n  backfills:\n"
    "    b: {job: gold, partitions: [us]}\n",
    "schedule_name_not_dagster": "name: shop\norchestration:\n  jobs:\n"
    "    j: {type: batch, selection: [a]}\n  schedules:\n"
    "    nightly-:  # <-\n      job: j\n      cron_schedule: '@daily'\n",
    "job_tag_key": "name: shop\norchestration:\n  jobs:\n    j:\n      type: batch\n"
    "      selection: [a]\n      tags: {/layer: bronze}  # <-\n",
    "job_named_type": "name: shop\norchestration:\n  jobs:\n"
    "    type: {type: batch, selection: [a]}  # <-\n",
    "daily_cron_month_fmt": "name: shop\norchestration:\n  partitions:\n    d:\n"
    '      type: time_window\n      start: "2024-01"\n      fmt: "%Y-%m"  # <-\n',
    "job_name_with_dot": "name: shop\norchestration:\n  jobs:\n"
    "    gold.v2: {type: batch, selection: [a]}  # <-\n",
    "timezone_too_long": "name: shop\norchestration:\n  jobs:\n"
    "    j: {type: batch, selection: [a]}\n  schedules:\n    s:\n      job: j\n"
    "      cron_schedule: '@daily'\n      timezone: " + "A" * 300 + "  # <-\n",
    "cron_never_fires": "name: shop\norchestration:\n  jobs:\n"
    "    j: {type: batch, selection: [a]}\n  schedules:\n    s:\n      job: j\n"
    "      cron_schedule: '0 0 31 4 *'  # <-\n",
    "partition_fmt_a_number": "name: shop\norchestration:\n  jobs:\n"
    '    j: {type: batch, selection: ["key:x_*"]}\n  partitions:\n'
    "    p: {type: time_window, start: '2024', fmt: 2024}  # <-\n"
    "  assets:\n    'x_*': {partitions: p}\n  backfills:\n"
    "    b: {job: j, partition_range: {start: '2024', end: '2025'}}\n",
    "asset_module_path": "name: shop\norchestration:\n  asset_modules:\n    - my-assets.bronze  # <-\n",
    "relative_module_outside_package": "name: shop\norchestration:\n  asset_modules:\n"
    "    - .assets.bronze  # <-\n",
    "hourly_cron_day_fmt": "name: shop\norchestration:\n  partitions:\n    hourly:\n"
    '      type: time_window\n      start: "2024-01-01"\n      cron_schedule: "0 * * * *"\n'
    '      fmt: "%Y-%m-%d"  # <-\n',
    "partition_start_after_end": "name: shop\norchestration:\n  partitions:\n    p:\n"
    '      type: time_window\n      start: "2024-06-01"\n      end: "2024-01-01"  # <-\n',
    "partition_start_format": "name: shop\norchestration:\n  partitions:\n    p:\n"
    '      type: time_window\n      start: "June 2024"  # <-\n',
    "partition_timezone": "name: shop\norchestration:\n  partitions:\n    p:\n"
    '      type: time_window\n      start: "2024-01-01"\n      timezone: Mars/Olympus  # <-\n',
    "static_duplicate_keys": "name: shop\norchestration:\n  partitions:\n    p:\n"
    "      type: static\n      partition_keys:\n        - us\n        - eu\n        - us  # <-\n",
    "static_forbidden_key": "name: shop\norchestration:\n  partitions:\n    p:\n"
    '      type: static\n      partition_keys:\n        - "a...b"  # <-\n',
    "multi_three_dimensions": "name: shop\norchestration:\n  partitions:\n"
    "    r: {type: static, partition_keys: [us]}\n    m:\n      type: multi\n"
    "      dimensions:  # <-\n        a: r\n        b: r\n        c: r\n",
    "multi_nested": "name: shop\norchestration:\n  partitions:\n"
    "    r: {type: static, partition_keys: [us]}\n"
    "    m: {type: multi, dimensions: {a: r, b: r}}\n    m2:\n      type: multi\n"
    "      dimensions:\n        inner: m  # <-\n        region: r\n",
    "multi_forbidden_key": "name: shop\norchestration:\n  partitions:\n    m:\n      type: multi\n"
    "      dimensions:\n        date: {type: time_window, start: '2024-01-01'}\n"
    "        region:\n          type: static\n          partition_keys:\n            - us\n"
    "            - 'eu|west'  # <-\n",
    "dynamic_fn_path": "name: shop\norchestration:\n  partitions:\n"
    "    d: {type: dynamic, fn: list_customers}  # <-\n",
    "backfill_static_unknown_key": "name: shop\norchestration:\n  jobs:\n"
    '    regional: {type: batch, selection: ["key:by_region_*"]}\n  partitions:\n'
    "    regions: {type: static, partition_keys: [us, eu, ap]}\n  assets:\n"
    '    "by_region_*": {partitions: regions}\n  backfills:\n    b:\n      job: regional\n'
    "      partitions:\n        - us\n        - europe  # <-\n",
    "backfill_range_on_static": "name: shop\norchestration:\n  jobs:\n"
    '    regional: {type: batch, selection: ["by_region_orders"]}\n  partitions:\n'
    "    regions: {type: static, partition_keys: [us, eu, ap]}\n  assets:\n"
    '    "by_region_*": {partitions: regions}\n  backfills:\n    b:\n      job: regional\n'
    "      partition_range: {start: us, end: ap}  # <-\n",
    "lineage_http_without_url": "name: shop\nobservability:\n  lineage:\n"
    "    transport: http\n    url: ${OPENLINEAGE_URL:}  # <-\n",
    "compute_threads_zero": "name: shop\nstorage:\n  compute:\n    threads: 0  # <-\n",
    "dbt_observability_level": "name: shop\norchestration:\n  dbt:\n"
    "    manifest_path: dbt/target/manifest.json\n    observability_level: per_node  # <-\n",
    "dbt_without_manifest": "name: shop\norchestration:\n  dbt:  # <-\n    observability_level: job_level\n",
}


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
    ("shell_style_default", None, {}, "shell_default", "orchestration.jobs.v.args.retention_days"),
    (
        "relative_target_outside_package",
        None,
        {},
        "relative_module_outside_package",
        "orchestration.jobs.v.target_function",
    ),
    (
        "relative_sensor_target_outside_package",
        None,
        {},
        "relative_module_outside_package",
        "orchestration.sensors.s.target_function",
    ),
    (
        "relative_partition_fn_outside_package",
        None,
        {},
        "relative_module_outside_package",
        "orchestration.partitions.d.fn",
    ),
    ("selection_not_a_list", None, {}, "invalid_type", "orchestration.jobs.gold.selection"),
    ("selection_a_bool", None, {}, "invalid_type", "orchestration.jobs.gold.selection"),
    ("schedule_name_not_dagster", None, {}, "invalid_name", "orchestration.schedules.nightly-"),
    ("job_name_with_dot", None, {}, "invalid_name", "orchestration.jobs.gold.v2"),
    ("job_named_type", None, {}, "invalid_name", "orchestration.jobs.type"),
    ("daily_cron_month_fmt", None, {}, "fmt_too_coarse", "orchestration.partitions.d.fmt"),
    ("job_tag_key", None, {}, "invalid_tag_key", "orchestration.jobs.j.tags./layer"),
    ("timezone_too_long", None, {}, "invalid_timezone", "orchestration.schedules.s.timezone"),
    ("cron_never_fires", None, {}, "invalid_cron", "orchestration.schedules.s.cron_schedule"),
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


def document(case_id: str, extra: str | None) -> str:
    if extra is None:
        return DOCUMENTS[case_id]
    if case_id == "multi_unknown_dimension":
        return BASE.replace("  assets:\n", extra + "  assets:\n")
    if extra.startswith('    "'):
        return BASE + extra  # another asset pattern under assets:
    return BASE + extra


def marked_line(text: str) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if "# <-" in line]
    assert len(lines) == 1, "each case marks exactly one line"
    return lines[0]
