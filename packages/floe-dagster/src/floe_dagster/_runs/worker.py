"""A run's assets: what a run worker or a step process builds instead of the whole location.

The run is known from the ``ReconstructableJob`` loading the location (``run_target``): a
batch job of floe.yaml, or Dagster's asset job with the run's asset selection. Its assets
(``E``) come from the run plan. The process builds:

- every Python asset of ``asset_modules`` (the user's code, imported as always);
- of the dbt nodes, only ``E``'s, their parents, and every dbt node a Python definition of the
  location names (a dependency, an asset check's target), each in the multi-asset the code
  server put it in, with the same name, dbt selection and backfill policy;
- a multi-asset the run selects whole is built whole (dagster-dbt then runs its own dbt
  selection, as on the code server); one it selects part of keeps at least one node it does
  not select, so that dagster-dbt names the selected nodes to dbt, as on the code server;
- only the run's job, with the assets the code server resolved it to.

The dbt nodes come from the node store, a few rows of SQLite, into a manifest of just those
nodes (their parents' own dependencies cut: they are only named, never built); the full
manifest is never read. Anything the plan does not cover (a job a Python module defines, an
op selection, a job of a sensor's own) returns None: the process builds the whole location.
``tests/test_run_assets.py`` compares what this builds with the code server's job.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster import AssetChecksDefinition, AssetKey, AssetsDefinition, Definitions

from floe_config import BatchJob, FloeConfig
from floe_dagster._assets import BuiltAssets, Elsewhere
from floe_dagster._dagster_internals import RunTarget
from floe_dagster._dbt.assets import build_group, group_key_function
from floe_dagster._dbt.groups import DbtGroup
from floe_dagster._dbt.settings import dbt_settings
from floe_dagster._dbt.specs import node_keys
from floe_dagster._dbt.translator import FloeDbtTranslator
from floe_dagster._errors import Problems
from floe_dagster._orchestration.asset_settings import AssetSettings
from floe_dagster._python.modules import load_modules
from floe_dagster._runs.plan import NodeStore, RunPlan
from floe_dbt import manifest_from_raw

ASSET_JOB = "__ASSET_JOB"
"""Dagster's own job of every asset (``dagster asset materialize``, the UI's Materialize)."""


def key_text(key: AssetKey) -> str:
    """An asset key as the run plan writes it."""
    return json.dumps(list(key.path))


def key_of_text(text: str) -> AssetKey:
    return AssetKey(json.loads(text))


@dataclass(frozen=True)
class RunAssets:
    """What a run's process builds: the assets, and the run's job with its assets' keys (None
    for Dagster's asset job, which Dagster makes itself)."""

    built: BuiltAssets
    job: tuple[str, BatchJob, frozenset[AssetKey]] | None
    backfill_jobs: Mapping[str, frozenset[AssetKey]]
    """The assets of every job a named backfill runs (their backfill policies)."""


def run_keys(config: FloeConfig, target: RunTarget, plan: RunPlan) -> frozenset[str] | None:
    """The keys the run materializes (``E``), or None when the plan does not cover its job."""
    if target.op_selection:
        return None
    selected = (
        frozenset(key_text(k) for k in target.asset_selection)
        if target.asset_selection is not None
        else None
    )
    if target.job_name == ASSET_JOB:
        return selected
    spec = config.orchestration.jobs.get(target.job_name)
    if not isinstance(spec, BatchJob) or target.job_name not in plan.jobs:
        return None
    return selected if selected is not None else frozenset(plan.jobs[target.job_name])


def _dependencies(items: Iterable[Any]) -> set[AssetKey]:
    """Every key the Python definitions ``items`` depend on or check."""
    found: set[AssetKey] = set()
    for item in items:
        if isinstance(item, AssetChecksDefinition):
            found.update(k.asset_key for k in item.check_keys)
        elif isinstance(item, AssetsDefinition):
            for deps in item.asset_deps.values():
                found.update(deps)
            found.update(k.asset_key for k in item.check_keys)
        elif hasattr(item, "deps"):  # a plain AssetSpec
            found.update(dep.asset_key for dep in item.deps)
    return found


def _ops_to_build(
    plan: RunPlan, wanted: set[str], selected: frozenset[str]
) -> dict[str, list[str]]:
    """op -> the keys of its nodes to build: ``wanted``, the whole op when the run selects all
    of it, and one node the run does not select when it selects part of it."""
    by_op: dict[str, set[str]] = {}
    for key in wanted:
        asset = plan.dbt.get(key)
        if asset is not None:
            by_op.setdefault(asset.op, set()).add(key)
    built: dict[str, list[str]] = {}
    for op, keys in by_op.items():
        members = plan.members(op)
        if all(k in selected for k in members):
            chosen = set(members)
        else:
            chosen = keys
            if chosen & selected and chosen <= selected:  # a part: keep one node it does not run
                chosen.add(next(k for k in members if k not in selected))
        built[op] = [k for k in members if k in chosen]
    return built


def _asset_parents(store: NodeStore, unique_ids: list[str], assets: Mapping[str, str]) -> set[str]:
    """The parents of ``unique_ids`` that are dbt assets (``assets``), looking through
    ephemeral models (dbt inlines them; the asset reads their parents)."""
    found: set[str] = set()
    seen = set(unique_ids)
    pending = unique_ids
    while pending:
        parents = [
            p
            for node in store.nodes(pending).values()
            for p in (node.get("depends_on") or {}).get("nodes") or ()
            if p not in seen
        ]
        seen.update(parents)
        found.update(p for p in parents if p in assets)
        pending = [p for p in parents if p not in assets and p.startswith("model.")]
    return found - set(unique_ids)


def _slim_manifest(store: NodeStore, unique_ids: list[str], path: Path) -> Any:
    """A manifest of ``unique_ids``, the ephemeral models between them and their parents, the
    tests attached to them, and, named only, the parents and the tests' other nodes."""
    raw = store.top()
    full = store.nodes(unique_ids)
    pending = [
        p for node in full.values() for p in (node.get("depends_on") or {}).get("nodes") or ()
    ]
    named: dict[str, dict[str, Any]] = {}
    seen = set(full)
    while pending:
        wanted = [p for p in dict.fromkeys(pending) if p not in seen and p not in raw["sources"]]
        pending = []
        for uid, node in store.nodes(wanted).items():
            seen.add(uid)
            if (node.get("config") or {}).get("materialized") == "ephemeral":
                full[uid] = node  # dbt inlines it: its parents are the asset's parents
                pending += (node.get("depends_on") or {}).get("nodes") or ()
            else:
                named[uid] = node
    tests = store.nodes(store.tests_of(list(full)))
    for test in tests.values():
        for uid in (test.get("depends_on") or {}).get("nodes") or ():
            if uid not in seen and uid not in raw["sources"]:
                named.update(store.nodes([uid]))
                seen.add(uid)
    nodes = {
        uid: {**n, "depends_on": {**n.get("depends_on", {}), "nodes": []}}
        for uid, n in named.items()
    }
    nodes.update(full)
    nodes.update(tests)
    return manifest_from_raw({**raw, "nodes": nodes}, path)


def run_assets(
    config: FloeConfig,
    *,
    target: RunTarget,
    plan: RunPlan,
    manifest_path: Path | None,
    env: Mapping[str, str],
    translator_class: type[FloeDbtTranslator],
    elsewhere: Elsewhere,
) -> RunAssets | None:
    """The assets the run ``target`` needs (see the module), or None: build the location."""
    selected = run_keys(config, target, plan)
    if selected is None:
        return None
    problems = Problems()  # the code server checked all of this; a run reports nothing again
    modules = load_modules(config, problems)
    asset_settings = AssetSettings.of(config)
    assets = asset_settings.apply(modules.assets, owners=modules.owners, problems=problems)
    if problems:
        return None
    built = BuiltAssets(assets, modules.asset_checks, modules, settings=asset_settings)
    job = None
    if target.job_name != ASSET_JOB:
        spec = config.orchestration.jobs[target.job_name]
        assert isinstance(spec, BatchJob)
        job = (target.job_name, spec, frozenset(key_of_text(k) for k in plan.jobs[target.job_name]))
    backfills = {
        b.job: frozenset(key_of_text(k) for k in plan.jobs.get(b.job, ()))
        for b in config.orchestration.backfills.values()
    }
    if config.orchestration.dbt is None or plan.nodes is None or manifest_path is None:
        return RunAssets(built, job, backfills)
    settings = dbt_settings(config, manifest_path=manifest_path, env=env, problems=problems)
    built = BuiltAssets.with_dbt(
        assets, modules, asset_settings, dbt=[], manifest=None, settings=settings
    )
    python = [
        *assets,
        *modules.asset_checks,
        *(d for e in elsewhere.definitions for d in _every(e)),
    ]
    wanted = set(selected) | {key_text(k) for k in _dependencies(python)}
    if target.asset_check_selection:  # a run of checks only: their assets' ops, not run
        wanted |= {key_text(c.asset_key) for c in target.asset_check_selection}
    by_uid = {a.unique_id: k for k, a in plan.dbt.items()}
    store = NodeStore(plan.nodes)
    try:
        start = [plan.dbt[k].unique_id for k in selected if k in plan.dbt]
        wanted |= {by_uid[uid] for uid in _asset_parents(store, start, by_uid)}
        ops = _ops_to_build(plan, wanted, selected)
        if not ops:
            return RunAssets(built, job, backfills)
        # ephemeral parents of a needed node resolve to asset parents through the manifest
        manifest = _slim_manifest(
            store, [plan.dbt[k].unique_id for keys in ops.values() for k in keys], manifest_path
        )
    finally:
        store.close()
    translator = translator_class(manifest=manifest, config=config)
    translator.asset_settings = asset_settings
    keys = node_keys(manifest, translator)
    group_key = group_key_function(manifest, translator)
    dbt = []
    for op, members in ops.items():
        uids = tuple(plan.dbt[k].unique_id for k in members)
        info = plan.ops[op]
        group = DbtGroup(
            op, uids, group_key(uids[0]) if group_key else None, info.select, info.exclude
        )
        first = by_uid.get(info.first)
        policy_key = key_of_text(first) if first else None
        dbt.append(
            build_group(
                config, settings, manifest, translator, group, keys=keys, policy_key=policy_key
            )
        )
    built = BuiltAssets.with_dbt(
        assets, modules, asset_settings, dbt=dbt, manifest=manifest, settings=settings
    )
    return RunAssets(built, job, backfills)


def _every(definitions: Definitions) -> list[Any]:
    return [*(definitions.assets or ()), *(definitions.asset_checks or ())]
