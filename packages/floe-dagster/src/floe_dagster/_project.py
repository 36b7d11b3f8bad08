"""What every way of running floe shares: the starter files, dbt parse with floe's profile,
compiling floe.yaml into an artifact, and finding that artifact again.

The ``floe`` command (``floe_dagster.cli``) and the Dagster component both build on these; they
never import each other. Nothing here prints: the callers show progress their own way. Importing
this module imports no Dagster (``floe init`` and ``floe dev``'s arguments stay fast).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from floe_config import (
    DEFAULT_ARTIFACT_NAME,
    ConfigIssue,
    FloeConfig,
    FloeConfigError,
    IssueCode,
    compile_artifacts,
    locate_manifest,
    read_artifacts,
    write_artifacts,
)
from floe_dagster._errors import Problems
from floe_dbt import DbtRunner, FloeDbtError, load_manifest

ARTIFACT_ENV = "FLOE_COMPILED_ARTIFACTS"
"""The environment variable naming the compiled artifact a code location loads."""

STARTER_FLOE_YAML = """\
# floe.yaml: this dbt project as a Dagster code location. Every dbt model, seed and snapshot
# becomes its own asset, with a trace span and OpenLineage events per model.
#   floe validate   check everything (also what dbt and the Python modules define)
#   floe plan       what this file will do: assets, jobs, next schedule ticks, changes
#   floe dev        the Dagster UI at http://127.0.0.1:3000, state in .floe/ next to this file
# ${{VAR:default}} reads an environment variable, with the default after the colon.
name: {name}
version: "0.1.0"

transforms:
  dbt:
    project_dir: .                  # the folder that holds dbt_project.yml

storage:                            # floe generates the dbt profile (DuckDB) from this
  catalog:                          # Iceberg tables, for Python assets that write them
    type: ${{FLOE_CATALOG_TYPE:sql}}
    uri: ${{FLOE_CATALOG_URI:sqlite:///.floe/catalog.db}}
    warehouse: ${{FLOE_WAREHOUSE:.floe/warehouse}}
  compute:
    type: duckdb
    path: ${{FLOE_DUCKDB_PATH:.floe/warehouse.duckdb}}

observability:                      # JSON lines in .floe/observability/ until you set a URL
  service_name: {name}
  traces:
    enabled: ${{FLOE_TRACES_ENABLED:true}}
  lineage:
    enabled: ${{FLOE_LINEAGE_ENABLED:true}}
    namespace: ${{OPENLINEAGE_NAMESPACE:{name}}}
    transport: ${{FLOE_LINEAGE_TRANSPORT:file}}
    url: ${{OPENLINEAGE_URL:}}

orchestration:
  # asset_modules: [assets]         # Python modules whose @asset functions join the graph
  dbt:
    manifest_path: target/manifest.json   # `floe parse` (or `dbt parse`) writes it
    observability_level: per_model
  jobs:
    all_models:
      type: batch
      selection: ["*"]              # Dagster's selection syntax: "+orders", "tag:daily", ...
      description: Every dbt model, seed and snapshot, in dependency order
  schedules:
    nightly:
      job: all_models
      cron_schedule: "0 2 * * *"
      timezone: UTC                 # any IANA zone: Europe/Paris, America/New_York, ...
      enabled: false                # true: every night at 02:00
"""
STARTER_DEFINITIONS = '''\
"""The Dagster code location: `floe dev` serves it (or `floe compile`, then `dagster dev -f`)."""

from floe_dagster import FloeDefinitions

defs = FloeDefinitions.from_compiled_artifacts()
'''


def project_name(dbt_project: Path) -> str:
    """floe.yaml's ``name``: the dbt project's, as a lowercase identifier."""
    try:
        raw: Any = yaml.safe_load(dbt_project.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        raw = None
    name = raw.get("name") if isinstance(raw, dict) else None
    text = re.sub(r"[^a-z0-9_]+", "_", str(name or dbt_project.parent.name).lower()).strip("_")
    if not text or not text[0].isalpha():
        text = f"project_{text}".rstrip("_")
    return text


def parse(config: FloeConfig, env: Mapping[str, str]) -> Path:
    """``dbt parse`` with floe's profile; the manifest goes where floe.yaml reads it."""
    if config.orchestration.dbt is None or not config.dbt_manifest_path:
        raise FloeDbtError(
            "floe.yaml has no orchestration.dbt: there is no manifest to parse",
            code=IssueCode.MISSING_MANIFEST_PATH,
            path=str(config.source.file),
            hint="add orchestration.dbt with manifest_path (floe init writes one)",
        )
    from floe_dagster._dbt.settings import dbt_settings  # noqa: PLC0415 - dagster-dbt is slow

    destination = config.path(config.dbt_manifest_path)
    problems = Problems()
    settings = dbt_settings(config, manifest_path=destination, env=env, problems=problems)
    problems.raise_if_any()
    runner = DbtRunner(
        project_dir=settings.project_dir,
        state_dir=settings.state_dir / "parse",
        config=config,
        profiles_dir=settings.profiles_dir,
        target=settings.target,
        env=env,
    )
    manifest = runner.parse()
    load_manifest(manifest)  # one floe can read
    destination.parent.mkdir(parents=True, exist_ok=True)
    if manifest.absolute() != destination.absolute():
        shutil.copyfile(manifest, destination)
    return destination


def compile_project(
    config: FloeConfig, *, output: Path, env: Mapping[str, str], manifest: Path | None = None
) -> Path | None:
    """``config``'s floe.yaml compiled into the artifact ``output``, its dbt project parsed
    first when floe.yaml's manifest is not there yet (``manifest`` names another one); returns
    the manifest the artifact names (None without dbt)."""
    if manifest is None and config.dbt_manifest_path:
        located = locate_manifest(config)
        if located is not None and not located.is_file():
            parse(config, env)  # a fresh project: dbt parse it first
    compiled = compile_artifacts(config.source.file, output=output, manifest=manifest)
    return read_artifacts(write_artifacts(compiled, output)).manifest_file


def locate_artifacts(path: str | Path | None, *, env: Mapping[str, str], caller: Path) -> Path:
    """The given path, else ``$FLOE_COMPILED_ARTIFACTS``, else ``compiled_artifacts.json`` next
    to the floe.yaml found in the caller's directory or the nearest parent holding one."""
    if path is not None:
        return Path(path).absolute()
    if env.get(ARTIFACT_ENV):
        return Path(env[ARTIFACT_ENV]).absolute()
    for folder in [caller, *caller.parents]:
        if (folder / "floe.yaml").is_file():
            return folder / DEFAULT_ARTIFACT_NAME
    raise FloeConfigError(
        [
            ConfigIssue(
                code=IssueCode.ARTIFACT_NOT_FOUND,
                path="",
                file=str(caller),
                message="no floe.yaml in this directory or above it, and "
                f"{ARTIFACT_ENV} is not set",
                hint="pass the artifact's path, or set FLOE_COMPILED_ARTIFACTS to it "
                "(`floe compile path/to/floe.yaml` writes compiled_artifacts.json beside it)",
            )
        ]
    )
