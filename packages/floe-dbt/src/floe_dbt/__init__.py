"""floe-dbt: the dbt side of floe.

Reads and validates a dbt ``manifest.json`` into a typed model graph, maps dbt sources to the
Python assets that produce them, and runs dbt safely (generated DuckDB profile, state under a
writable directory, no network but the installs of the dbt packages a project declares).
Depends on floe-config only; never imports dagster.

>>> manifest = load_manifest("dbt/target/manifest.json")  # doctest: +SKIP
>>> sorted(manifest.models)  # doctest: +SKIP
['customer_orders', 'revenue_by_product', 'stg_customers', ...]
"""

from floe_dbt._cli import main as cli_main
from floe_dbt._deprecated import MOVED as _MOVED
from floe_dbt._deprecated import moved as _moved
from floe_dbt._errors import FloeDbtError as FloeDbtError
from floe_dbt._files import copy_atomically as copy_atomically
from floe_dbt._files import write_atomically as write_atomically
from floe_dbt._freshness import Staleness as Staleness
from floe_dbt._freshness import manifest_staleness as manifest_staleness
from floe_dbt._freshness import parsed_files as parsed_files
from floe_dbt._manifest import SUPPORTED_SCHEMA_VERSIONS as SUPPORTED_SCHEMA_VERSIONS
from floe_dbt._manifest import DbtManifest as DbtManifest
from floe_dbt._manifest import load_manifest as load_manifest
from floe_dbt._manifest import manifest_from_raw as manifest_from_raw
from floe_dbt._nodes import DbtColumn as DbtColumn
from floe_dbt._nodes import DbtNode as DbtNode
from floe_dbt._nodes import DbtTest as DbtTest
from floe_dbt._profiles import duckdb_profile as duckdb_profile
from floe_dbt._profiles import project_profile_name as project_profile_name
from floe_dbt._results import DbtNodeResult as DbtNodeResult
from floe_dbt._results import read_run_results as read_run_results
from floe_dbt._runner import DEPENDENCY_FILES as DEPENDENCY_FILES
from floe_dbt._runner import OFFLINE_ENV as OFFLINE_ENV
from floe_dbt._runner import DbtResult as DbtResult
from floe_dbt._runner import DbtRunner as DbtRunner
from floe_dbt._runner import dbt_executable as dbt_executable
from floe_dbt._runner import install_packages as install_packages
from floe_dbt._runner import step_target_path as step_target_path
from floe_dbt._sources import declared_asset_key as declared_asset_key
from floe_dbt._sources import source_asset_key as source_asset_key

__all__ = [
    "DEPENDENCY_FILES",
    "OFFLINE_ENV",
    "SUPPORTED_SCHEMA_VERSIONS",
    "DbtColumn",
    "DbtManifest",
    "DbtNode",
    "DbtNodeResult",
    "DbtResult",
    "DbtRunner",
    "DbtTest",
    "FloeDbtError",
    "Staleness",
    "cli_main",
    "copy_atomically",
    "dbt_executable",
    "declared_asset_key",
    "duckdb_profile",
    "install_packages",
    "load_manifest",
    "manifest_from_raw",
    "manifest_staleness",
    "parsed_files",
    "project_profile_name",
    "read_run_results",
    "source_asset_key",
    "step_target_path",
    "write_atomically",
]


def __getattr__(name: str) -> object:
    if name in _MOVED:  # deprecated: floe_dagster.lake owns the lake's locks now
        return _moved(name)
    raise AttributeError(f"module 'floe_dbt' has no attribute {name!r}")


__version__ = "0.1.0"  # the wheel's version too (pyproject.toml reads it)
