"""The pipeline: compiled artifact -> FloeConfig -> assets -> observability -> jobs, schedules,
backfill policies, sensors -> resources -> Definitions.

Each stage is a wing's public factory that a user could also call by hand; this module only
calls them in order and reports every problem they found at once.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import os
from collections.abc import Callable, Hashable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from dagster import AssetKey, Definitions

from floe_config import ConfigIssue, FloeConfig, IssueCode, read_artifacts, resolve
from floe_dagster._assets import (
    MANIFEST_KEY,
    BuiltAssets,
    Elsewhere,
    asset_cycle,
    asset_origin,
    build_assets,
    built_hooks,
    defined_keys,
    outside_assets,
    with_hooks,
)
from floe_dagster._dagster_internals import asset_graph, reconstructing
from floe_dagster._dbt.translator import FloeDbtTranslator
from floe_dagster._errors import Problems, warn
from floe_dagster._gc import collector_paused
from floe_dagster._observability.settings import ignored_settings
from floe_dagster._orchestration.asset_settings import AssetSettings, unused_declarations
from floe_dagster._orchestration.automation import automation_sensor
from floe_dagster._orchestration.backfills import plan_backfills
from floe_dagster._orchestration.dynamic import key_sync_sensors
from floe_dagster._orchestration.jobs import BuiltJobs, build_jobs
from floe_dagster._orchestration.policies import mixed_policies
from floe_dagster._orchestration.schedules import build_schedules
from floe_dagster._orchestration.sensors import build_sensors
from floe_dagster._project import locate_artifacts
from floe_dagster._python.modules import unknown_dependencies
from floe_dagster._resources import build_resources
from floe_dagster._runs.location import record_plan, run_definitions, whole_location_key
from floe_dagster._warnings import (
    dagster_internal_warnings_silenced,
    dagster_policy_warning_replaced,
)

log = logging.getLogger("floe")


def _manifest_unchanged(
    config: FloeConfig, path: Path | None, sha256: str | None, problems: Problems
) -> None:
    """The manifest a compiled artifact names must be the one it was compiled with."""
    if path is None or not sha256 or not path.is_file():
        return
    if hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        problems.append(
            config.source.issue(
                MANIFEST_KEY,
                IssueCode.MANIFEST_CHANGED,
                f"the dbt manifest {path} changed after `floe compile`",
                "run `floe compile` again so the artifact matches it",
            )
        )


def _backfill_policies(
    config: FloeConfig,
    built: BuiltAssets,
    assets: list[Any],
    *,
    jobs: BuiltJobs,
    graph: Any,
    problems: Problems,
) -> list[Any]:
    """``assets`` with each named backfill's batch size as its assets' policy; the backfills
    checked against the real partitions (at load; a run worker rebuilds what was checked)."""
    settings = built.settings or AssetSettings.of(config)
    assets = settings.policies.settle(
        assets, job_assets=jobs.assets, dbt_ops=built.dbt_ops, problems=problems
    )
    notes = mixed_policies(jobs.assets, assets)
    if notes:
        dagster_policy_warning_replaced()
    if reconstructing():
        return assets
    for note in notes.values():
        log.warning("floe: %s: %s", config.source.file.name, note)
    if config.orchestration.backfills:
        plan_backfills(
            config, job_assets=jobs.assets, graph=graph, settings=settings, problems=problems
        )
    return assets


_WHOLE: dict[tuple[Hashable, ...], Definitions] = {}
"""The whole location this process built last, by what it was built from. A run's process
that loads the location again reuses it: ``dagster asset materialize``'s launcher builds it at
its first load (an initialization) and reconstructs the job five more times, and a ``dg``
project's ``@definitions`` function runs at each of them. A code server's loads are all
initializations, whose files may have changed since: it keeps the newest, never reuses it."""


def build_definitions(
    config: FloeConfig,
    *,
    manifest_path: Path | None = None,
    manifest_sha256: str | None = None,
    env: Mapping[str, str] | None = None,
    translator_class: type[FloeDbtTranslator] = FloeDbtTranslator,
    dbt_group_of: Callable[[Mapping[str, Any]], Hashable] | None = None,
    elsewhere: Elsewhere | None = None,
) -> Definitions:
    """Every definition floe.yaml declares; ``FloeDagsterError`` lists every problem at once.

    ``dbt_group_of`` (dbt node properties -> a group key) splits the dbt nodes into several
    multi-assets, one per key and layer of the DAG (``build_dbt_assets``). ``elsewhere`` is
    what the rest of a ``dg`` project defines (``FloeComponent``): selections and checks see
    those assets too, and Dagster's check of the whole location includes them.
    """
    elsewhere = elsewhere or Elsewhere()
    environment = os.environ if env is None else env
    manifest_path = Path(manifest_path) if manifest_path is not None else None  # or a str
    build = partial(
        _whole,
        config,
        manifest_path=manifest_path,
        manifest_sha256=manifest_sha256,
        env=environment,
        translator_class=translator_class,
        dbt_group_of=dbt_group_of,
        elsewhere=elsewhere,
    )
    key = whole_location_key(
        config,
        manifest_path,
        manifest_sha256,
        translator_class,
        environment,
        (dbt_group_of, elsewhere.asset_keys()),
    )
    if reconstructing():
        if key in _WHOLE:  # this process built the whole location already
            return _WHOLE[key]
        with collector_paused():  # a run's process: only its run, when the code server planned it
            run = run_definitions(
                config,
                manifest_path=manifest_path,
                env=environment,
                translator_class=translator_class,
                elsewhere=elsewhere,
                manifest_sha256=manifest_sha256,
            )
        if run is not None:
            return run
    _WHOLE.clear()  # one location per process: keep only the newest (and free the older)
    with collector_paused():
        definitions = build()
    _WHOLE[key] = definitions
    return definitions


def load_warnings(
    config: FloeConfig,
    built: BuiltAssets,
    others: list[Any],
    graph: Any,
    env: Mapping[str, str],
    *,
    complete: bool = True,
) -> list[ConfigIssue]:
    """What loads but does nothing, as warnings at their lines (a load logs them, ``floe plan``
    lists them): settings the chosen exporter ignores, and, when every asset loaded
    (``complete``; else "matches nothing" would only echo the failure), patterns that match no
    asset, partitions no asset has, and a Python dependency or check on a mistyped key."""
    found = ignored_settings(config, env)
    if complete:
        partitions = built.settings.partitions if built.settings is not None else {}
        found += unused_declarations(config, partitions, graph)
        found += unknown_dependencies(config, built.modules, defined_keys([*built.assets, *others]))
    return found


def _whole(
    config: FloeConfig,
    *,
    manifest_path: Path | None,
    manifest_sha256: str | None,
    env: Mapping[str, str],
    translator_class: type[FloeDbtTranslator],
    dbt_group_of: Callable[[Mapping[str, Any]], Hashable] | None,
    elsewhere: Elsewhere,
) -> Definitions:
    """The whole location: every asset, job, schedule and sensor (and, at a code server's
    load, the run plan and Dagster's own check)."""
    problems = Problems()
    _manifest_unchanged(config, manifest_path, manifest_sha256, problems)
    built = build_assets(
        config,
        manifest_path=manifest_path,
        env=env,
        translator_class=translator_class,
        problems=problems,
        dbt_group_of=dbt_group_of,
    )
    others = outside_assets(config, built, elsewhere, problems)
    graph = asset_graph([*built.assets, *built.asset_checks, *others])
    for issue in load_warnings(config, built, others, graph, env, complete=problems.complete):
        warn(issue)
    hooks = built_hooks(config, built, graph, env)
    jobs = build_jobs(config, graph=graph, problems=problems, hooks=hooks)
    schedules = build_schedules(config, jobs=jobs, problems=problems, graph=graph)
    assets = _backfill_policies(
        config,
        built,
        with_hooks(built.assets, hooks),
        jobs=jobs,
        graph=graph,
        problems=problems,
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
            asset_checks=with_hooks(built.asset_checks, hooks),
            jobs=[*jobs.values(), *modules.jobs],
            schedules=[*schedules, *modules.schedules],
            sensors=[*sensors, *modules.sensors],
            resources=build_resources(config, dbt=built.dbt),
        )
        record_plan(
            config,
            built,
            jobs.assets,
            manifest_sha256=manifest_sha256,
            env=env,
            translator_class=translator_class,
        )
        if not reconstructing():  # a run worker rebuilds what a code server checked
            _loadable(config, built, definitions, problems, elsewhere.definitions)
    return definitions


def _loadable(
    config: FloeConfig,
    built: BuiltAssets,
    definitions: Definitions,
    problems: Problems,
    elsewhere: tuple[Definitions, ...] = (),
) -> None:
    """Dagster's own check of the whole location, as a floe problem if it refuses it: floe's
    definitions merged with the rest of a dg project, as Dagster merges them (a floe job may
    select an asset defined there, so floe's alone need not load). Not when the rest of the
    project fails alone: Dagster reports that itself. Assets that feed each other in a cycle
    are named with where each comes from (Dagster lists every asset it could not order)."""
    location = Definitions.merge(definitions, *elsewhere) if elsewhere else definitions
    try:
        Definitions.validate_loadable(location)  # builds (and keeps) its repository here
    except Exception as error:
        if elsewhere and not _valid(Definitions.merge(*elsewhere)):
            return
        cycle = asset_cycle(list(location.assets or ()))
        problems.append(
            _cycle_issue(config, built, cycle)
            if cycle
            else config.source.issue(
                ("orchestration",),
                IssueCode.DAGSTER_REJECTS,
                f"Dagster rejects the definitions: {_reasons(error)}",
                "change the definition Dagster names (most often in a module of "
                "orchestration.asset_modules), then run floe validate again",
            )
        )
        problems.raise_if_any()


def _reasons(error: BaseException) -> str:
    """``error`` and the deepest of its causes: what failed and why (Dagster wraps a job's
    failed selection in errors that name the job, the innermost names the keys). A message
    that another one of the chain contains adds nothing."""
    texts: list[str] = []
    cause: BaseException | None = error
    while cause is not None and len(texts) < 20:
        texts.append(str(cause).strip() or type(cause).__name__)
        cause = cause.__cause__ or (None if cause.__suppress_context__ else cause.__context__)
    kept = list(dict.fromkeys(t for t in texts if not any(t != o and t in o for o in texts)))
    return ": ".join(kept[:1] + kept[-1:] if len(kept) > 1 else kept)


def _cycle_issue(config: FloeConfig, built: BuiltAssets, cycle: list[AssetKey]) -> ConfigIssue:
    names = [key.to_user_string() for key in cycle]
    where = "; ".join(f"{key.to_user_string()} is {asset_origin(built, key)}" for key in cycle[:-1])
    modules = [built.modules.owners[key][0] for key in cycle if key in built.modules.owners]
    listed = [config.module(m) for m in config.orchestration.asset_modules]
    where_key: tuple[str | int, ...] = ("orchestration",)
    if modules:  # the line of the first Python asset's module
        where_key = ("orchestration", "asset_modules")
        if modules[0] in listed:
            where_key = (*where_key, listed.index(modules[0]))
    return config.source.issue(
        where_key,
        IssueCode.ASSET_CYCLE,
        f"assets feed each other in a cycle: {' -> '.join(names)} ({where})",
        "remove one of these dependencies: a Python asset's deps, a dbt model's ref() or "
        "source(), or the meta.dagster.asset_key that keys a dbt source as another asset",
    )


def _valid(definitions: Definitions) -> bool:
    try:
        Definitions.validate_loadable(definitions)
    except Exception:
        return False
    return True


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
        frame = inspect.currentframe()  # not inspect.stack(): it reads every frame's source
        calling = frame.f_back if frame is not None else None
        caller = Path(calling.f_code.co_filename if calling else ".").absolute().parent
        artifacts = read_artifacts(locate_artifacts(path, env=environment, caller=caller))
        manifest = artifacts.dbt_manifest
        return build_definitions(
            resolve(artifacts, env=environment),
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
