"""``vacuum``: expire an Iceberg table's old snapshots and delete the files only they referenced.

PyIceberg 0.12 expires snapshot *metadata* only and has no orphan-file removal; this adds what
Iceberg's Java actions do, on PyIceberg's API. It expires the snapshots older than the
retention, except the current one, every branch or tag head, and the newest ``retain_last``;
then it deletes the files that only the expired snapshots referenced (manifest lists,
manifests, data and delete files), right after the expiry commit. Orphans (files under the
table's location that no snapshot references, e.g. from a failed or in-flight write) are
deleted only when older than ``orphan_grace`` (default 3 days, Iceberg's), so a writer's files
in flight survive.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from pyarrow import fs as pafs  # type: ignore[import-untyped]
from pyiceberg.table import Table
from pyiceberg.table.snapshots import Snapshot

from floe_dagster.lake._errors import MaintenanceArgumentError

DEFAULT_ORPHAN_GRACE = timedelta(days=3)


def _key(uri: str) -> str:
    """A location without its scheme, to compare catalog URIs with listed files."""
    parsed = urlparse(uri)
    return (parsed.netloc + parsed.path) if parsed.scheme else uri


def table_name(table: Table) -> str:
    """``schema.table``."""
    return ".".join(table.name())


@dataclass(frozen=True)
class VacuumReport:
    """What ``vacuum`` removed from one table (or would remove, with ``dry_run``)."""

    table: str
    dry_run: bool
    expired_snapshots: list[int]
    kept_snapshots: int
    deleted_files: list[str] = field(default_factory=list)
    """Files that only the expired snapshots referenced."""
    deleted_orphans: list[str] = field(default_factory=list)
    young_orphans: list[str] = field(default_factory=list)
    """Unreferenced files younger than the grace period: kept (a writer may be in flight)."""

    def summary(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "dry_run": self.dry_run,
            "expired_snapshots": len(self.expired_snapshots),
            "kept_snapshots": self.kept_snapshots,
            "deleted_files": len(self.deleted_files),
            "deleted_orphans": len(self.deleted_orphans),
            "young_orphans": len(self.young_orphans),
        }


def _reachable(table: Table, snapshots: Iterable[Snapshot]) -> set[str]:
    """Every file the given snapshots reference: manifest lists, manifests, live data and
    delete files."""
    found: set[str] = set()
    io = table.io
    for snapshot in snapshots:
        found.add(_key(snapshot.manifest_list))
        for manifest in snapshot.manifests(io):
            found.add(_key(manifest.manifest_path))
            for entry in manifest.fetch_manifest_entry(io, discard_deleted=True):
                found.add(_key(entry.data_file.file_path))
    return found


def _metadata_files(table: Table) -> set[str]:
    """The current metadata.json, the ones it logs, and statistics files."""
    metadata = table.metadata
    found = {_key(table.metadata_location)}
    found.update(_key(entry.metadata_file) for entry in metadata.metadata_log)
    found.update(_key(s.statistics_path) for s in getattr(metadata, "statistics", []) or [])
    found.update(
        _key(s.statistics_path) for s in getattr(metadata, "partition_statistics", []) or []
    )
    return found


def _expirable(table: Table, cutoff_ms: int, retain_last: int) -> list[Snapshot]:
    metadata = table.metadata
    protected = {ref.snapshot_id for ref in metadata.refs.values()}
    if metadata.current_snapshot_id is not None:
        protected.add(metadata.current_snapshot_id)
    newest = sorted(metadata.snapshots, key=lambda s: s.timestamp_ms, reverse=True)
    protected.update(s.snapshot_id for s in newest[: max(retain_last, 1)])
    return [s for s in newest if s.timestamp_ms < cutoff_ms and s.snapshot_id not in protected]


def _listed(table: Table) -> list[tuple[str, str, datetime]]:
    """``(key, deletable location, modified)`` of every file under the table's location."""
    location = table.location()
    filesystem, root = pafs.FileSystem.from_uri(location)
    scheme = urlparse(location).scheme
    try:
        infos = filesystem.get_file_info(pafs.FileSelector(root, recursive=True))
    except FileNotFoundError:
        return []
    found = []
    for info in infos:
        if info.type != pafs.FileType.File:
            continue
        uri = f"{scheme}://{info.path}" if scheme else info.path
        modified = info.mtime.astimezone(UTC) if info.mtime else datetime.now(UTC)
        found.append((_key(uri), uri, modified))
    return found


def vacuum(
    table: Table,
    *,
    retention: timedelta = timedelta(days=7),
    retain_last: int = 1,
    dry_run: bool = False,
    orphan_grace: timedelta = DEFAULT_ORPHAN_GRACE,
    now: datetime | None = None,
) -> VacuumReport:
    """Expire the snapshots of ``table`` older than ``retention`` (never the current one, a
    branch or tag head, or the newest ``retain_last``) and delete the files no remaining
    snapshot references; delete orphans older than ``orphan_grace``. ``dry_run`` changes
    nothing and reports what would go."""
    if retention < timedelta(0):
        raise MaintenanceArgumentError(
            f"retention must not be negative, got {retention}",
            "give a retention of zero or more (timedelta(days=7))",
        )
    if retain_last < 1:
        raise MaintenanceArgumentError(
            f"retain_last must be at least 1 (the current snapshot), got {retain_last}",
            "keep at least the current snapshot: retain_last=1",
        )
    moment = now or datetime.now(UTC)
    cutoff_ms = int((moment - retention).timestamp() * 1000)
    expired = _expirable(table, cutoff_ms, retain_last)
    ids = {s.snapshot_id for s in expired}
    kept = [s for s in table.metadata.snapshots if s.snapshot_id not in ids]
    before = _reachable(table, table.metadata.snapshots)
    after = _reachable(table, kept)
    only_expired = before - after
    if expired and not dry_run:
        table.maintenance.expire_snapshots().by_ids(sorted(ids)).commit()
        table.refresh()
    # orphans: under the location, referenced by nothing that stays (nor by expired snapshots,
    # whose files were counted above)
    referenced = after | only_expired | _metadata_files(table)
    deleted_files: list[str] = []
    deleted_orphans: list[str] = []
    young: list[str] = []
    listed = _listed(table)
    by_key = {key: uri for key, uri, _ in listed}
    for key in sorted(only_expired):
        deleted_files.append(by_key.get(key, key))
    for key, uri, modified in listed:
        if key in referenced:
            continue
        if moment - modified >= orphan_grace:
            deleted_orphans.append(uri)
        else:
            young.append(uri)
    if not dry_run:
        for uri in [*deleted_files, *deleted_orphans]:
            _delete(table, uri)
    return VacuumReport(
        table=table_name(table),
        dry_run=dry_run,
        expired_snapshots=sorted(ids),
        kept_snapshots=len(kept),
        deleted_files=deleted_files,
        deleted_orphans=deleted_orphans,
        young_orphans=young,
    )


def _delete(table: Table, uri: str) -> None:
    with contextlib.suppress(FileNotFoundError):  # already gone: another vacuum took it
        table.io.delete(uri if urlparse(uri).scheme else f"file://{uri}")
