"""floe's lake: Iceberg tables and the DuckDB warehouse, usable from any floe component.

Plain functions over PyIceberg and DuckDB; nothing here imports Dagster, so another component
can ``from floe_dagster.lake import vacuum`` without loading it. floe.yaml's ``ops`` jobs call
them (the demo's ``vacuum_tables``, ``compact_tables`` and ``analyze_warehouse``).

- Opening the catalog and writing tables so that many processes, on many machines, can do it
  at once: ``open_catalog``, ``ensure_namespace``, ``overwrite_rows``.
- Maintenance: ``vacuum`` (expire snapshots, delete the files only they referenced and old
  orphans), ``compact`` (rewrite small data files into few, rows unchanged), ``analyze``
  (DuckDB statistics, in turn with dbt's writers).
- The locks processes take turns on: ``file_lock``, ``warehouse_lock_path``.
- Errors are ``FloeError`` records with a code (``LakeError`` and its kinds); each also is
  the built-in error it replaces (``ValueError``, ``RuntimeError``, ``FileNotFoundError``).

>>> from floe_dagster.lake import vacuum, compact, analyze
>>> orders = catalog.load_table("bronze.orders")  # doctest: +SKIP
>>> vacuum(orders, retention=timedelta(days=7)).summary()  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from floe_dagster._lazy import lazy_names

if TYPE_CHECKING:
    from floe_dagster.lake._compact import TARGET_FILE_SIZE_PROPERTY as TARGET_FILE_SIZE_PROPERTY
    from floe_dagster.lake._compact import CompactReport as CompactReport
    from floe_dagster.lake._compact import compact as compact
    from floe_dagster.lake._errors import CatalogUnavailableError as CatalogUnavailableError
    from floe_dagster.lake._errors import CompactionConflict as CompactionConflict
    from floe_dagster.lake._errors import CompactionLostRows as CompactionLostRows
    from floe_dagster.lake._errors import LakeError as LakeError
    from floe_dagster.lake._errors import MaintenanceArgumentError as MaintenanceArgumentError
    from floe_dagster.lake._errors import WarehouseNotFoundError as WarehouseNotFoundError
    from floe_dagster.lake._iceberg import ensure_namespace as ensure_namespace
    from floe_dagster.lake._iceberg import open_catalog as open_catalog
    from floe_dagster.lake._iceberg import overwrite_rows as overwrite_rows
    from floe_dagster.lake._keys import ICEBERG_RESOURCE_KEY as ICEBERG_RESOURCE_KEY
    from floe_dagster.lake._keys import WAREHOUSE_RESOURCE_KEY as WAREHOUSE_RESOURCE_KEY
    from floe_dagster.lake._locks import file_lock as file_lock
    from floe_dagster.lake._locks import warehouse_lock_path as warehouse_lock_path
    from floe_dagster.lake._vacuum import DEFAULT_ORPHAN_GRACE as DEFAULT_ORPHAN_GRACE
    from floe_dagster.lake._vacuum import VacuumReport as VacuumReport
    from floe_dagster.lake._vacuum import vacuum as vacuum
    from floe_dagster.lake._warehouse import analyze as analyze

_HOME: dict[str, tuple[str, str]] = {
    "TARGET_FILE_SIZE_PROPERTY": ("floe_dagster.lake._compact", "TARGET_FILE_SIZE_PROPERTY"),
    "CompactReport": ("floe_dagster.lake._compact", "CompactReport"),
    "compact": ("floe_dagster.lake._compact", "compact"),
    "CatalogUnavailableError": ("floe_dagster.lake._errors", "CatalogUnavailableError"),
    "CompactionConflict": ("floe_dagster.lake._errors", "CompactionConflict"),
    "CompactionLostRows": ("floe_dagster.lake._errors", "CompactionLostRows"),
    "LakeError": ("floe_dagster.lake._errors", "LakeError"),
    "MaintenanceArgumentError": ("floe_dagster.lake._errors", "MaintenanceArgumentError"),
    "WarehouseNotFoundError": ("floe_dagster.lake._errors", "WarehouseNotFoundError"),
    "ICEBERG_RESOURCE_KEY": ("floe_dagster.lake._keys", "ICEBERG_RESOURCE_KEY"),
    "ensure_namespace": ("floe_dagster.lake._iceberg", "ensure_namespace"),
    "open_catalog": ("floe_dagster.lake._iceberg", "open_catalog"),
    "overwrite_rows": ("floe_dagster.lake._iceberg", "overwrite_rows"),
    "file_lock": ("floe_dagster.lake._locks", "file_lock"),
    "warehouse_lock_path": ("floe_dagster.lake._locks", "warehouse_lock_path"),
    "DEFAULT_ORPHAN_GRACE": ("floe_dagster.lake._vacuum", "DEFAULT_ORPHAN_GRACE"),
    "VacuumReport": ("floe_dagster.lake._vacuum", "VacuumReport"),
    "vacuum": ("floe_dagster.lake._vacuum", "vacuum"),
    "WAREHOUSE_RESOURCE_KEY": ("floe_dagster.lake._keys", "WAREHOUSE_RESOURCE_KEY"),
    "analyze": ("floe_dagster.lake._warehouse", "analyze"),
}
"""Where each name lives: a name loads its module (PyIceberg, DuckDB) on first use."""


__all__ = [
    "DEFAULT_ORPHAN_GRACE",
    "ICEBERG_RESOURCE_KEY",
    "TARGET_FILE_SIZE_PROPERTY",
    "WAREHOUSE_RESOURCE_KEY",
    "CatalogUnavailableError",
    "CompactReport",
    "CompactionConflict",
    "CompactionLostRows",
    "LakeError",
    "MaintenanceArgumentError",
    "VacuumReport",
    "WarehouseNotFoundError",
    "analyze",
    "compact",
    "ensure_namespace",
    "file_lock",
    "open_catalog",
    "overwrite_rows",
    "vacuum",
    "warehouse_lock_path",
]

__getattr__, __dir__ = lazy_names(__name__, _HOME, __all__)
