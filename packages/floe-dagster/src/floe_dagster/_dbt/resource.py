"""``dbt``: dagster-dbt's CLI resource, told the dbt version instead of asking PyPI."""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from dagster_dbt import DbtCliResource
from packaging import version
from pydantic import Field

DBT_RESOURCE_KEY = "dbt"
log = logging.getLogger("floe")


class FloeDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, told the dbt version instead of asking ``dbt --version``, and
    opening dbt's adapter in the step's process only where something uses it.

    - ``dbt --version`` asks PyPI for the latest release on every run; floe runs dbt offline.
    - dagster-dbt's ``cli()`` loads the project, the profile and every macro into an adapter
      in the calling process, for its row count and column fetches. With the profile floe
      generates, floe reads those facts from its own DuckDB file, and the unused adapter was
      about a third of each dbt step process's CPU (docs/testing.md); floe builds the
      resource with ``in_process_adapter`` off then, and when ``table_metadata`` is off.

    Both override dagster-dbt's private members (``_cli_version``,
    ``_initialize_dbt_core_adapter``); ``tests/test_dagster_internals.py`` fails when an
    upgrade renames either.
    """

    in_process_adapter: bool = Field(
        default=True,
        description="Open dbt's adapter in the step's process, for dagster-dbt's row count "
        "and column fetches (off: the invocation has no adapter).",
    )

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        if not self.in_process_adapter:
            return None  # dagster-dbt's invocation takes no adapter (as with dbt Fusion)
        return super()._initialize_dbt_core_adapter(args)


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
