"""``dbt``: dagster-dbt's CLI resource, told the dbt version instead of asking PyPI."""

from __future__ import annotations

import importlib.metadata
import logging
from functools import cached_property
from typing import Any

from dagster_dbt import DbtCliResource
from packaging import version

DBT_RESOURCE_KEY = "dbt"
log = logging.getLogger("floe")


class FloeDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, told the dbt version instead of asking ``dbt --version``.

    ``dbt --version`` asks PyPI for the latest release on every run; floe runs dbt offline.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))


def release_adapter(adapter: Any) -> None:
    """Close what the in-process dbt ``adapter`` opened to fetch metadata (row counts, columns).

    dbt-duckdb keeps one DuckDB database open per process for its adapters (the class-level
    ``DuckDBConnectionManager._ENV``) until the process exits. A step process exits soon, but
    an in-process run (``floe backfill --in-process``, ``execute_in_process``) would keep the
    warehouse file open, and the next ``dbt build`` (another process) could not open it."""
    if adapter is None:
        return
    try:
        adapter.cleanup_connections()
        manager = type(adapter.connections)
        environment = getattr(manager, "_ENV", None)  # dbt-duckdb's shared database
        if environment is not None:
            environment.close()
            manager.close_all_connections()
    except Exception as error:
        log.warning("floe: could not close dbt's in-process connection: %s", error)
