"""FloeDefinitions: CompiledArtifacts -> dagster.Definitions, built from the public factories."""

from __future__ import annotations

import hashlib
import inspect
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagster import (
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Definitions,
    SourceAsset,
    map_asset_specs,
)

# Dagster exposes no public constructor for an asset graph from a list of assets.
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from floe_config import (
    DEFAULT_ARTIFACT_NAME,
    ConfigIssue,
    FloeConfig,
    FloeConfigError,
    read_artifacts,
    resolve,
)
from floe_dagster._dbt import (
    DBT_OP_NAME,
    DBT_RESOURCE_KEY,
    DbtLocation,
    build_dbt_assets,
    state_directory,
)
from floe_dagster._jobs import build_jobs
from floe_dagster._modules import ModuleDefinitions, load_modules
from floe_dagster._observability.catalog import ObservedDefinitions, build_catalog
from floe_dagster._observability.observer import observation_hooks
from floe_dagster._observability.settings import observability_settings
from floe_dagster._patterns import compute_kind_override, group_override
from floe_dagster._problems import Problems
from floe_dagster._resources import FloeDbtCliResource, IcebergCatalogResource
from floe_dagster._schedules import build_schedules
from floe_dagster._translator import FloeDbtTranslator
from floe_dagster._warnings import dagster_internal_warnings_silenced
from floe_dbt import DbtManifest, DbtRunner, FloeDbtError, dbt_executable, load_manifest

ARTIFACT_ENV = "FLOE_COMPILED_ARTIFACTS"
log = logging.getLogger("floe")


def not_yet_built(config: FloeConfig) -> list[str]:
    """Sections floe.yaml validates but this floe does not turn into Dagster definitions yet
    (partitions, automation conditions, backfill policies, sensors, backfills)."""
    orchestration = config.orchestration
    pending = []
    if orchestration.partitions:
        pending.append(f"partitions ({len(orchestration.partitions)})")
    patterns = orchestration.assets.values()
    if any(p.partitions for p in patterns):
        pending.append("assets.*.partitions")
    if any(p.automation_condition for p in patterns):
        pending.append("assets.*.automation_condition")
    if any(p.backfill_policy for p in patterns):
        pending.append("assets.*.backfill_policy")
    if orchestration.sensors:
        pending.append(f"sensors ({len(orchestration.sensors)})")
    if orchestration.backfills:
        pending.append(f"backfills ({len(orchestration.backfills)})")
    return pending


ICEBERG_RESOURCE_KEY = "iceberg"
_MANIFEST_PATH = ("orchestration", "dbt", "manifest_path")


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
                code="artifact_not_found",
                path="",
                file=str(caller),
                message="no floe.yaml in this directory or above it, and "
                f"{ARTIFACT_ENV} is not set",
                hint="pass the artifact path, set FLOE_COMPILED_ARTIFACTS, or run "
                "`floe compile` next to floe.yaml",
            )
        ]
    )


@dataclass(frozen=True)
class BuiltAssets:
    """What ``build_assets`` produced."""

    assets: list[Any]
    asset_checks: list[Any]
    modules: ModuleDefinitions
    manifest: DbtManifest | None
    dbt_location: DbtLocation | None
    dbt_keys: dict[str, AssetKey] = field(default_factory=dict)
    """dbt unique_id -> asset key, as the translator in use decided."""


def _with_pattern_settings(config: FloeConfig, assets: Sequence[Any]) -> list[Any]:
    """Apply ``orchestration.assets`` group_name / compute_kind to Python assets."""

    def apply(spec: AssetSpec) -> AssetSpec:
        group = group_override(config, spec.key)
        kind = compute_kind_override(config, spec.key)
        if group:
            spec = spec.replace_attributes(group_name=group)
        if kind and kind not in spec.kinds:
            spec = spec.merge_attributes(kinds={kind})
        return spec

    mappable = [a for a in assets if not isinstance(a, SourceAsset)]
    others = [a for a in assets if isinstance(a, SourceAsset)]
    with dagster_internal_warnings_silenced():
        return [*map_asset_specs(apply, mappable), *others]


def dbt_location(config: FloeConfig, manifest_path: Path, env: Mapping[str, str]) -> DbtLocation:
    project = config.dbt_project_dir
    return DbtLocation(
        project_dir=config.path(project) if project else manifest_path.parent.parent,
        manifest_path=manifest_path,
        state_dir=state_directory(config, env) / "dbt",
        target=(config.orchestration.dbt and config.orchestration.dbt.target)
        or (config.transforms.dbt.target if config.transforms.dbt else None),
    )


def build_assets(
    config: FloeConfig,
    *,
    manifest_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    translator_class: type[FloeDbtTranslator] = FloeDbtTranslator,
    problems: Problems | None = None,
) -> BuiltAssets:
    """Python assets from ``asset_modules`` and one asset per dbt model, seed and snapshot."""
    own = problems is None
    problems = problems or Problems()
    env = os.environ if env is None else env
    modules = load_modules(config, problems)
    assets = _with_pattern_settings(config, modules.assets)
    manifest = None
    location = None
    dbt_keys: dict[str, AssetKey] = {}
    if config.orchestration.dbt is not None:
        path = manifest_path or config.path(config.dbt_manifest_path or "")
        try:
            manifest = load_manifest(path)
        except FloeDbtError as error:
            problems.add(config, _MANIFEST_PATH, str(error).replace("\n    ", "; "))
        if manifest is not None:
            location = dbt_location(config, path, env)
            if not (location.project_dir / "dbt_project.yml").is_file():
                problems.add(
                    config,
                    ("transforms", "dbt", "project_dir"),
                    f"no dbt project at {location.project_dir} (no dbt_project.yml)",
                )
            translator = translator_class(manifest=manifest, config=config)
            dbt_keys = {
                uid: translator.get_asset_key({"unique_id": uid}) for uid in manifest.executable
            }
            assets += build_dbt_assets(
                config, manifest=manifest, location=location, translator=translator
            )
    if own:
        problems.raise_if_any()
    return BuiltAssets(assets, modules.asset_checks, modules, manifest, location, dbt_keys)


def build_resources(config: FloeConfig, built: BuiltAssets) -> dict[str, Any]:
    """``iceberg`` (floe.yaml's catalog) always; ``dbt`` when the config has a dbt project."""
    resources: dict[str, Any] = {
        ICEBERG_RESOURCE_KEY: IcebergCatalogResource(
            name=config.storage.catalog.name, properties=config.iceberg_catalog_properties()
        )
    }
    location = built.dbt_location
    if location is not None:
        runner = DbtRunner(
            project_dir=location.project_dir,
            state_dir=location.state_dir,
            config=config,
            target=location.target,
        )
        profiles_dir = config.orchestration.dbt.profiles_dir if config.orchestration.dbt else None
        profiles_dir = profiles_dir or (
            config.transforms.dbt.profiles_dir if config.transforms.dbt else None
        )
        resources[DBT_RESOURCE_KEY] = FloeDbtCliResource(
            project_dir=str(location.project_dir),
            profiles_dir=str(config.path(profiles_dir) if profiles_dir else runner.profiles_dir()),
            target=location.target,
            dbt_executable=dbt_executable(),
        )
    return resources


def build_definitions(
    config: FloeConfig,
    *,
    manifest_path: Path | None = None,
    manifest_sha256: str | None = None,
    env: Mapping[str, str] | None = None,
    translator_class: type[FloeDbtTranslator] = FloeDbtTranslator,
) -> Definitions:
    """Every definition floe.yaml declares; ``FloeDagsterError`` lists every problem at once."""
    problems = Problems()
    pending = not_yet_built(config)
    if pending:
        log.warning(
            "floe: %s: validated, but not built into Dagster definitions by this version: %s",
            config.source.file.name,
            ", ".join(pending),
        )
    if manifest_path is not None and manifest_sha256 and manifest_path.is_file():
        actual = hashlib.sha256(manifest_path.read_bytes()).hexdigest()
        if actual != manifest_sha256:
            problems.add(
                config,
                _MANIFEST_PATH,
                f"the dbt manifest {manifest_path} changed after `floe compile`; "
                "compile again so the artifact matches it",
            )
    built = build_assets(
        config,
        manifest_path=manifest_path,
        env=env,
        translator_class=translator_class,
        problems=problems,
    )
    with dagster_internal_warnings_silenced():
        graph = AssetGraph.from_assets(list(built.assets))
    observed = observe(config, built, graph=graph, env=os.environ if env is None else env)
    hooks = observation_hooks(observed) if observed.settings.enabled else set()
    assets = [
        a.with_hooks(hooks) if hooks and isinstance(a, AssetsDefinition) and a.is_executable else a
        for a in built.assets
    ]
    jobs = build_jobs(config, assets=assets, graph=graph, problems=problems, hooks=hooks)
    schedules = build_schedules(config, jobs=jobs, problems=problems)
    problems.raise_if_any()
    modules = built.modules
    with dagster_internal_warnings_silenced():
        definitions = Definitions(
            assets=assets,
            asset_checks=built.asset_checks,
            jobs=[*jobs.values(), *modules.jobs],
            schedules=[*schedules, *modules.schedules],
            sensors=modules.sensors,
            resources=build_resources(config, built),
        )
        try:
            Definitions.validate_loadable(definitions)
        except Exception as error:
            problems.add(config, ("orchestration",), f"Dagster rejects the definitions: {error}")
            problems.raise_if_any()
    return definitions


def observe(
    config: FloeConfig, built: BuiltAssets, *, graph: AssetGraph, env: Mapping[str, str]
) -> ObservedDefinitions:
    """The observability settings and asset catalog of one code location."""
    settings = observability_settings(config, env=env, state_dir=state_directory(config, env))
    return build_catalog(
        settings,
        built.assets,
        graph=graph,
        manifest=built.manifest,
        dbt_keys=built.dbt_keys,
        dbt_ops={DBT_OP_NAME} if built.manifest is not None else set(),
    )


class FloeDefinitions:
    """The factory a code location calls: ``defs = FloeDefinitions.from_compiled_artifacts()``."""

    @staticmethod
    def from_compiled_artifacts(
        path: str | Path | None = None,
        *,
        env: Mapping[str, str] | None = None,
        translator_class: type[FloeDbtTranslator] = FloeDbtTranslator,
    ) -> Definitions:
        """Build the Dagster definitions from a compiled artifact.

        The artifact is ``path``, else ``$FLOE_COMPILED_ARTIFACTS``, else
        ``compiled_artifacts.json`` next to the floe.yaml that holds the calling module.
        ``${VAR:default}`` placeholders resolve from ``env`` (default: the process environment)
        and the result is validated again; errors name the floe.yaml line.
        """
        environment = os.environ if env is None else env
        caller = Path(inspect.stack()[1].filename).absolute().parent
        artifacts = read_artifacts(locate_artifacts(path, env=environment, caller=caller))
        config = resolve(artifacts, env=environment)
        manifest = artifacts.dbt_manifest
        return build_definitions(
            config,
            manifest_path=artifacts.manifest_file,
            manifest_sha256=manifest.sha256 if manifest else None,
            env=environment,
            translator_class=translator_class,
        )

    @staticmethod
    def from_config(
        config: FloeConfig,
        *,
        manifest_path: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Definitions:
        """Build the definitions straight from a loaded FloeConfig (no artifact)."""
        return build_definitions(config, manifest_path=manifest_path, env=env)
