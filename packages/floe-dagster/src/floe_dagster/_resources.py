"""The resources floe gives every code location: ``dbt`` and ``iceberg``."""

from __future__ import annotations

import importlib.metadata
from functools import cached_property
from typing import Any

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from packaging import version
from pyiceberg.catalog import Catalog

from floe_config import FloeConfig
from floe_dagster._dbt_settings import DbtSettings
from floe_dagster._iceberg import ensure_namespace, open_catalog
from floe_dbt import DbtRunner, dbt_executable


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
        """The catalog, opened safely even when many steps open an empty one at once."""
        return open_catalog(self.name, dict(self.properties))

    def namespace(self, name: str) -> Catalog:
        """The catalog, with namespace ``name`` created if it is missing (race-safe)."""
        catalog = self.load()
        ensure_namespace(catalog, name)
        return catalog

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.properties.get("type")}


ICEBERG_RESOURCE_KEY = "iceberg"
DBT_RESOURCE_KEY = "dbt"


def build_resources(config: FloeConfig, *, dbt: DbtSettings | None) -> dict[str, Any]:
    """``iceberg`` (floe.yaml's catalog) always; ``dbt`` when the config has a dbt project.

    floe generates the dbt profile from ``storage`` unless ``profiles_dir`` names the user's.
    """
    resources: dict[str, Any] = {
        ICEBERG_RESOURCE_KEY: IcebergCatalogResource(
            name=config.storage.catalog.name, properties=config.iceberg_catalog_properties()
        )
    }
    if dbt is not None:
        profiles_dir = dbt.profiles_dir
        if profiles_dir is None:
            runner = DbtRunner(
                project_dir=dbt.project_dir,
                state_dir=dbt.state_dir,
                config=config,
                target=dbt.target,
            )
            profiles_dir = runner.profiles_dir()
        resources[DBT_RESOURCE_KEY] = FloeDbtCliResource(
            project_dir=str(dbt.project_dir),
            profiles_dir=str(profiles_dir),
            target=dbt.target,
            dbt_executable=dbt_executable(),
        )
    return resources
