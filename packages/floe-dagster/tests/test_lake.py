"""The lake's public functions: importable without Dagster, their errors floe errors with a
code (and the built-in error each replaces), and the locks processes take turns on."""

from __future__ import annotations

import importlib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from floe_config import FloeError, IssueCode
from floe_dagster.lake import (
    CatalogUnavailableError,
    CompactionConflict,
    LakeError,
    MaintenanceArgumentError,
    WarehouseNotFoundError,
    file_lock,
    open_catalog,
    warehouse_lock_path,
)

HOLD = """\
import sys, time
from pathlib import Path
from floe_dagster.lake import file_lock
with file_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(1.5)
"""


def test_the_lake_imports_no_dagster() -> None:
    code = (
        "import sys; import floe_dagster.lake; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dagster', 'dagster_dbt')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": ":".join(sys.path)},
    ).stdout
    assert out.strip() == "[]"


def test_a_lock_held_by_another_process_is_waited_for(tmp_path: Path) -> None:
    lock = tmp_path / "warehouse.duckdb.lock"
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock)],
        stdout=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": ":".join(sys.path)},
    ) as holder:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        told: list[str] = []
        started = time.monotonic()
        with file_lock(lock, waiting=told.append):
            waited = time.monotonic() - started
        holder.wait(timeout=30)
    assert waited > 0.5  # it waited for the other process, not a timer
    assert told[0].startswith("floe: waiting for")
    assert told[1].startswith("floe: got")
    assert warehouse_lock_path(Path("/x/w.duckdb")) == Path("/x/w.duckdb.lock")


@pytest.mark.parametrize(
    ("error", "builtin", "code"),
    [
        (MaintenanceArgumentError("m", "h"), ValueError, IssueCode.INVALID_MAINTENANCE_ARGUMENT),
        (CompactionConflict("bronze.t", "m"), RuntimeError, IssueCode.COMPACTION_CONFLICT),
        (WarehouseNotFoundError("/x.duckdb"), FileNotFoundError, IssueCode.WAREHOUSE_NOT_FOUND),
        (CatalogUnavailableError("m"), Exception, IssueCode.CATALOG_UNAVAILABLE),
    ],
    ids=["argument", "conflict", "warehouse", "catalog"],
)
def test_lake_errors_are_floe_errors_and_what_they_replace(
    error: LakeError, builtin: type[Exception], code: IssueCode
) -> None:
    assert isinstance(error, FloeError)
    assert isinstance(error, builtin)
    assert error.codes == [code]
    assert error.issue.hint


def test_an_unreachable_catalog_database_names_it_without_the_password(tmp_path: Path) -> None:
    uri = f"postgresql+psycopg2://floe:s3cret@/iceberg?host={tmp_path}"
    with pytest.raises(CatalogUnavailableError) as raised:
        open_catalog("floe", {"type": "sql", "uri": uri})
    assert raised.value.codes == [IssueCode.CATALOG_UNAVAILABLE]
    assert "database 'iceberg'" in raised.value.issue.message
    assert "s3cret" not in str(raised.value)


def test_the_old_homes_of_the_lake_still_work_and_say_where_it_moved() -> None:
    import floe_dbt  # noqa: PLC0415

    with pytest.deprecated_call(match="floe_dagster.lake.file_lock"):
        assert callable(floe_dbt.file_lock)
    sys.modules.pop("floe_dagster.maintenance", None)
    with pytest.deprecated_call(match="import from floe_dagster.lake"):
        maintenance = importlib.import_module("floe_dagster.maintenance")
    assert maintenance.vacuum.__module__ == "floe_dagster.lake._vacuum"
