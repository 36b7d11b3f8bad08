"""The orchestration wing: what floe.yaml's ``orchestration`` declares, as Dagster definitions.

``patterns`` and ``asset_settings`` (what the ``assets:`` patterns give each asset, and each
asset's backfill policy), ``partitions``, ``automation``, ``selection``, ``jobs`` and
``ops_jobs``, ``schedules``, ``sensors`` (with ``sensor_target``, ``file_watcher``,
``event_sensors`` and ``custom_sensor``), ``dynamic`` (dynamic partitions' keys),
``backfills`` and ``backfill_keys`` (named backfills, planned) and ``backfill_run`` (submitted
or run).
"""
