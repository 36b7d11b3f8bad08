"""``dbt``: dagster-dbt's CLI resource, told the dbt version instead of asking PyPI."""

from __future__ import annotations

import importlib.metadata
from functools import cached_property

from dagster_dbt import DbtCliResource
from packaging import version

DBT_RESOURCE_KEY = "dbt"


class FloeDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, told the dbt version instead of asking ``dbt --version``.

    ``dbt --version`` asks PyPI for the latest release on every run; floe runs dbt offline.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))
