"""``compact``: rewrite an Iceberg table's small data files into few, rows unchanged.

PyIceberg 0.12 has no ``rewrite_data_files``. This reads the current data files (or those
matching ``where``) and writes them back as as few files as ``target_file_size_mb`` allows, in
one overwrite commit on the same ``Table`` object it read from: a concurrent commit makes it
fail (``CompactionConflict``) and nothing is lost.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from pyiceberg.exceptions import CommitFailedException, ValidationException
from pyiceberg.expressions import AlwaysTrue, BooleanExpression
from pyiceberg.table import Table

from floe_dagster.lake._errors import (
    CompactionConflict,
    CompactionLostRows,
    MaintenanceArgumentError,
)
from floe_dagster.lake._vacuum import table_name

TARGET_FILE_SIZE_PROPERTY = "write.target-file-size-bytes"


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
        raise MaintenanceArgumentError(
            f"target_file_size_mb must be positive, got {target_file_size_mb}",
            "give a size of at least 1 (MB); 128 is Iceberg's default",
        )
    condition = where if where is not None else AlwaysTrue()
    snapshot = table.current_snapshot()
    name = table_name(table)
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
            name,
            f"{name} changed while it was compacted (another writer committed: {error}); "
            "nothing was rewritten and no row was lost",
        ) from error
    after = table.current_snapshot()
    assert after is not None  # the overwrite just committed one
    rows_after = table.scan(row_filter=condition, snapshot_id=after.snapshot_id).count()
    if rows_after != data.num_rows:  # pragma: no cover - an Iceberg bug if it ever happens
        raise CompactionLostRows(name, data.num_rows, rows_after)
    return CompactReport(
        name,
        files_before,
        _data_files(table, condition),
        rows_after,
        snapshot.snapshot_id,
        after.snapshot_id,
    )
