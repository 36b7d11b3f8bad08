"""The lake's errors: ``FloeError`` records with a code, and the built-in type each replaces, so
``except ValueError`` written against the earlier bare errors still catches them."""

from __future__ import annotations

from floe_config import ConfigIssue, FloeError, IssueCode


class LakeError(FloeError):
    """A lake operation that cannot be done: one issue about one table, file or database."""

    def __init__(
        self, code: IssueCode, message: str, *, about: str | None = None, hint: str | None = None
    ) -> None:
        super().__init__([ConfigIssue(code=code, path="", message=message, file=about, hint=hint)])


class MaintenanceArgumentError(LakeError, ValueError):
    """A maintenance function got an argument it cannot work with
    (``invalid_maintenance_argument``)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(IssueCode.INVALID_MAINTENANCE_ARGUMENT, message, hint=hint)


class CatalogUnavailableError(LakeError):
    """The catalog's database cannot be reached (``catalog_unavailable``). The text names the
    database (never a password) and says what to check."""

    def __init__(self, message: str) -> None:
        super().__init__(
            IssueCode.CATALOG_UNAVAILABLE,
            message,
            hint="check that the database server is running and that storage.catalog.uri "
            "points at it",
        )


class CompactionConflict(LakeError, RuntimeError):
    """Another writer committed to the table while it was compacted; nothing was rewritten
    (``compaction_conflict``)."""

    def __init__(self, table: str, message: str) -> None:
        super().__init__(
            IssueCode.COMPACTION_CONFLICT,
            message,
            about=table,
            hint="run the compaction again",
        )


class CompactionLostRows(LakeError, RuntimeError):
    """A compaction's commit holds another number of rows than it read (``compaction_lost_rows``):
    an Iceberg bug, if it ever happens; the snapshot before it still holds every row."""

    def __init__(self, table: str, before: int, after: int) -> None:
        super().__init__(
            IssueCode.COMPACTION_LOST_ROWS,
            f"{before} rows before compaction, {after} after",
            about=table,
            hint="roll the table back to the snapshot before the compaction",
        )


class WarehouseNotFoundError(LakeError, FileNotFoundError):
    """There is no DuckDB warehouse at the path (``warehouse_not_found``)."""

    def __init__(self, path: str) -> None:
        super().__init__(
            IssueCode.WAREHOUSE_NOT_FOUND,
            "no DuckDB warehouse here",
            about=path,
            hint="point it at storage.compute.path, after a first dbt run created the file",
        )
