"""Row counts and column schemas of dbt models after their step (``orchestration.dbt.
table_metadata``), as the materializations' ``dagster/row_count`` and ``dagster/column_schema``.

Two ways, one result:

- **floe's own DuckDB warehouse** (the profile floe generates): once dbt has exited, under
  floe's warehouse lock, one read-only DuckDB connection, one query for every model's columns
  (``duckdb_columns()``) and one ``count(*)`` per table, batched into a few statements. It
  loads no dbt adapter and no plugin; at 1,000 tables dagster-dbt's per-model fetches tripled
  the dbt step (``//bench:dbt_metadata``, docs/DECISIONS.md).
- **any other warehouse** (a profile of your own): dagster-dbt's ``fetch_row_counts`` and
  ``fetch_column_metadata``, which work through the dbt adapter of whatever engine it is.

Either way a view (or ephemeral model) says why it has no count, and a fact that could not be
read is a warning in the step's log and a note on the materialization, never silently absent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetMaterialization, MetadataValue, Output, TableColumn, TableSchema

from floe_dagster._dbt.resource import release_adapter

NOT_COUNTED = {
    "view": "not counted: a view (counting would run its query)",
    "ephemeral": "not counted: an ephemeral model (no relation of its own)",
}
"""Why a model's materialization carries no row count, by its materialization."""
COUNTS_PER_QUERY = 200
RELATIONS = {"model", "seed", "snapshot"}
"""The dbt nodes that are tables or views (a test's events carry a unique_id too)."""


def _unique_id(event: Any) -> str | None:
    metadata = getattr(event, "metadata", None) or {}
    return getattr(metadata.get("unique_id"), "text", None)


def _model_of(event: Any, nodes: Mapping[str, Any]) -> str | None:
    """The unique_id of the model, seed or snapshot ``event`` materialized, or None."""
    if not isinstance(event, (Output, AssetMaterialization)):
        return None
    uid = _unique_id(event)
    props = nodes.get(uid) if uid else None
    return uid if props is not None and props.get("resource_type") in RELATIONS else None


def _relation(props: Mapping[str, Any]) -> tuple[str, str]:
    return str(props.get("schema", "")), str(props.get("alias") or props.get("name", ""))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def duckdb_facts(
    database: Path, nodes: Mapping[str, Mapping[str, Any]]
) -> tuple[dict[str, int], dict[str, list[tuple[str, str]]]]:
    """(row count by unique_id for each table, columns by unique_id for every model) of
    ``nodes`` in the DuckDB file ``database``, read in one read-only connection."""
    import duckdb  # noqa: PLC0415 - a step that writes no table never loads it

    wanted = {_relation(props): uid for uid, props in nodes.items()}
    columns: dict[str, list[tuple[str, str]]] = {}
    counts: dict[str, int] = {}
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            "where database_name = current_database() order by schema_name, table_name, "
            "column_index"
        ).fetchall()
        for schema, table, column, kind in rows:
            uid = wanted.get((schema, table))
            if uid is not None:
                columns.setdefault(uid, []).append((column, kind))
        tables = [
            uid
            for uid, props in nodes.items()
            if props.get("config", {}).get("materialized") not in NOT_COUNTED and uid in columns
        ]
        for start in range(0, len(tables), COUNTS_PER_QUERY):
            batch = tables[start : start + COUNTS_PER_QUERY]
            query = " union all ".join(
                f"select {index} as i, count(*) as n from "
                f"{_quoted(_relation(nodes[uid])[0])}.{_quoted(_relation(nodes[uid])[1])}"
                for index, uid in enumerate(batch)
            )
            for index, count in connection.execute(query).fetchall():
                counts[batch[index]] = int(count)
    return counts, columns


def with_duckdb_metadata(
    log: Any, events: Iterator[Any], database: Path, nodes: Mapping[str, Any]
) -> Iterator[Any]:
    """``events`` (held until dbt has exited: DuckDB lets one process write the file) with the
    row counts and columns of the models they materialized. When dbt fails (a model or a
    blocking test), what it built is still yielded, with its facts, before the failure is."""
    held: list[Any] = []
    failure: Exception | None = None
    try:
        held.extend(events)
    except Exception as error:  # re-raised below, after what dbt built
        failure = error
    built = {uid: nodes[uid] for e in held if (uid := _model_of(e, nodes)) is not None}
    counts: dict[str, int] = {}
    columns: dict[str, list[tuple[str, str]]] = {}
    if built:
        try:
            counts, columns = duckdb_facts(database, built)
        except Exception as error:
            log.warning(f"floe: could not read row counts and columns from {database}: {error}")
    for event in held:
        uid = _model_of(event, nodes)
        if uid is None or not hasattr(event, "with_metadata"):
            yield event
            continue
        found: dict[str, Any] = {}
        if uid in counts:  # the keys dagster-dbt and Python assets use (TableMetadataSet's)
            found["dagster/row_count"] = MetadataValue.int(counts[uid])
        if uid in columns:
            schema = TableSchema(columns=[TableColumn(name, kind) for name, kind in columns[uid]])
            found["dagster/column_schema"] = MetadataValue.table_schema(schema)
        yield noted(log, event.with_metadata({**event.metadata, **found}), built[uid])
    if failure is not None:
        raise failure


def with_adapter_metadata(
    log: Any, invocation: Any, streamed: Any, nodes: Mapping[str, Any]
) -> Iterator[Any]:
    """dagster-dbt's fetches through the dbt adapter, for a warehouse floe does not own. They
    change the process's directory in their threads (``pushd``), which overlapping threads can
    leave in the dbt project, and keep the adapter's connections open: both are undone."""
    cwd = os.getcwd()
    try:
        fetched = streamed.fetch_row_counts().fetch_column_metadata(with_column_lineage=False)
        for event in fetched:
            uid = _model_of(event, nodes)
            yield noted(log, event, nodes[uid]) if uid is not None else event
    finally:
        release_adapter(invocation.adapter)
        os.chdir(cwd)


def noted(log: Any, event: Any, props: Mapping[str, Any]) -> Any:
    """``event`` with a note where a count or the columns are missing, and why; a fetch that
    failed is also a warning in the step's log."""
    if not hasattr(event, "with_metadata"):
        return event
    metadata = event.metadata
    uid = props.get("unique_id", "")
    materialized = props.get("config", {}).get("materialized")
    notes: dict[str, str] = {}
    if materialized in NOT_COUNTED:
        notes["floe/row_count"] = NOT_COUNTED[materialized]
    elif "dagster/row_count" not in metadata:
        log.warning(f"floe: no row count for {uid}: the count could not be read (see above)")
        notes["floe/row_count"] = "the count could not be read; see the step's log"
    if "dagster/column_schema" not in metadata and materialized != "ephemeral":
        log.warning(f"floe: no column schema for {uid}: the columns could not be read")
        notes["floe/column_schema"] = "the columns could not be read; see the step's log"
    return event.with_metadata({**metadata, **notes}) if notes else event


def table_metadata(
    log: Any,
    invocation: Any,
    streamed: Any,
    *,
    database: Path | None,
    nodes: Mapping[str, Any],
) -> Iterator[Any]:
    """The events of a dbt step with their models' row counts and columns: from floe's DuckDB
    file ``database`` when floe generated the profile, else through dagster-dbt."""
    if database is not None:
        return with_duckdb_metadata(log, streamed, database, nodes)
    return with_adapter_metadata(log, invocation, streamed, nodes)
