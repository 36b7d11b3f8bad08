"""The functions floe.yaml's ops jobs call: lake maintenance (floe_dagster.lake on the
bronze Iceberg tables and the DuckDB warehouse) and the failure alert. floe's lake (PyIceberg,
pyarrow, DuckDB) loads in the op that uses it, not when the code location loads."""

import json
import os
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

NAMESPACE = "bronze"


def _tables(context: Any, tables: list[str] | None) -> list[Any]:
    """The Iceberg tables to maintain: ``tables`` (``bronze.orders`` or ``orders``), else every
    table of the bronze namespace."""
    catalog = context.resources.iceberg.load()
    names = tables or [".".join(t) for t in catalog.list_tables(NAMESPACE)]
    return [catalog.load_table(n if "." in n else f"{NAMESPACE}.{n}") for n in names]


def vacuum_old_snapshots(
    context: Any,
    retention_days: int = 7,
    dry_run: bool = False,
    tables: list[str] | None = None,
    retain_last: int = 1,
    orphan_grace_hours: int = 72,
) -> dict[str, dict[str, Any]]:
    """Expire the bronze tables' snapshots older than ``retention_days`` and delete the files
    only they referenced (floe_dagster.lake.vacuum). The current snapshot and the newest
    ``retain_last`` always stay; files no snapshot references are deleted once older than
    ``orphan_grace_hours``. With ``dry_run`` nothing changes. Returns what each table lost."""
    if retention_days < 0:
        raise ValueError(f"retention_days must not be negative, got {retention_days}")
    from floe_dagster.lake import vacuum  # noqa: PLC0415

    reports = {}
    for table in _tables(context, tables):
        report = vacuum(
            table,
            retention=timedelta(days=retention_days),
            retain_last=retain_last,
            dry_run=dry_run,
            orphan_grace=timedelta(hours=orphan_grace_hours),
        )
        verb = "would remove" if dry_run else "removed"
        context.log.info(
            f"{report.table}: {verb} {len(report.expired_snapshots)} snapshot(s), "
            f"{len(report.deleted_files)} file(s) and {len(report.deleted_orphans)} orphan(s); "
            f"{report.kept_snapshots} snapshot(s) kept"
        )
        reports[report.table] = report.summary()
    return reports


def compact_data_files(
    context: Any, tables: list[str] | None = None, target_file_size_mb: int = 128
) -> dict[str, dict[str, Any]]:
    """Rewrite each bronze table's small data files into fewer (floe_dagster.lake.
    compact); rows unchanged, checked before and after."""
    from floe_dagster.lake import compact  # noqa: PLC0415

    reports = {}
    for table in _tables(context, tables):
        report = compact(table, target_file_size_mb=target_file_size_mb)
        context.log.info(
            f"{report.table}: {report.files_before} -> {report.files_after} data file(s), "
            f"{report.rows} rows{f' ({report.skipped})' if report.skipped else ''}"
        )
        reports[report.table] = report.summary()
    return reports


def analyze_tables(context: Any, tables: list[str] | None = None) -> dict[str, int]:
    """Refresh DuckDB's statistics of the warehouse tables (all by default); row counts."""
    from floe_dagster.lake import analyze  # noqa: PLC0415

    counts = analyze(context.resources.warehouse.path, tables)
    context.log.info(f"analyzed {len(counts)} table(s): {counts}")
    return counts


def notify_failure(
    context: Any,
    run_id: str = "",
    job_name: str = "",
    error: str = "",
    alerts_path: str = "",
    webhook_url: str = "",
    auth_token: str = "",
) -> dict[str, str]:
    """The demo's alert: what failed, where, and why.

    POSTs the alert as JSON to ``webhook_url`` when one is given (with ``Authorization: Bearer
    <auth_token>`` when a token is given), and otherwise appends it as a JSON line to
    ``alerts_path`` (default: ``alerts.jsonl`` in the state directory, ``$FLOE_STATE_DIR``).
    Returns the alert.
    """
    alert = {
        "failed_run_id": run_id,
        "failed_job": job_name,
        "error": error,
        "alerted_at": datetime.now(UTC).isoformat(),
        "alert_run_id": context.run_id,
    }
    if webhook_url:
        headers = {"Content-Type": "application/json"}
        if auth_token:
            headers["Authorization"] = f"Bearer {auth_token}"
        request = urllib.request.Request(
            webhook_url, data=json.dumps(alert).encode(), headers=headers, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            host = urllib.parse.urlsplit(webhook_url).netloc  # the URL's path may hold a token
            context.log.info(f"alert sent to {host}: HTTP {response.status}")
        return alert
    path = Path(alerts_path or Path(os.environ.get("FLOE_STATE_DIR", ".floe")) / "alerts.jsonl")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        handle.write(json.dumps(alert) + "\n")
    context.log.info(f"alert for run {run_id} of {job_name} written to {path}")
    return alert
