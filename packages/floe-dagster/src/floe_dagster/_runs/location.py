"""The two ends of a run's shortcut: the code server records the run plan, a run's process
builds its definitions from it (see ``plan`` and ``worker``)."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetsDefinition, AssetSelection, Definitions

from floe_config import FloeConfig, state_directory
from floe_dagster._assets import BuiltAssets, Elsewhere, built_hooks, with_hooks
from floe_dagster._dagster_internals import (
    DAGSTER_DBT_EXCLUDE_METADATA_KEY,
    DAGSTER_DBT_SELECT_METADATA_KEY,
    DAGSTER_DBT_UNIQUE_ID_METADATA_KEY,
    RunTarget,
    asset_graph,
    reconstruction_metadata,
    record_for_reconstruction,
    run_target,
)
from floe_dagster._dbt.translator import FloeDbtTranslator
from floe_dagster._errors import Problems
from floe_dagster._orchestration.jobs import JobAssets, MixedJobPartitions, asset_job, materialized
from floe_dagster._orchestration.selection import Selected
from floe_dagster._resources import build_resources
from floe_dagster._runs.plan import (
    METADATA_KEY,
    PLAN_ENV,
    DbtAsset,
    DbtOp,
    RunPlan,
    location_id,
    pointer,
    read_plan,
    write_node_store,
    write_plan,
)
from floe_dagster._runs.worker import key_text, run_assets
from floe_dagster._warnings import dagster_internal_warnings_silenced

log = logging.getLogger("floe")


def _location(
    config: FloeConfig, manifest_path: Path | None, manifest_sha256: str | None, translator: type
) -> tuple[str, str | None]:
    sha = manifest_sha256
    if sha is None and manifest_path is not None and manifest_path.is_file():
        sha = hashlib.sha256(manifest_path.read_bytes()).hexdigest()
    identity = location_id(
        config.model_dump_json(), str(config.source.file), sha, translator.__qualname__
    )
    return identity, sha


def whole_location_key(
    config: FloeConfig,
    manifest_path: Path | None,
    manifest_sha256: str | None,
    translator_class: type,
    env: Mapping[str, str],
    extra: Hashable,
) -> tuple[Hashable, ...]:
    """What a whole-location build in a run's process depends on: the location (floe.yaml's
    place and resolved content, the manifest, the translator), the environment and ``extra``
    (the caller's other arguments). Within one such process nothing else changes. The run
    plan's pointer, which the first build of a process sets for its step processes, is not an
    input of the build."""
    identity, _ = _location(config, manifest_path, manifest_sha256, translator_class)
    return (identity, tuple(sorted(i for i in env.items() if i[0] != PLAN_ENV)), extra)


def record_plan(
    config: FloeConfig,
    built: BuiltAssets,
    job_assets: Mapping[str, JobAssets],
    *,
    manifest_sha256: str | None,
    env: Mapping[str, str],
    translator_class: type[FloeDbtTranslator],
) -> None:
    """Write the run plan (and the node store) for what the code server built, and name it in
    the reconstruction metadata (when it cannot be written, runs build the whole location)."""
    folder = state_directory(config, env) / "runs"
    try:
        nodes = None
        manifest_path = built.manifest.path if built.manifest is not None else None
        location, sha = _location(config, manifest_path, manifest_sha256, translator_class)
        if built.manifest is not None and sha is not None:
            nodes = write_node_store(folder, built.manifest, sha)
        dbt: dict[str, DbtAsset] = {}
        ops: dict[str, DbtOp] = {}
        for item in built.assets:
            name = getattr(getattr(item, "node_def", None), "name", None)
            if name not in built.dbt_ops:
                continue
            specs = list(item.specs)
            uids = [str(s.metadata[DAGSTER_DBT_UNIQUE_ID_METADATA_KEY]) for s in specs]
            tags = item.node_def.tags
            ops[name] = DbtOp(
                tags.get(DAGSTER_DBT_SELECT_METADATA_KEY, ""),
                tags.get(DAGSTER_DBT_EXCLUDE_METADATA_KEY, ""),
                uids[0],
                len(uids),
            )
            for position, (spec, uid) in enumerate(zip(specs, uids, strict=True)):
                dbt[key_text(spec.key)] = DbtAsset(uid, name, position)
        plan = RunPlan(
            location,
            sha,
            nodes,
            dbt,
            ops,
            {n: tuple(sorted(key_text(k) for k in a.keys)) for n, a in job_assets.items()},
        )
        path, digest = write_plan(folder, plan)
    except OSError as error:
        log.debug("floe: no run plan in %s (%s); runs build the whole location", folder, error)
        return
    named = pointer(path, digest)
    record_for_reconstruction(METADATA_KEY, named)
    os.environ[PLAN_ENV] = named  # for the step processes this process starts


def run_definitions(
    config: FloeConfig,
    *,
    manifest_path: Path | None,
    env: Mapping[str, str],
    translator_class: type[FloeDbtTranslator],
    elsewhere: Elsewhere,
    manifest_sha256: str | None = None,
    target: RunTarget | None = None,
) -> Definitions | None:
    """In a run worker or a step process: the definitions of just its run (``target``, by
    default the one loading this location), when the code server left a plan that covers it;
    None builds the whole location."""
    recorded = reconstruction_metadata(METADATA_KEY) or os.environ.get(PLAN_ENV)
    target = target or (run_target() if recorded else None)
    if not recorded or target is None:
        return None
    location, _ = _location(config, manifest_path, manifest_sha256, translator_class)
    plan = read_plan(recorded, location)
    if plan is None:
        return None
    run = run_assets(
        config,
        target=target,
        plan=plan,
        manifest_path=manifest_path,
        env=env,
        translator_class=translator_class,
        elsewhere=elsewhere,
    )
    if run is None:
        log.debug("floe: the run plan does not cover %s; building the whole location", target)
        return None
    built = run.built
    log.debug(
        "floe: the run of %s builds %d of the location's %d dbt assets",
        target.job_name,
        len(built.dbt_keys),
        len(plan.dbt),
    )
    graph = asset_graph([*built.assets, *built.asset_checks])
    hooks = built_hooks(config, built, graph, env)
    assets = with_hooks(built.assets, hooks)
    executable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_executable}
    executable |= {  # a dg project's other assets, which Dagster merges with floe's
        k
        for d in elsewhere.definitions
        for a in d.assets or ()
        if isinstance(a, AssetsDefinition) and a.is_executable
        for k in a.keys
    }
    settings = built.settings
    if settings is not None and run.backfill_jobs:
        job_assets = {}
        for name, keys in run.backfill_jobs.items():
            present = keys & executable
            try:
                job_assets[name] = materialized(
                    Selected(AssetSelection.assets(*present), set(present)), graph
                )
            except MixedJobPartitions:
                continue
        assets = settings.policies.settle(
            assets, job_assets=job_assets, dbt_ops=built.dbt_ops, problems=Problems()
        )
    jobs: list[Any] = []
    if run.job is not None:
        name, spec, keys = run.job
        present = keys & executable
        jobs.append(asset_job(name, spec, Selected(AssetSelection.assets(*present), set(present))))
    with dagster_internal_warnings_silenced():
        return Definitions(
            assets=assets,
            asset_checks=with_hooks(built.asset_checks, hooks),
            jobs=jobs,
            resources=build_resources(config, dbt=built.dbt),
        )
