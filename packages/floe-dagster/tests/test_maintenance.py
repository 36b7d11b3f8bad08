"""floe_dagster.lake on a real PyIceberg SQL catalog and a real DuckDB file: what vacuum
deletes is counted on disk, compaction keeps every row, even with a second writer appending."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from pyiceberg.catalog import Catalog
from pyiceberg.table import Table

from floe_config import FloeError, IssueCode
from floe_dagster import ensure_namespace, open_catalog
from floe_dagster.lake import (
    CompactionConflict,
    MaintenanceArgumentError,
    analyze,
    compact,
    vacuum,
)


def _catalog(root: Path) -> Catalog:
    catalog = open_catalog(
        "floe",
        {"type": "sql", "uri": f"sqlite:///{root}/catalog.db", "warehouse": f"file://{root}/wh"},
    )
    ensure_namespace(catalog, "bronze")
    return catalog


def _rows(start: int, count: int) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(start, start + count), pa.int64()),
            "note": pa.array([f"row {i}" for i in range(start, start + count)], pa.string()),
        }
    )


def _files(table: Table) -> set[str]:
    location = table.location().removeprefix("file://")
    return {str(p) for p in Path(location).rglob("*") if p.is_file()}


def _ids(table: Table) -> list[int]:
    return sorted(table.scan().to_arrow().column("id").to_pylist())


@pytest.fixture
def history(tmp_path: Path) -> Table:
    """Five appends, an overwrite that replaces everything (a delete and an append snapshot),
    and one more append: eight snapshots, and data files that only the older ones reference."""
    catalog = _catalog(tmp_path)
    table = catalog.create_table("bronze.events", schema=_rows(0, 1).schema)
    for index in range(5):
        table.append(_rows(index * 10, 10))
    table.overwrite(_rows(100, 20))
    table.append(_rows(200, 5))
    assert len(table.metadata.snapshots) == 8
    return table


def test_a_dry_run_changes_nothing(history: Table) -> None:
    before_files, before_rows = _files(history), _ids(history)
    report = vacuum(history, retention=timedelta(0), dry_run=True)
    assert report.dry_run
    assert len(report.expired_snapshots) == 7
    assert report.deleted_files  # what would go
    assert _files(history) == before_files
    assert len(history.refresh().metadata.snapshots) == 8
    assert _ids(history) == before_rows


def test_vacuum_keeps_the_minimum_and_deletes_what_only_expired_snapshots_held(
    history: Table,
) -> None:
    rows = _ids(history)
    before = _files(history)
    report = vacuum(history, retention=timedelta(0), retain_last=2)
    table = history.refresh()
    assert len(table.metadata.snapshots) == 2  # the configured minimum
    assert report.kept_snapshots == 2
    assert len(report.expired_snapshots) == 6
    assert _ids(table) == rows  # the table reads the same rows
    after = _files(table)
    gone = before - after
    deleted = {f.removeprefix("file://") for f in report.deleted_files}
    assert deleted <= before
    assert gone >= deleted  # every file it reported is gone from disk
    data_gone = [f for f in deleted if "/data/" in f]
    assert len(data_gone) == 5  # the five appends' files, replaced by the overwrite
    assert len([f for f in deleted if f.endswith(".avro")]) >= 5  # their manifests and lists
    assert all(not Path(f).exists() for f in deleted)


def test_orphans_go_only_after_the_grace_period(history: Table) -> None:
    data = Path(history.location().removeprefix("file://")) / "data"
    young, old = data / "in-flight.parquet", data / "abandoned.parquet"
    young.write_bytes(b"a writer is still writing this")
    old.write_bytes(b"a failed write left this behind")
    four_days_ago = (datetime.now(UTC) - timedelta(days=4)).timestamp()
    os.utime(old, (four_days_ago, four_days_ago))
    rows = _ids(history)

    report = vacuum(history, retention=timedelta(days=30))
    assert report.expired_snapshots == []
    assert young.exists()
    assert not old.exists()
    assert [Path(f.removeprefix("file://")) for f in report.deleted_orphans] == [old]
    assert [Path(f.removeprefix("file://")) for f in report.young_orphans] == [young]
    assert _ids(history.refresh()) == rows


def test_vacuum_refuses_nonsense(history: Table) -> None:
    with pytest.raises(MaintenanceArgumentError) as retain_last:
        vacuum(history, retain_last=0)
    with pytest.raises(MaintenanceArgumentError) as retention:
        vacuum(history, retention=timedelta(days=-1))
    for raised in (retain_last, retention):  # a floe error, and the ValueError it was
        assert isinstance(raised.value, FloeError)
        assert isinstance(raised.value, ValueError)
        assert raised.value.codes == [IssueCode.INVALID_MAINTENANCE_ARGUMENT]


def test_compaction_of_fifty_small_appends(tmp_path: Path) -> None:
    table = _catalog(tmp_path).create_table("bronze.small", schema=_rows(0, 1).schema)
    for index in range(50):
        table.append(_rows(index * 3, 3))
    before = table.scan().to_arrow().sort_by("id")
    report = compact(table, target_file_size_mb=64)
    assert (report.files_before, report.files_after) == (50, 1)
    assert report.rows == 150
    assert table.scan().to_arrow().sort_by("id").equals(before)
    assert table.properties["write.target-file-size-bytes"] == str(64 * 1024 * 1024)
    again = compact(table)
    assert again.skipped == "nothing to compact"


WRITER = """\
import sys, time
import pyarrow as pa
from pyiceberg.exceptions import CommitFailedException
from floe_dagster import open_catalog

root, seconds = sys.argv[1], float(sys.argv[2])
catalog = open_catalog(
    "floe", {"type": "sql", "uri": f"sqlite:///{root}/catalog.db", "warehouse": f"file://{root}/wh"}
)
appended, next_id, deadline = 0, 1_000_000, time.monotonic() + seconds
while time.monotonic() < deadline:
    table = catalog.load_table("bronze.busy")
    rows = pa.table({"id": pa.array([next_id], pa.int64()), "note": pa.array(["late"], pa.string())})
    try:
        table.append(rows)
    except CommitFailedException:
        continue  # another commit won: reload and try again
    appended += 1
    next_id += 1
    time.sleep(0.02)
print(appended)
"""


def test_a_concurrent_append_is_never_lost(tmp_path: Path) -> None:
    """A real second writer (another process) appends while compaction runs again and again:
    each compaction either commits or fails cleanly, and every appended row is there."""
    catalog = _catalog(tmp_path)
    table = catalog.create_table("bronze.busy", schema=_rows(0, 1).schema)
    for index in range(30):
        table.append(_rows(index * 100, 100))
    script = tmp_path / "writer.py"
    script.write_text(textwrap.dedent(WRITER))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    writer = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path), "8"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    outcomes = {"compacted": 0, "conflict": 0}
    conflict = ""
    codes: set[IssueCode] = set()
    deadline = time.monotonic() + 60
    while writer.poll() is None and time.monotonic() < deadline:
        try:
            compact(catalog.load_table("bronze.busy"))
            outcomes["compacted"] += 1
        except CompactionConflict as error:
            conflict = error.issue.message
            codes.update(error.codes)
            outcomes["conflict"] += 1
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    appended = int(out.strip())
    print(f"compactions: {outcomes}, appended by the other writer: {appended}")
    ids = _ids(catalog.load_table("bronze.busy"))
    assert len(ids) == len(set(ids)) == 3000 + appended
    assert ids[-appended:] == list(range(1_000_000, 1_000_000 + appended))
    assert outcomes["compacted"] >= 1
    if outcomes["conflict"]:
        assert "nothing was rewritten and no row was lost" in conflict
        assert codes == {IssueCode.COMPACTION_CONFLICT}


def test_analyze_refreshes_every_table(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as db:
        db.execute("create schema silver")
        db.execute("create table silver.orders as select range as id from range(42)")
        db.execute("create table main.tiny as select 1 as x")
    assert analyze(database) == {"main.tiny": 1, "silver.orders": 42}
    assert analyze(database, ["silver.orders"]) == {"silver.orders": 42}
    with pytest.raises(FileNotFoundError) as missing:
        analyze(tmp_path / "missing.duckdb")
    assert isinstance(missing.value, FloeError)
    assert missing.value.codes == [IssueCode.WAREHOUSE_NOT_FOUND]
    assert missing.value.issue.file == str(tmp_path / "missing.duckdb")
