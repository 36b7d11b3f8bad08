"""``analyze``: DuckDB's ``ANALYZE`` on the warehouse's tables, in turn with dbt's writers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from floe_dagster.lake._errors import WarehouseNotFoundError
from floe_dagster.lake._locks import file_lock, warehouse_lock_path


def analyze(database: str | Path, tables: Sequence[str] | None = None) -> dict[str, int]:
    """DuckDB's ``ANALYZE`` on ``tables`` (``schema.table``; default: every table) of the
    warehouse file ``database``; returns each table's row count. Waits for floe's warehouse
    lock, so it never collides with a dbt run."""
    import duckdb  # noqa: PLC0415  # only where it runs: building definitions never needs it

    path = Path(database)
    if not path.is_file():
        raise WarehouseNotFoundError(str(path))
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
