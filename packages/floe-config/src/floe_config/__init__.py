"""floe-config: the floe.yaml contract.

Schema, ``${VAR:default}`` interpolation, validation with precise errors, and the versioned
CompiledArtifacts that floe-dagster reads. Imports no other floe package, and no dagster.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "floe.yaml").write_text("name: demo\\n")
>>> load_config(folder / "floe.yaml", env={}).name
'demo'
"""

from floe_config._artifacts import DEFAULT_ARTIFACT_NAME as DEFAULT_ARTIFACT_NAME
from floe_config._artifacts import GRAMMAR_VERSION as GRAMMAR_VERSION
from floe_config._artifacts import SCHEMA_VERSION as SCHEMA_VERSION
from floe_config._artifacts import ArtifactVariable as ArtifactVariable
from floe_config._artifacts import CompiledArtifacts as CompiledArtifacts
from floe_config._artifacts import artifacts_from_json as artifacts_from_json
from floe_config._artifacts import compile_artifacts as compile_artifacts
from floe_config._artifacts import read_artifacts as read_artifacts
from floe_config._artifacts import resolve as resolve
from floe_config._artifacts import write_artifacts as write_artifacts
from floe_config._codes import IssueCode as IssueCode
from floe_config._errors import ConfigIssue as ConfigIssue
from floe_config._errors import FloeConfigError as FloeConfigError
from floe_config._errors import FloeError as FloeError
from floe_config._interpolate import VariableUse as VariableUse
from floe_config._interpolate import resolve_template as resolve_template
from floe_config._interpolate import split_template as split_template
from floe_config._jsonschema import artifacts_json_schema as artifacts_json_schema
from floe_config._jsonschema import floe_yaml_json_schema as floe_yaml_json_schema
from floe_config._loader import load_config as load_config
from floe_config._loader import salvage_config as salvage_config
from floe_config._manifest_location import locate_manifest as locate_manifest
from floe_config._manifest_location import manifest_fix as manifest_fix
from floe_config._manifest_location import workspace_root as workspace_root
from floe_config._model import STATE_ENV as STATE_ENV
from floe_config._model import Catalog as Catalog
from floe_config._model import Compute as Compute
from floe_config._model import ConfigSource as ConfigSource
from floe_config._model import FloeConfig as FloeConfig
from floe_config._model import Lineage as Lineage
from floe_config._model import Observability as Observability
from floe_config._model import Storage as Storage
from floe_config._model import Traces as Traces
from floe_config._model import state_directory as state_directory
from floe_config._model_orchestration import AssetConfig as AssetConfig
from floe_config._model_orchestration import AssetSensor as AssetSensor
from floe_config._model_orchestration import Backfill as Backfill
from floe_config._model_orchestration import BackfillPolicy as BackfillPolicy
from floe_config._model_orchestration import BatchJob as BatchJob
from floe_config._model_orchestration import CustomSensor as CustomSensor
from floe_config._model_orchestration import DbtOrchestration as DbtOrchestration
from floe_config._model_orchestration import EagerCondition as EagerCondition
from floe_config._model_orchestration import FileWatcherSensor as FileWatcherSensor
from floe_config._model_orchestration import OnCronCondition as OnCronCondition
from floe_config._model_orchestration import OnMissingCondition as OnMissingCondition
from floe_config._model_orchestration import OpsJob as OpsJob
from floe_config._model_orchestration import Orchestration as Orchestration
from floe_config._model_orchestration import RunStatusSensor as RunStatusSensor
from floe_config._model_orchestration import Schedule as Schedule
from floe_config._model_partitions import DynamicPartitions as DynamicPartitions
from floe_config._model_partitions import MultiPartitions as MultiPartitions
from floe_config._model_partitions import PartitionRef as PartitionRef
from floe_config._model_partitions import StaticPartitions as StaticPartitions
from floe_config._model_partitions import TimeWindowPartitions as TimeWindowPartitions
from floe_config._secrets import SECRET_WORDS as SECRET_WORDS
from floe_config._secrets import EnvValue as EnvValue
from floe_config._secrets import looks_secret as looks_secret
from floe_config._source_map import KeyPath as KeyPath
from floe_config._source_map import Position as Position
from floe_config._source_map import SourceEntry as SourceEntry
from floe_config._source_map import SourceMap as SourceMap
from floe_config._source_map import render_path as render_path
from floe_config._types import suggest as suggest

__all__ = [
    "DEFAULT_ARTIFACT_NAME",
    "GRAMMAR_VERSION",
    "SCHEMA_VERSION",
    "SECRET_WORDS",
    "STATE_ENV",
    "ArtifactVariable",
    "AssetConfig",
    "AssetSensor",
    "Backfill",
    "BackfillPolicy",
    "BatchJob",
    "Catalog",
    "CompiledArtifacts",
    "Compute",
    "ConfigIssue",
    "ConfigSource",
    "CustomSensor",
    "DbtOrchestration",
    "DynamicPartitions",
    "EagerCondition",
    "EnvValue",
    "FileWatcherSensor",
    "FloeConfig",
    "FloeConfigError",
    "FloeError",
    "IssueCode",
    "KeyPath",
    "Lineage",
    "MultiPartitions",
    "Observability",
    "OnCronCondition",
    "OnMissingCondition",
    "OpsJob",
    "Orchestration",
    "PartitionRef",
    "Position",
    "RunStatusSensor",
    "Schedule",
    "SourceEntry",
    "SourceMap",
    "StaticPartitions",
    "Storage",
    "TimeWindowPartitions",
    "Traces",
    "VariableUse",
    "artifacts_from_json",
    "artifacts_json_schema",
    "compile_artifacts",
    "floe_yaml_json_schema",
    "load_config",
    "locate_manifest",
    "looks_secret",
    "manifest_fix",
    "read_artifacts",
    "render_path",
    "resolve",
    "resolve_template",
    "salvage_config",
    "split_template",
    "state_directory",
    "suggest",
    "workspace_root",
    "write_artifacts",
]

__version__ = "0.1.0"  # the wheel's version too (pyproject.toml reads it)
