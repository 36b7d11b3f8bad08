"""The resources floe gives every code location: ``dbt`` and ``iceberg``."""

from __future__ import annotations

import importlib.metadata
from functools import cached_property
from typing import Any

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from packaging import version
from pyiceberg.catalog import Catalog, load_catalog


class FloeDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, told the dbt version instead of asking ``dbt --version``.

    ``dbt --version`` asks PyPI for the latest release on every run; floe runs dbt offline.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))


class IcebergCatalogResource(ConfigurableResource[Any]):
    """The PyIceberg catalog of floe.yaml's ``storage.catalog``, as resource key ``iceberg``.

    Assets use it without importing floe::

        @asset(required_resource_keys={"iceberg"})
        def bronze_orders(context):
            catalog = context.resources.iceberg.load()
    """

    name: str
    properties: dict[str, str]

    def load(self) -> Catalog:
        return load_catalog(self.name, **self.properties)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.properties.get("type")}
