"""The pipeline: compiled artifact -> FloeConfig -> assets -> jobs and schedules -> Definitions.

Each stage is a public factory a user could also call by hand; this module only chains them.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import os
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetsDefinition, Definitions

from floe_config import FloeConfig, IssueCode, load_config, read_artifacts, resolve
from floe_dagster._artifacts import locate_artifacts
from floe_dagster._assets import MANIFEST_KEY, BuiltAssets, build_assets
from floe_dagster._automation import automation_sensor
from floe_dagster._backfills import mixed_policies, plan_backfills, with_batch_policies
from floe_dagster._dagster_internals import asset_graph, reconstructing
from floe_dagster._dynamic import key_sync_sensors
from floe_dagster._gc import collector_paused
from floe_dagster._jobs import build_jobs
from floe_dagster._observability.catalog import AssetInfo, ObservedDefinitions, dbt_info
from floe_dagster._observability.hooks import observation_hooks
from floe_dagster._observability.settings import observability_settings
from floe_dagster._problems import Problems
from floe_dagster._resources import build_resources
from floe_dagster._schedules import build_schedules
from floe_dagster._sensors import build_sensors
from floe_dagster._state import state_directory
from floe_dagster._term import progress
from floe_dagster._translator import FloeDbtTranslator
from floe_dagster._warnings import (
    dagster_internal_warnings_silenced,
    dagster_policy_warning_replaced,
)

log = logging.getLogger("floe")


def _key(key: Any) -> str:
    return "/".join(key.path)


def observe(
    config: FloeConfig, built: BuiltAssets, *, graph: Any, env: Mapping[str, str]
) -> ObservedDefinitions:
    """The observability settings and asset catalog of one code location."""
    settings = observability_settings(config, env=env, state_dir=state_directory(config, env))
    observed = ObservedDefinitions(settings=settings)
    if built.dbt is not None:
        observed.dbt_ops = set(built.dbt_ops)
        observed.dbt_state_dir = built.dbt.state_dir
    dbt_by_key = {_key(k): uid for uid, k in built.dbt_keys.items()}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        name = _key(key)
        unique_id = dbt_by_key.get(name)
        observed.assets[name] = AssetInfo(
            key=name,
            deps=tuple(sorted(_key(p) for p in node.parent_keys)),
            description=node.description or "",
            owners=tuple(node.owners),
            dbt=dbt_info(built.manifest, unique_id) if built.manifest and unique_id else None,
        )
    for item in [*built.assets, *built.asset_checks]:
        if isinstance(item, AssetsDefinition) and item.is_executable:
            op = item.node_def.name
            if item.keys:
                observed.assets_by_op[op] = sorted(_key(k) for k in item.keys)
            checks = [(_key(c.asset_key), c.name) for c in item.check_keys]
            if checks:
                observed.checks_by_op[op] = sorted(checks)
    return observed


def _with_hooks(items: list[Any], hooks: set[Any]) -> list[Any]:
    return [
        item.with_hooks(hooks)
        if hooks and isinstance(item, AssetsDefinition) and item.is_executable
        else item
        for item in items
    ]


def build_definitions(
    config: FloeConfig,
    *,
    manifest_path: Path | None = None,
    manifest_sha256: str | None = None,
    env: Mapping[str, str] | None = None,
    translator_class: type[FloeDbtTranslator] = FloeDbtTranslator,
    dbt_group_of: Callable[[Mapping[str, Any]], Hashable] | None = None,
) -> Definitions:
    """Every definition floe.yaml declares; ``FloeDagsterError`` lists every problem at once.

    ``dbt_group_of`` (dbt node properties -> a group key) splits the dbt nodes into several
    multi-assets, one per key and layer of the DAG (``build_dbt_assets``).
    """
    with collector_paused():
        return _build_definitions(
            config,
            manifest_path=manifest_path,
            manifest_sha256=manifest_sha256,
            env=env,
            translator_class=translator_class,
            dbt_group_of=dbt_group_of,
        )


def _build_definitions(
    config: FloeConfig,
    *,
    manifest_path: Path | None,
    manifest_sha256: str | None,
    env: Mapping[str, str] | None,
    translator_class: type[FloeDbtTranslator],
    dbt_group_of: Callable[[Mapping[str, Any]], Hashable] | None,
) -> Definitions:
    environment = os.environ if env is None else env
    problems = Problems()
    if (
        manifest_path is not None
        and manifest_sha256
        and manifest_path.is_file()
        and hashlib.sha256(manifest_path.read_bytes()).hexdigest() != manifest_sha256
    ):
        problems.add(
            config,
            MANIFEST_KEY,
            IssueCode.MANIFEST_CHANGED,
            f"the dbt manifest {manifest_path} changed after `floe compile`",
            "run `floe compile` again so the artifact matches it",
        )
    built = build_assets(
        config,
        manifest_path=manifest_path,
        env=environment,
        translator_class=translator_class,
        problems=problems,
        dbt_group_of=dbt_group_of,
    )
    graph = asset_graph([*built.assets, *built.asset_checks])
    observed = observe(config, built, graph=graph, env=environment)
    hooks = observation_hooks(observed) if observed.settings.enabled else set()
    assets = _with_hooks(built.assets, hooks)
    checks = _with_hooks(built.asset_checks, hooks)
    jobs = build_jobs(config, graph=graph, problems=problems, hooks=hooks)
    schedules = build_schedules(config, jobs=jobs, problems=problems, graph=graph)
    assets = with_batch_policies(
        config, assets, job_assets=jobs.assets, settings=built.settings, problems=problems
    )
    notes = mixed_policies(jobs.assets, assets)
    if notes:
        dagster_policy_warning_replaced()
        if not reconstructing():
            for note in notes.values():
                log.warning("floe: %s: %s", config.source.file.name, note)
    if config.orchestration.backfills and not reconstructing():
        plan_backfills(
            config, job_assets=jobs.assets, graph=graph, settings=built.settings, problems=problems
        )
    sensors = key_sync_sensors(config, problems)
    sensors += build_sensors(config, jobs=jobs, graph=graph, problems=problems)
    automated = [k for k in graph.get_all_asset_keys() if graph.get(k).automation_condition]
    if automated:
        sensors.append(automation_sensor(sorted(automated, key=lambda k: k.to_user_string())))
    problems.raise_if_any()
    modules = built.modules
    with dagster_internal_warnings_silenced():
        definitions = Definitions(
            assets=assets,
            asset_checks=checks,
            jobs=[*jobs.values(), *modules.jobs],
            schedules=[*schedules, *modules.schedules],
            sensors=[*sensors, *modules.sensors],
            resources=build_resources(config, dbt=built.dbt),
        )
        try:
            if not reconstructing():  # a run worker rebuilds what a code server checked
                Definitions.validate_loadable(definitions)
        except Exception as error:
            problems.add(
                config,
                ("orchestration",),
                IssueCode.DAGSTER_REJECTS,
                f"Dagster rejects the definitions: {error}",
            )
            problems.raise_if_any()
    return definitions


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
        translator_class: type[FloeDbtTranslator] = FloeDbtTranslator,
    ) -> Definitions:
        """Build the definitions straight from a loaded FloeConfig (no artifact)."""
        return build_definitions(
            config, manifest_path=manifest_path, env=env, translator_class=translator_class
        )


def load_for_command(
    path: Path, manifest: Path | None, env: Mapping[str, str]
) -> tuple[FloeConfig, Definitions]:
    """floe.yaml and its definitions for a ``floe`` command (validate, plan), with progress."""
    config = load_config(path, env=env)
    with progress("loading the code location"):
        definitions = build_definitions(
            config, manifest_path=manifest.absolute() if manifest else None, env=env
        )
    return config, definitions
