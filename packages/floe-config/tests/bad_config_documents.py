"""Whole floe.yaml documents for the bad-config cases that do not extend BASE.

Each marks the line its error must point at with ``# <-``.
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
    "        retention_days: ${DAYS:-1}  # <-\n",
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
