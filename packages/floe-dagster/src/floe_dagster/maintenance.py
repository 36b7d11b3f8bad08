"""Maintenance of the lake: expire Iceberg snapshots and delete their files, compact small
data files, refresh DuckDB statistics. Plain functions over a PyIceberg ``Table`` (or a DuckDB
file), reusable by any floe component; floe.yaml's ``ops`` jobs call them.

>>> from floe_dagster.maintenance import vacuum, compact, analyze
>>> orders = catalog.load_table("bronze.orders")  # doctest: +SKIP
>>> vacuum(orders, retention=timedelta(days=7)).summary()  # doctest: +SKIP

PyIceberg 0.12 expires snapshot *metadata* only and has neither orphan-file removal nor
``rewrite_data_files``; this module adds what Iceberg's Java actions do, on PyIceberg's API:

- ``vacuum``: expires the snapshots older than the retention, except the current one, every
  branch or tag head, and the newest ``retain_last``; then deletes the files that only the
  expired snapshots referenced (manifest lists, manifests, data and delete files), right after
  the expiry commit. Orphans (files under the table's location that no snapshot references,
  e.g. from a failed or in-flight write) are deleted only when older than ``orphan_grace``
  (default 3 days, Iceberg's), so a writer's files in flight survive.
- ``compact``: rewrites the current data files (or those matching ``where``) into as few as
  ``target_file_size_mb`` allows, in one overwrite commit on the same ``Table`` object it read
  from: a concurrent commit makes it fail (``CompactionConflict``) and nothing is lost.
- ``analyze``: DuckDB's ``ANALYZE`` on the warehouse tables, holding floe's warehouse lock.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import duckdb
from pyarrow import fs as pafs  # type: ignore[import-untyped]
from pyiceberg.exceptions import CommitFailedException, ValidationException
from pyiceberg.expressions import AlwaysTrue, BooleanExpression
from pyiceberg.table import Table
from pyiceberg.table.snapshots import Snapshot

from floe_dbt import file_lock, warehouse_lock_path

DEFAULT_ORPHAN_GRACE = timedelta(days=3)
TARGET_FILE_SIZE_PROPERTY = "write.target-file-size-bytes"

__all__ = [
    "CompactReport",
    "CompactionConflict",
    "VacuumReport",
    "analyze",
    "compact",
    "vacuum",
]


def _key(uri: str) -> str:
    """A location without its scheme, to compare catalog URIs with listed files."""
    parsed = urlparse(uri)
    return (parsed.netloc + parsed.path) if parsed.scheme else uri


def _name(table: Table) -> str:
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
        raise ValueError(f"retention must not be negative, got {retention}")
    if retain_last < 1:
        raise ValueError(
            f"retain_last must be at least 1 (the current snapshot), got {retain_last}"
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
        table=_name(table),
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


@dataclass(frozen=True)
class CompactReport:
    """What ``compact`` did to one table (or why it did nothing)."""

    table: str
    files_before: int
    files_after: int
    rows: int
    snapshot_before: int | None
    snapshot_after: int | None
    skipped: str = ""

    def summary(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class CompactionConflict(RuntimeError):
    """Another writer committed to the table while it was compacted; nothing was rewritten."""


def _data_files(table: Table, where: BooleanExpression) -> int:
    return sum(1 for _ in table.scan(row_filter=where).plan_files())


def compact(
    table: Table,
    *,
    target_file_size_mb: int = 128,
    where: BooleanExpression | None = None,
) -> CompactReport:
    """Rewrite the data files of ``table`` (those holding rows that match ``where``, for one
    partition or window of a large table) into as few files as ``target_file_size_mb`` allows,
    rows unchanged. Reads and commits through the same ``Table`` object, so another writer's
    commit in between fails the compaction (``CompactionConflict``) instead of losing rows."""
    if target_file_size_mb < 1:
        raise ValueError(f"target_file_size_mb must be positive, got {target_file_size_mb}")
    condition = where if where is not None else AlwaysTrue()
    snapshot = table.current_snapshot()
    name = _name(table)
    if snapshot is None:
        return CompactReport(name, 0, 0, 0, None, None, skipped="the table has no data yet")
    files_before = _data_files(table, condition)
    if files_before <= 1:
        rows = table.scan(row_filter=condition, snapshot_id=snapshot.snapshot_id).count()
        return CompactReport(
            name, files_before, files_before, rows, snapshot.snapshot_id, snapshot.snapshot_id,
            skipped="nothing to compact",
        )  # fmt: skip
    data = table.scan(row_filter=condition, snapshot_id=snapshot.snapshot_id).to_arrow()
    size = str(target_file_size_mb * 1024 * 1024)
    try:
        with table.transaction() as transaction:
            if table.properties.get(TARGET_FILE_SIZE_PROPERTY) != size:
                transaction.set_properties({TARGET_FILE_SIZE_PROPERTY: size})
            transaction.overwrite(
                data, overwrite_filter=condition, snapshot_properties={"floe.operation": "compact"}
            )
    except (CommitFailedException, ValidationException) as error:
        raise CompactionConflict(
            f"{name} changed while it was compacted (another writer committed: {error}); "
            "nothing was rewritten and no row was lost: run the compaction again"
        ) from error
    after = table.current_snapshot()
    assert after is not None  # the overwrite just committed one
    rows_after = table.scan(row_filter=condition, snapshot_id=after.snapshot_id).count()
    if rows_after != data.num_rows:  # pragma: no cover - an Iceberg bug if it ever happens
        raise RuntimeError(f"{name}: {data.num_rows} rows before compaction, {rows_after} after")
    return CompactReport(
        name,
        files_before,
        _data_files(table, condition),
        rows_after,
        snapshot.snapshot_id,
        after.snapshot_id,
    )


def analyze(database: str | Path, tables: Sequence[str] | None = None) -> dict[str, int]:
    """DuckDB's ``ANALYZE`` on ``tables`` (``schema.table``; default: every table) of the
    warehouse file ``database``; returns each table's row count. Waits for floe's warehouse
    lock, so it never collides with a dbt run."""
    path = Path(database)
    if not path.is_file():
        raise FileNotFoundError(f"no DuckDB warehouse at {path}")
    with file_lock(warehouse_lock_path(path)), duckdb.connect(str(path)) as connection:
        names = list(tables) if tables else [
            f"{schema}.{name}"
            for schema, name in connection.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_type = 'BASE TABLE' and table_catalog = current_database() "
                "order by 1, 2"
            ).fetchall()
        ]  # fmt: skip
        counts = {}
        for name in names:
            quoted = ".".join(f'"{part}"' for part in name.split("."))
            connection.execute(f"analyze {quoted}")
            row = connection.execute(f"select count(*) from {quoted}").fetchone()
            counts[name] = int(row[0]) if row else 0
    return counts
