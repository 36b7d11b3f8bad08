"""floe-dagster: CompiledArtifacts -> dagster.Definitions, observability, and the floe CLI.

>>> from floe_dagster import FloeDefinitions
>>> defs = FloeDefinitions.from_compiled_artifacts()  # doctest: +SKIP
"""

from floe_dagster._cli import main as cli_main
from floe_dagster._dbt import DbtLocation as DbtLocation
from floe_dagster._dbt import build_dbt_assets as build_dbt_assets
from floe_dagster._definitions import BuiltAssets as BuiltAssets
from floe_dagster._definitions import FloeDefinitions as FloeDefinitions
from floe_dagster._definitions import build_assets as build_assets
from floe_dagster._definitions import build_definitions as build_definitions
from floe_dagster._definitions import build_resources as build_resources
from floe_dagster._errors import FloeDagsterError as FloeDagsterError
from floe_dagster._jobs import build_batch_job as build_batch_job
from floe_dagster._jobs import build_jobs as build_jobs
from floe_dagster._jobs import build_ops_job as build_ops_job
from floe_dagster._resources import FloeDbtCliResource as FloeDbtCliResource
from floe_dagster._resources import IcebergCatalogResource as IcebergCatalogResource
from floe_dagster._schedules import build_schedule as build_schedule
from floe_dagster._schedules import build_schedules as build_schedules
from floe_dagster._selection import parse_selection as parse_selection
from floe_dagster._translator import FloeDbtTranslator as FloeDbtTranslator

__all__ = [
    "BuiltAssets",
    "DbtLocation",
    "FloeDagsterError",
    "FloeDbtCliResource",
    "FloeDbtTranslator",
    "FloeDefinitions",
    "IcebergCatalogResource",
    "build_assets",
    "build_batch_job",
    "build_dbt_assets",
    "build_definitions",
    "build_jobs",
    "build_ops_job",
    "build_resources",
    "build_schedule",
    "build_schedules",
    "cli_main",
    "parse_selection",
]
