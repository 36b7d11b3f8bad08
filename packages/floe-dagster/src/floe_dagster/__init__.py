"""floe-dagster: CompiledArtifacts -> dagster.Definitions, observability, and the floe CLI.

The public surface is what other components need (and ``floe_dagster.lake``, the
lake's maintenance functions): ``FloeDefinitions`` (the code location), ``FloeComponent``
(the same as a Dagster component of a ``dg`` project: ``type: floe_dagster.FloeComponent``),
``FloeDbtTranslator`` (to change a mapping decision), ``FloeDagsterError``, the two resources,
the factories a code location can call by hand (``build_definitions``, ``build_assets``,
``build_jobs``, ``build_schedules``), the race-safe Iceberg helpers and ``cli_main``.

>>> from floe_dagster import FloeDefinitions
>>> defs = FloeDefinitions.from_compiled_artifacts()  # doctest: +SKIP

The names below load on first use (PEP 562): ``floe validate`` on a broken floe.yaml, ``floe
compile`` and ``floe schema`` answer in a fraction of a second because they never import
Dagster, which takes seconds. ``from floe_dagster import X`` works as with any package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from floe_dagster._lazy import lazy_names

if TYPE_CHECKING:
    from floe_dagster._assets import BuiltAssets as BuiltAssets
    from floe_dagster._assets import build_assets as build_assets
    from floe_dagster._component.component import FloeComponent as FloeComponent
    from floe_dagster._component.component import FloeComponentError as FloeComponentError
    from floe_dagster._dbt.resource import FloeDbtCliResource as FloeDbtCliResource
    from floe_dagster._dbt.translator import FloeDbtTranslator as FloeDbtTranslator
    from floe_dagster._definitions import FloeDefinitions as FloeDefinitions
    from floe_dagster._definitions import build_definitions as build_definitions
    from floe_dagster._errors import FloeDagsterError as FloeDagsterError
    from floe_dagster._orchestration.jobs import build_jobs as build_jobs
    from floe_dagster._orchestration.schedules import build_schedules as build_schedules
    from floe_dagster._resources import IcebergCatalogResource as IcebergCatalogResource
    from floe_dagster.cli import main as cli_main
    from floe_dagster.lake import ensure_namespace as ensure_namespace
    from floe_dagster.lake import open_catalog as open_catalog
    from floe_dagster.lake import overwrite_rows as overwrite_rows

_EXPORTS: dict[str, tuple[str, str]] = {
    "BuiltAssets": ("floe_dagster._assets", "BuiltAssets"),
    "FloeComponent": ("floe_dagster._component.component", "FloeComponent"),
    "FloeComponentError": ("floe_dagster._component.component", "FloeComponentError"),
    "FloeDagsterError": ("floe_dagster._errors", "FloeDagsterError"),
    "FloeDbtCliResource": ("floe_dagster._dbt.resource", "FloeDbtCliResource"),
    "FloeDbtTranslator": ("floe_dagster._dbt.translator", "FloeDbtTranslator"),
    "FloeDefinitions": ("floe_dagster._definitions", "FloeDefinitions"),
    "IcebergCatalogResource": ("floe_dagster._resources", "IcebergCatalogResource"),
    "build_assets": ("floe_dagster._assets", "build_assets"),
    "build_definitions": ("floe_dagster._definitions", "build_definitions"),
    "build_jobs": ("floe_dagster._orchestration.jobs", "build_jobs"),
    "build_schedules": ("floe_dagster._orchestration.schedules", "build_schedules"),
    "cli_main": ("floe_dagster.cli", "main"),
    "ensure_namespace": ("floe_dagster.lake", "ensure_namespace"),
    "open_catalog": ("floe_dagster.lake", "open_catalog"),
    "overwrite_rows": ("floe_dagster.lake", "overwrite_rows"),
}

__all__ = [
    "BuiltAssets",
    "FloeComponent",
    "FloeComponentError",
    "FloeDagsterError",
    "FloeDbtCliResource",
    "FloeDbtTranslator",
    "FloeDefinitions",
    "IcebergCatalogResource",
    "build_assets",
    "build_definitions",
    "build_jobs",
    "build_schedules",
    "cli_main",
    "ensure_namespace",
    "open_catalog",
    "overwrite_rows",
]


__getattr__, __dir__ = lazy_names(__name__, _EXPORTS, __all__)

__version__ = "0.1.0"  # the wheel's version too (pyproject.toml reads it)
