"""A floe project from a dbt project: ``floe init`` writes its files, ``floe parse`` its manifest.

``floe init [DIR]``, run where ``dbt_project.yml`` is, writes a commented ``floe.yaml`` (the
manifest path, one batch job over every model, a nightly schedule that starts disabled, the
observability defaults), a one-line ``definitions.py`` and a ``.gitignore`` entry for ``.floe/``;
then it parses the dbt project when there is no manifest yet. It never overwrites a file.

``floe parse [floe.yaml]`` runs ``dbt parse`` with floe's profile (generated from ``storage``,
unless ``profiles_dir`` names the user's) and writes the manifest where floe.yaml reads it.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from floe_config import FloeConfig, IssueCode, load_config
from floe_dagster._dbt_settings import dbt_settings
from floe_dagster._problems import Problems
from floe_dagster._term import progress
from floe_dbt import DbtRunner, FloeDbtError, load_manifest

FLOE_YAML = """\
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
DEFINITIONS = '''\
"""The Dagster code location: `floe dev` serves it (or `floe compile`, then `dagster dev -f`)."""

from floe_dagster import FloeDefinitions

defs = FloeDefinitions.from_compiled_artifacts()
'''
IGNORED = ".floe/"


class InitError(Exception):
    """``floe init`` cannot go on; the text says why and what to do."""


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
    with progress(f"dbt parse of {settings.project_dir.name}"):
        manifest = runner.parse()
        load_manifest(manifest)  # one floe can read
    destination.parent.mkdir(parents=True, exist_ok=True)
    if manifest.absolute() != destination.absolute():
        shutil.copyfile(manifest, destination)
    return destination


def init(folder: Path, env: Mapping[str, str]) -> list[str]:
    """Write a floe project into the dbt project ``folder``; returns what it did, line by line."""
    folder = folder.absolute()
    dbt_project = folder / "dbt_project.yml"
    if not dbt_project.is_file():
        raise InitError(
            f"floe init: no dbt_project.yml in {folder}; run it in a dbt project's folder "
            "(or pass that folder: floe init path/to/dbt_project)"
        )
    floe_yaml, definitions = folder / "floe.yaml", folder / "definitions.py"
    existing = [p for p in (floe_yaml, definitions) if p.exists()]
    if existing:
        names = " and ".join(str(p) for p in existing)
        raise InitError(
            f"floe init: {names} already exist(s); floe init never overwrites a file. "
            "Move it away, or edit it by hand"
        )
    floe_yaml.write_text(FLOE_YAML.format(name=project_name(dbt_project)), encoding="utf-8")
    definitions.write_text(DEFINITIONS, encoding="utf-8")
    done = [f"wrote {floe_yaml}", f"wrote {definitions}"]
    gitignore = folder / ".gitignore"
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.exists() else []
    if not {IGNORED, IGNORED.rstrip("/"), "/" + IGNORED} & {line.strip() for line in lines}:
        with gitignore.open("a", encoding="utf-8") as out:
            if lines and lines[-1].strip():
                out.write("\n")
            out.write("# floe's local state (Dagster instance, catalog, DuckDB, dbt target)\n")
            out.write(f"{IGNORED}\n")
        done.append(f"added {IGNORED} to {gitignore}")
    config = load_config(floe_yaml, env=env)
    manifest = config.path(config.dbt_manifest_path or "target/manifest.json")
    if manifest.is_file():
        done.append(f"the manifest is there already: {manifest}")
    else:
        done.append(f"wrote {parse(config, env)}")
    done.append("next: floe validate, floe plan, floe dev")
    return done


def main_init(folder: Path, env: Mapping[str, str]) -> int:
    try:
        lines = init(folder, env)
    except InitError as error:
        print(str(error), file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0
