"""The resources floe gives every code location: ``iceberg`` and ``warehouse`` (the lake, as
Dagster resources) and ``dbt`` (dagster-dbt's CLI resource on floe's dbt settings)."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dagster import ConfigurableResource, EnvVar, Failure
from pydantic import Field

from floe_config import FloeConfig, resolve_template
from floe_dagster._dbt.resource import DBT_RESOURCE_KEY, FloeDbtCliResource
from floe_dagster._dbt.settings import DbtSettings, metadata_through_adapter
from floe_dagster.lake._errors import CatalogUnavailableError
from floe_dagster.lake._keys import ICEBERG_RESOURCE_KEY, WAREHOUSE_RESOURCE_KEY
from floe_dagster.lake._locks import file_lock, warehouse_lock_path
from floe_dbt import DbtRunner, dbt_executable

if TYPE_CHECKING:  # loaded where a step opens them, never to build definitions
    import duckdb
    from pyiceberg.catalog import Catalog


class IcebergCatalogResource(ConfigurableResource[Any]):
    """The PyIceberg catalog of floe.yaml's ``storage.catalog``, as resource key ``iceberg``.

    Assets use it without importing floe::

        @asset(required_resource_keys={"iceberg"})
        def bronze_orders(context):
            catalog = context.resources.iceberg.load()

    A property that comes from the environment is configured as ``EnvVar("NAME")``, or, when
    the variable sits inside a longer value (``https://${HOST}/x``), as its template in
    ``templates``, resolved here when the catalog is loaded. Either way Dagster's snapshot and
    UI show variable names, never values.
    """

    name: str
    properties: dict[str, str]
    templates: dict[str, str] = Field(default_factory=dict)
    """Property -> floe.yaml template, resolved from the environment when the catalog loads."""

    def catalog_properties(self) -> dict[str, str]:
        """The properties for ``load_catalog``, every template resolved."""
        resolved = {k: resolve_template(t, env=os.environ) for k, t in self.templates.items()}
        return {**self.properties, **resolved}

    def load(self) -> Catalog:
        """The catalog, opened safely even when many steps open an empty one at once. In a
        step, a catalog database that cannot be reached fails the step with a ``Failure`` that
        names the database."""
        from floe_dagster.lake._iceberg import open_catalog  # noqa: PLC0415

        try:
            return open_catalog(self.name, self.catalog_properties())
        except CatalogUnavailableError as error:
            raise Failure(description=str(error), allow_retries=True) from None

    def namespace(self, name: str) -> Catalog:
        """The catalog, with namespace ``name`` created if it is missing (race-safe)."""
        from floe_dagster.lake._iceberg import ensure_namespace  # noqa: PLC0415

        catalog = self.load()
        ensure_namespace(catalog, name)
        return catalog

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.properties.get("type")}


class DuckDBWarehouseResource(ConfigurableResource[Any]):
    """floe.yaml's DuckDB warehouse (``storage.compute``), as resource key ``warehouse``:
    ``path``, ``lock()`` (the lock dbt steps take turns on) and ``connect()``."""

    path: str

    def lock(self) -> AbstractContextManager[None]:
        """Hold the warehouse's write lock (DuckDB allows one writing process per file)."""
        return file_lock(warehouse_lock_path(Path(self.path)))

    def connect(self, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        import duckdb  # noqa: PLC0415

        return duckdb.connect(self.path, read_only=read_only)


def dagster_value(config: FloeConfig, value: Any, path: str) -> Any:
    """``value`` as Dagster config: ``EnvVar("NAME")`` when it is one placeholder whose value
    came from the environment, else the value itself."""
    late = config.late_bound(value, path)
    if late is not None and late.whole and isinstance(value, str):
        return EnvVar(late.variables[0])
    return value


def iceberg_resource(config: FloeConfig) -> IcebergCatalogResource:
    """floe.yaml's catalog as the ``iceberg`` resource, environment values by name."""
    properties: dict[str, str] = {}
    templates: dict[str, str] = {}
    for key, (value, path) in config.iceberg_catalog_fields().items():
        late = config.late_bound(value, path)
        if late is not None and not late.whole:
            templates[key] = late.template
        else:
            properties[key] = dagster_value(config, value, path)
    catalog = config.storage.catalog
    return IcebergCatalogResource(
        name=dagster_value(config, catalog.name, "storage.catalog.name"),
        properties=properties,
        templates=templates,
    )


def build_resources(config: FloeConfig, *, dbt: DbtSettings | None) -> dict[str, Any]:
    """``iceberg`` (floe.yaml's catalog) and ``warehouse`` (its DuckDB file) always; ``dbt``
    when the config has a dbt project.

    floe generates the dbt profile from ``storage`` unless ``profiles_dir`` names the user's.
    Values that come from the environment reach Dagster by name (``EnvVar``).
    """
    compute = config.storage.compute
    resources: dict[str, Any] = {
        ICEBERG_RESOURCE_KEY: iceberg_resource(config),
        WAREHOUSE_RESOURCE_KEY: DuckDBWarehouseResource(
            path=dagster_value(config, str(config.path(compute.path)), "storage.compute.path")
        ),
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
        target = dbt.target
        if target is not None and dbt.target_key is not None:
            target = dagster_value(config, target, dbt.target_key)
        resources[DBT_RESOURCE_KEY] = FloeDbtCliResource(
            # dagster-dbt's __init__ takes its DbtProject; the pydantic field it fills is a str
            project_dir=dbt.project or str(dbt.project_dir),  # type: ignore[arg-type]
            profiles_dir=str(profiles_dir),
            target=target,
            dbt_executable=dbt_executable(),
            in_process_adapter=metadata_through_adapter(config, dbt),
        )
    return resources
