"""Maintenance functions that floe.yaml's ops jobs call (plain functions, no Dagster needed)."""

import json
import os
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

NAMESPACE = "bronze"


def vacuum_old_snapshots(
    context: Any, retention_days: int = 7, dry_run: bool = False
) -> dict[str, int]:
    """Expire Iceberg snapshots older than ``retention_days`` in the bronze namespace.

    Keeps each table's current snapshot (``retention_days: 0`` expires every other one). With
    ``dry_run`` it only counts. Returns the number of snapshots expired (or expirable) per table.
    """
    if retention_days < 0:
        raise ValueError(f"retention_days must not be negative, got {retention_days}")
    catalog = context.resources.iceberg.load()
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    cutoff_ms = int(cutoff.timestamp() * 1000)
    expired: dict[str, int] = {}
    for identifier in catalog.list_tables(NAMESPACE):
        table = catalog.load_table(identifier)
        current = table.metadata.current_snapshot_id
        old = [
            s.snapshot_id
            for s in table.metadata.snapshots
            if s.timestamp_ms < cutoff_ms and s.snapshot_id != current
        ]
        name = ".".join(identifier)
        expired[name] = len(old)
        if old and not dry_run:
            table.maintenance.expire_snapshots().by_ids(old).commit()
        verb = "would be expired" if dry_run else "expired"
        context.log.info(f"{name}: {len(old)} snapshot(s) older than {cutoff:%Y-%m-%d} {verb}")
    return expired


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
