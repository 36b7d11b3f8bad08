"""What every way of running floe shares: the starter files, dbt parse with floe's profile,
compiling floe.yaml into an artifact, and finding that artifact again.

The ``floe`` command (``floe_dagster.cli``) and the Dagster component both build on these; they
never import each other. Nothing here prints: the callers show progress their own way. Importing
this module imports no Dagster (``floe init`` and ``floe dev``'s arguments stay fast).
"""

from __future__ import annotations

import json
import re
import tempfile
import tomllib
from collections.abc import Callable, Mapping
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
    manifest_fix,
    read_artifacts,
    write_artifacts,
)
from floe_dagster._errors import Problems, warn
from floe_dbt import (
    DEPENDENCY_FILES,
    DbtRunner,
    FloeDbtError,
    copy_atomically,
    load_manifest,
    manifest_staleness,
)

ARTIFACT_ENV = "FLOE_COMPILED_ARTIFACTS"
"""The environment variable naming the compiled artifact a code location loads."""

STARTER_FLOE_YAML = """\
# floe.yaml: this dbt project as a Dagster code location. Every dbt model, seed and snapshot
# becomes its own asset, with a trace span and OpenLineage events per model.
#   floe validate   check everything (also what dbt and the Python modules define)
#   floe plan       what this file will do: assets, jobs, next schedule ticks, changes
#   floe dev        the Dagster UI at http://127.0.0.1:3000, state in .floe/ next to this file
#                   (in a dg project, a FloeComponent serves it: dg check defs, dg dev)
# ${{VAR:default}} reads an environment variable, with the default after the colon.
name: {name}
version: "0.1.0"

transforms:
  dbt:
    project_dir: {project_dir}{pad}# the folder that holds dbt_project.yml

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
    manifest_path: {manifest_path}{manifest_pad}# `floe parse` (or `dbt parse`) writes it
    observability_level: per_model
    table_metadata: true            # each model's row count and columns, after its dbt step
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
"""The commented floe.yaml ``floe init`` and ``dg scaffold defs floe_dagster.FloeComponent``
write; ``starter_floe_yaml`` fills it in."""
STARTER_DEFINITIONS = '''\
"""The Dagster code location: `floe dev` serves it (or `floe compile`, then `dagster dev -f`).
Add your own definitions here with `dagster.Definitions.merge(defs, ...)`."""

from floe_dagster import FloeDefinitions

defs = FloeDefinitions.from_compiled_artifacts()
'''


PARTITION_MACROS_FILE = "floe_partitions.sql"
PARTITION_MACROS = """\
{#-
  floe's partition macros (`floe init` wrote this file; floe never changes it afterwards).
  A partitioned model reads the partition it runs for from the dbt vars floe passes
  (`partition_start` and `partition_end`, UTC, half open); a plain `dbt build` has neither.

    {{ config(materialized='incremental', pre_hook="{{ partition_replace('ordered_at') }}") }}
    select * from {{ ref('orders') }} where {{ in_partition('ordered_at') }}
-#}

{#-
  The partition a run covers, from the dbt vars floe passes (`partition_start` and
  `partition_end`, UTC, half open), as a filter on `column`; `true` without them (a plain
  `dbt build` processes every row).
-#}
{% macro in_partition(column) -%}
    {%- if var('partition_start', none) is not none -%}
        {{ column }} >= cast('{{ var("partition_start") }}' as timestamp)
        and {{ column }} < cast('{{ var("partition_end") }}' as timestamp)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#-
  Config of a daily-partitioned model: incremental, and a run first deletes the rows of its own
  partition, so re-running a day replaces that day and leaves every other day alone.
-#}
{% macro partition_replace(column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_partition(column) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
"""
"""The demo's macros too (``demo/data_engineering/dbt/macros/partition_window.sql``), after a
header: ``in_partition(column)`` and ``partition_replace(column)``."""


IGNORED = ".floe/"
IGNORED_ENTRIES = (
    (IGNORED, "floe's local state (Dagster instance, catalog, DuckDB, dbt target)"),
    ("target/", "dbt's own output, when dbt runs here by hand"),
    (DEFAULT_ARTIFACT_NAME, "floe compile's output (floe dev and Bazel write their own)"),
)
"""What ``floe init`` adds to .gitignore, each with the comment above it."""
PACKAGES_ENTRY = ("dbt_packages/", "the dbt packages `dbt deps` installs (floe parse runs it)")
"""Added too when the dbt project declares packages (packages.yml, dependencies.yml)."""
"""What ``.gitignore`` gains beside a new floe.yaml: floe's local state."""


def starter_floe_yaml(name: str, dbt_project: str = ".") -> str:
    """The starter floe.yaml for the dbt project ``name`` in the folder ``dbt_project``
    (relative to floe.yaml)."""
    folder = dbt_project.rstrip("/") or "."
    manifest = "target/manifest.json" if folder == "." else f"{folder}/target/manifest.json"
    folder, manifest = _yaml_text(folder), _yaml_text(manifest)
    return STARTER_FLOE_YAML.format(
        name=name,
        project_dir=folder,
        pad=" " * max(1, 19 - len(folder)),
        manifest_path=manifest,
        manifest_pad=" " * max(1, 23 - len(manifest)),
    )


def _yaml_text(text: str) -> str:
    """``text`` as a YAML scalar: plain when it is a simple path, else quoted."""
    return text if re.fullmatch(r"[\w./-]+", text) else json.dumps(text)


def write_partition_macros(dbt_project: Path) -> Path | None:
    """``PARTITION_MACROS`` into the dbt project's first macro path (``macros/`` unless
    dbt_project.yml names others); the file, or None when the project already has it, or
    macros of those names of its own."""
    try:
        raw: Any = yaml.safe_load((dbt_project / "dbt_project.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        raw = None
    paths = raw.get("macro-paths") if isinstance(raw, dict) else None
    folder = dbt_project / (paths[0] if isinstance(paths, list) and paths else "macros")
    target = folder / PARTITION_MACROS_FILE
    if target.exists():
        return None
    for macro in folder.rglob("*.sql") if folder.is_dir() else []:
        text = macro.read_text(encoding="utf-8", errors="replace")
        if re.search(r"macro\s+(in_partition|partition_replace)\s*\(", text):
            return None  # the project's own
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(PARTITION_MACROS, encoding="utf-8")
    return target


def ignore_state(folder: Path) -> tuple[Path, list[str]]:
    """Add what a floe project makes and git should not keep to ``folder/.gitignore`` (made if
    missing): floe's state (``.floe/``), dbt's ``target/``, the compiled artifact, and the dbt
    packages floe's parse installs when ``folder`` declares some. Returns the file and the
    entries added (none when it ignored all of them already)."""
    gitignore = folder / ".gitignore"
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.exists() else []
    present = {line.strip().strip("/") for line in lines}
    entries = list(IGNORED_ENTRIES)
    if any((folder / name).is_file() for name in DEPENDENCY_FILES):
        entries.append(PACKAGES_ENTRY)
    missing = [(entry, why) for entry, why in entries if entry.strip("/") not in present]
    if missing:
        with gitignore.open("a", encoding="utf-8") as out:
            if lines and lines[-1].strip():
                out.write("\n")
            for entry, why in missing:
                out.write(f"# {why}\n{entry}\n")
    return gitignore, [entry for entry, _ in missing]


def dg_project_of(folder: Path) -> Path | None:
    """The root of the ``dg`` project holding ``folder`` (a ``pyproject.toml`` with
    ``[tool.dg]``, or a ``dg.toml``), or None."""
    for candidate in [folder.absolute(), *folder.absolute().parents]:
        if (candidate / "dg.toml").is_file():
            return candidate
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                tool = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if isinstance(tool, dict) and "dg" in tool:
                return candidate
    return None


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


def dbt_project_folder(config: FloeConfig) -> Path | None:
    """The dbt project floe.yaml orchestrates: its ``project_dir``, else the folder above the
    manifest's ``target/`` (None without ``orchestration.dbt``)."""
    if config.orchestration.dbt is None:
        return None
    if config.dbt_project_dir:
        return config.path(config.dbt_project_dir)
    manifest = config.dbt_manifest_path
    return config.path(manifest).parent.parent if manifest else None


def parse(config: FloeConfig, env: Mapping[str, str], *, destination: Path | None = None) -> Path:
    """``dbt parse`` with floe's profile; the manifest goes to ``destination``, else where
    floe.yaml reads it. The file appears whole (written aside, then renamed), and each call
    parses in a folder of its own, so that two at once never share dbt's target."""
    if config.orchestration.dbt is None or not config.dbt_manifest_path:
        raise FloeDbtError(
            "floe.yaml has no orchestration.dbt: there is no manifest to parse",
            code=IssueCode.MISSING_MANIFEST_PATH,
            path=str(config.source.file),
            hint="add orchestration.dbt with manifest_path (floe init writes one)",
        )
    from floe_dagster._dbt.settings import PARTIAL_PARSE, dbt_settings  # noqa: PLC0415

    configured = config.path(config.dbt_manifest_path)
    destination = destination or configured
    problems = Problems()
    settings = dbt_settings(config, manifest_path=configured, env=env, problems=problems)
    problems.raise_if_any()
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="parse-", dir=settings.state_dir) as work:
        runner = DbtRunner(
            project_dir=settings.project_dir,
            state_dir=work,
            config=config,
            profiles_dir=settings.profiles_dir,
            target=settings.target,
            env=env,
        )
        manifest = runner.parse()
        load_manifest(manifest)  # one floe can read
        destination.parent.mkdir(parents=True, exist_ok=True)
        saved = manifest.with_name(PARTIAL_PARSE)
        for source, target in [
            (saved, destination.with_name(PARTIAL_PARSE)),
            (manifest, destination),
        ]:
            if source.is_file():  # the saved parse first: never newer than its manifest
                copy_atomically(source, target)
    return destination


def _changed_since(config: FloeConfig, manifest: Path) -> str | None:
    """What changed in floe.yaml's dbt project after ``manifest`` was written, in words."""
    project = dbt_project_folder(config)
    staleness = manifest_staleness(manifest, project) if project is not None else None
    return staleness.describe(manifest, project) if staleness and project else None


def _stale_issue(config: FloeConfig, changed: str) -> ConfigIssue:
    return config.source.issue(
        ("orchestration", "dbt", "manifest_path"),
        IssueCode.MANIFEST_STALE,
        f"{changed}: floe's assets come from the manifest, and may lack what was added since "
        "or show what was removed or rewired",
        manifest_fix(config),
    )


def stale_manifest(config: FloeConfig, manifest: Path) -> ConfigIssue | None:
    """A warning when a file dbt parses in floe.yaml's dbt project changed after ``manifest``
    was written (None when none did): the assets come from the manifest, so a model added or
    rewired since is not among them."""
    changed = _changed_since(config, manifest)
    return _stale_issue(config, changed) if changed is not None else None


def compile_project(
    config: FloeConfig,
    *,
    output: Path,
    env: Mapping[str, str],
    manifest: Path | None = None,
    parsing: Callable[[str], None] | None = None,
) -> Path | None:
    """``config``'s floe.yaml compiled into the artifact ``output``; returns the manifest the
    artifact names (None without dbt). Its dbt project is parsed first when floe.yaml's
    manifest is not there yet, or when a file dbt parses changed after it was written
    (``parsing`` hears why); a manifest Bazel built is not floe's to rewrite, so a stale one is
    a warning that names the build. ``manifest`` names another one, used as it is."""
    located = locate_manifest(config) if manifest is None else None  # None without dbt
    if located is not None and not located.is_file():
        parse(config, env)  # a fresh project: dbt parse it first
    elif located is not None and (changed := _changed_since(config, located)) is not None:
        configured = config.dbt_manifest_path
        if configured is None or located != config.path(configured):
            warn(_stale_issue(config, changed))  # Bazel built it: Bazel's to make again
        else:
            if parsing is not None:
                parsing(changed)
            parse(config, env)
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
