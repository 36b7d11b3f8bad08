"""Maintenance functions that floe.yaml's ops jobs call (plain functions, no Dagster needed)."""

from datetime import UTC, datetime, timedelta
from typing import Any

NAMESPACE = "bronze"


def vacuum_old_snapshots(
    context: Any, retention_days: int = 7, dry_run: bool = False
) -> dict[str, int]:
    """Expire Iceberg snapshots older than ``retention_days`` in the bronze namespace.

    Keeps each table's current snapshot. With ``dry_run`` it only counts. Returns the number
    of snapshots expired (or expirable) per table.
    """
    if retention_days <= 0:
        raise ValueError(f"retention_days must be positive, got {retention_days}")
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
