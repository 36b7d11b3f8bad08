"""Opening the Iceberg catalog so that many processes, on many machines, can do it at once.

A fresh PyIceberg SQL catalog creates its own tables on first use. Step processes that start
together (the four bronze assets of a first run) all try, and all but one fail: SQLite says
``table iceberg_tables already exists``, PostgreSQL ``duplicate key value violates unique
constraint "pg_type_typname_nsp_index"``. The same holds for two processes creating one
namespace. floe treats "someone else just created it" as success: it retries, and the retry
finds what the other process made. That needs no lock, so it holds across machines.

Writing is the same story one level up: runs of different partitions of one table commit at
the same time (a backfill's runs, or a run's step processes), and Iceberg's optimistic
concurrency lets one commit win and fails the others. ``overwrite_rows`` reloads the table and
commits again, which replaces exactly its own rows.

For an embedded SQLite catalog floe also switches the file to WAL, so readers never block the
writer, and waits up to 30 s for a lock instead of failing (``?timeout=30`` on the URI).
"""

from __future__ import annotations

import contextlib
import logging
import random
import sqlite3
import time
import warnings
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]  # no stubs; used for its schema only
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.exceptions import (
    CommitFailedException,
    NamespaceAlreadyExistsError,
    NoSuchTableError,
    TableAlreadyExistsError,
)
from pyiceberg.expressions import AlwaysTrue, BooleanExpression
from pyiceberg.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from floe_dagster.lake._errors import CatalogUnavailableError

log = logging.getLogger("floe")
ATTEMPTS = 6
_CONCURRENT_CREATION = (
    "already exists",
    "duplicate key",
    "unique constraint",
    "database is locked",
    "uniqueviolation",
)


def _created_concurrently(error: BaseException) -> bool:
    text = f"{type(error).__name__} {error}".lower()
    return any(marker in text for marker in _CONCURRENT_CREATION)


def _retrying(what: str, action: Any) -> Any:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return action()
        except DBAPIError as error:
            if attempt == ATTEMPTS or not _created_concurrently(error):
                raise
            log.debug("floe: %s raced another process (%s); retrying", what, error)
            time.sleep(random.uniform(0.05, 0.2) * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def sqlite_file(uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI (None for memory or any other database)."""
    prefix = "sqlite:///"
    if not uri.startswith(prefix):
        return None
    path = uri[len(prefix) :].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def _prepare_sqlite(uri: str) -> None:
    path = sqlite_file(uri)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=30)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()


def shown_uri(uri: str) -> str:
    """A catalog URI fit for a message: any password in it as ``***``."""
    try:
        shown: str = make_url(uri).render_as_string(hide_password=True)
    except ArgumentError:
        return "(its URI)"
    return shown


def open_catalog(name: str, properties: dict[str, str]) -> Catalog:
    """``pyiceberg.catalog.load_catalog(name, **properties)``, safe to call from many
    processes at once on an empty catalog. A database that cannot be reached is a
    ``CatalogUnavailableError`` that names it, not a driver traceback."""
    uri = properties.get("uri", "")
    if properties.get("type") == "sql":
        _prepare_sqlite(uri)
    try:
        return _retrying(f"opening catalog {name}", lambda: load_catalog(name, **properties))  # type: ignore[no-any-return]
    except OperationalError as error:
        reason = str(error.orig or error).strip().splitlines()[0]
        database = make_url(uri).database if uri.startswith(("postgres", "mysql")) else None
        named = f"database '{database}' at {shown_uri(uri)}" if database else shown_uri(uri)
        raise CatalogUnavailableError(
            f"the Iceberg catalog '{name}' cannot reach its {named}: {reason}"
        ) from None


def ensure_namespace(catalog: Catalog, namespace: str) -> None:
    """Create ``namespace`` unless it exists; another process creating it meanwhile is fine."""

    def create() -> None:
        with contextlib.suppress(NamespaceAlreadyExistsError):
            catalog.create_namespace(namespace)

    _retrying(f"creating namespace {namespace}", create)


def _table(catalog: Catalog, identifier: str, schema: pa.Schema) -> Table:
    """The table ``identifier``, created from ``schema`` if missing (by whichever process
    gets there first)."""
    try:
        return catalog.load_table(identifier)
    except NoSuchTableError:
        pass
    try:
        return catalog.create_table(identifier, schema=schema)
    except TableAlreadyExistsError:
        return catalog.load_table(identifier)  # another process created it meanwhile
    except DBAPIError as error:
        if not _created_concurrently(error):
            raise
        return catalog.load_table(identifier)


def overwrite_rows(
    catalog: Catalog,
    identifier: str,
    data: pa.Table,
    *,
    where: BooleanExpression | None = None,
) -> Table:
    """Replace the rows of ``identifier`` that match ``where`` (all, by default) with ``data``,
    in one Iceberg commit; safe while other processes write other rows of the same table.

    A missing table is created from ``data``'s schema; columns ``data`` adds are added to the
    table (schema evolution by name). A commit that loses the race to another writer is
    retried on the reloaded table. Returns the table after the commit.
    """
    for attempt in range(1, ATTEMPTS * 2 + 1):
        table = _table(catalog, identifier, data.schema)
        try:
            known = {field.name for field in table.schema().fields}
            if set(data.schema.names) - known:
                with table.update_schema() as update:
                    update.union_by_name(data.schema)
                table = catalog.load_table(identifier)
            with warnings.catch_warnings():  # replacing rows that are not there yet is normal
                warnings.filterwarnings("ignore", "Delete operation did not match any records")
                table.overwrite(data, overwrite_filter=where if where is not None else AlwaysTrue())
            return table
        except CommitFailedException as error:
            if attempt == ATTEMPTS * 2:
                raise
            log.debug("floe: %s: commit raced another writer (%s); retrying", identifier, error)
            time.sleep(random.uniform(0.05, 0.3) * attempt)
    raise AssertionError("unreachable")  # pragma: no cover
