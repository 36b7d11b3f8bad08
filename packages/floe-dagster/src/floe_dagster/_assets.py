"""Assets (FR-001..010): Python assets from ``asset_modules``, one asset per dbt node."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagster import (
    AssetChecksDefinition,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Definitions,
    HookDefinition,
    SourceAsset,
)

from floe_config import FloeConfig, IssueCode, locate_manifest, manifest_fix, state_directory
from floe_dagster._dagster_internals import DAGSTER_DBT_UNIQUE_ID_METADATA_KEY
from floe_dagster._dbt.assets import build_dbt_assets
from floe_dagster._dbt.settings import DbtSettings, dbt_settings
from floe_dagster._dbt.translator import FloeDbtTranslator
from floe_dagster._errors import Problems
from floe_dagster._observability.catalog import catalog
from floe_dagster._observability.hooks import observation_hooks
from floe_dagster._observability.settings import observability_settings
from floe_dagster._orchestration.asset_settings import AssetSettings
from floe_dagster._python.modules import ModuleDefinitions, load_modules
from floe_dbt import DbtManifest, FloeDbtError, load_manifest

MANIFEST_KEY = ("orchestration", "dbt", "manifest_path")


@dataclass(frozen=True)
class BuiltAssets:
    """What ``build_assets`` produced."""

    assets: list[Any]
    asset_checks: list[Any]
    modules: ModuleDefinitions
    manifest: DbtManifest | None = None
    dbt: DbtSettings | None = None
    dbt_keys: dict[str, AssetKey] = field(default_factory=dict)
    """dbt unique_id -> asset key, as the translator in use decided (read off the built specs)."""
    dbt_ops: frozenset[str] = frozenset()
    """The op names of the dbt multi-assets (each runs one ``dbt build`` step)."""
    settings: AssetSettings | None = None
    """What the ``orchestration.assets`` patterns gave the assets (partitions shared)."""

    @classmethod
    def with_dbt(
        cls,
        assets: list[Any],
        modules: ModuleDefinitions,
        asset_settings: AssetSettings,
        *,
        dbt: list[AssetsDefinition],
        manifest: DbtManifest | None,
        settings: DbtSettings | None,
    ) -> BuiltAssets:
        """The Python ``assets`` of ``modules`` and the dbt multi-assets ``dbt``."""
        return cls(
            [*assets, *dbt],
            modules.asset_checks,
            modules,
            manifest,
            settings,
            dbt_keys_of(dbt),
            frozenset(d.node_def.name for d in dbt),
            asset_settings,
        )


@dataclass(frozen=True)
class Elsewhere:
    """What the rest of a ``dg`` project defines, next to a ``FloeComponent``: floe's checks
    (selections, watched assets, partitions of a job) see these assets, and Dagster merges
    them with floe's by key; floe neither owns nor observes them."""

    definitions: tuple[Definitions, ...] = ()
    complete: bool = True
    """False when a part of the project failed to build (Dagster reports why)."""

    def asset_keys(self) -> frozenset[AssetKey]:
        """The keys of every asset the rest of the project defines."""
        return frozenset(
            key for d in self.definitions for item in d.assets or () for key in _keys(item)
        )


def outside_assets(
    config: FloeConfig, built: BuiltAssets, elsewhere: Elsewhere, problems: Problems
) -> list[Any]:
    """The assets and checks of ``elsewhere`` that the asset graph gains: a key floe also
    materializes is a problem (``duplicate_asset``); an external spec of a key floe builds
    adds nothing."""
    problems.elsewhere_failed = problems.elsewhere_failed or not elsewhere.complete
    own = {key for item in built.assets for key in _keys(item)}
    dbt = set(built.dbt_keys.values())
    found: list[Any] = []
    for definitions in elsewhere.definitions:
        for item in definitions.assets or ():
            keys = _keys(item)
            if isinstance(item, AssetSpec) and keys & own:
                continue
            clash = (
                keys & own if isinstance(item, AssetsDefinition) and item.is_executable else set()
            )
            for key in sorted(clash, key=lambda k: k.to_user_string()):
                problems.append(
                    config.source.issue(
                        MANIFEST_KEY if key in dbt else ("orchestration", "asset_modules"),
                        IssueCode.DUPLICATE_ASSET,
                        f"asset '{key.to_user_string()}' is built by floe and also defined "
                        "elsewhere in the dg project",
                        "rename one of them, or key the dbt node differently "
                        "(meta.dagster.asset_key or a translator)",
                    )
                )
            if keys and not clash:
                found.append(item)
        found += [c for c in definitions.asset_checks or () if isinstance(c, AssetChecksDefinition)]
    return found


def _keys(item: Any) -> set[AssetKey]:
    if isinstance(item, AssetSpec):
        return {item.key}
    if isinstance(item, AssetsDefinition):
        return set(item.keys)
    return set()  # a SourceAsset or a cacheable definition: nothing floe can check against


def defined_keys(items: Sequence[Any]) -> set[AssetKey]:
    """The keys that ``items`` define: assets, multi-assets, specs and source assets (not the
    keys they only depend on or check, which Dagster shows as external assets too)."""
    return {key for item in items for key in _keys(item)} | {
        item.key for item in items if isinstance(item, SourceAsset)
    }


def asset_cycle(items: Sequence[Any]) -> list[AssetKey]:
    """One cycle of the asset graph that ``items`` (assets and specs) make, upstream first and
    closed (``[a, b, a]``: a feeds b, b feeds a); empty when there is none."""
    parents: dict[AssetKey, set[AssetKey]] = {}
    for item in items:
        if isinstance(item, AssetsDefinition):
            for key, deps in item.asset_deps.items():
                parents.setdefault(key, set()).update(deps)
        elif isinstance(item, AssetSpec):
            parents.setdefault(item.key, set()).update(d.asset_key for d in item.deps)
    done: set[AssetKey] = set()
    for start in sorted(parents, key=lambda k: k.to_user_string()):
        if start in done:
            continue
        path, on_path = [start], {start}
        pending = [iter(sorted(parents[start], key=lambda k: k.to_user_string()))]
        while pending:
            parent = next(pending[-1], None)
            if parent is None:
                done.add(path[-1])
                on_path.discard(path.pop())
                pending.pop()
            elif parent in on_path:
                return [parent, *reversed(path[path.index(parent) :])]
            elif parent not in done:
                path.append(parent)
                on_path.add(parent)
                pending.append(
                    iter(sorted(parents.get(parent, ()), key=lambda k: k.to_user_string()))
                )
    return []


def asset_origin(built: BuiltAssets, key: AssetKey) -> str:
    """Where the asset ``key`` comes from, for a message: a Python module, a dbt file, or
    another part of the ``dg`` project."""
    if key in built.modules.owners:
        module, op = built.modules.owners[key]
        return f"the Python asset '{op}' in '{module}'"
    unique_id = next((u for u, k in built.dbt_keys.items() if k == key), None)
    if unique_id is not None and built.manifest is not None:
        node = built.manifest.node(unique_id)
        return f"the dbt {node.resource_type} {node.path}"
    return "defined elsewhere in the dg project"


def dbt_keys_of(assets: Sequence[Any]) -> dict[str, AssetKey]:
    """dbt unique_id -> asset key, from the specs dagster-dbt built."""
    keys = {}
    for item in assets:
        if isinstance(item, AssetsDefinition):
            for spec in item.specs:
                unique_id = spec.metadata.get(DAGSTER_DBT_UNIQUE_ID_METADATA_KEY)
                if isinstance(unique_id, str):
                    keys[unique_id] = spec.key
    return keys


def build_assets(
    config: FloeConfig,
    *,
    manifest_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    translator_class: type[FloeDbtTranslator] = FloeDbtTranslator,
    problems: Problems | None = None,
    dbt_group_of: Callable[[Mapping[str, Any]], Hashable] | None = None,
) -> BuiltAssets:
    """Python assets from ``asset_modules`` and one asset per dbt model, seed and snapshot.

    ``dbt_group_of`` (dbt node properties -> a group key) splits the dbt nodes into several
    multi-assets (see ``build_dbt_assets``); by default they share one.
    """
    own = problems is None
    problems = Problems() if problems is None else problems
    env = os.environ if env is None else env
    modules = load_modules(config, problems)
    asset_settings = AssetSettings.of(config)
    assets = asset_settings.apply(modules.assets, owners=modules.owners, problems=problems)
    built = BuiltAssets(assets, modules.asset_checks, modules, settings=asset_settings)
    if config.orchestration.dbt is not None:
        path = manifest_path or locate_manifest(config) or config.path("")
        try:
            manifest = load_manifest(path)
        except FloeDbtError as error:
            ours = manifest_path is None or manifest_path == locate_manifest(config)
            hint = manifest_fix(config) if ours else error.hint  # the command that rewrites it
            problems.append(config.source.issue(MANIFEST_KEY, error.code, error.message, hint))
        else:
            settings = dbt_settings(config, manifest_path=path, env=env, problems=problems)
            translator = translator_class(manifest=manifest, config=config)
            translator.asset_settings = asset_settings  # one set of partitions objects
            key_of = None
            if dbt_group_of is not None:
                group_of, nodes = dbt_group_of, manifest.raw["nodes"]

                def key_of(uid: str) -> Hashable:
                    return group_of(nodes[uid])

            dbt = build_dbt_assets(
                config, manifest=manifest, settings=settings, translator=translator, key_of=key_of
            )
            for key in sorted(k for d in dbt for k in d.keys if k in modules.owners):
                module, op = modules.owners[key]
                problems.append(
                    config.source.issue(
                        MANIFEST_KEY,
                        IssueCode.DUPLICATE_ASSET,
                        f"asset '{key.to_user_string()}' is both a dbt node and the Python asset "
                        f"'{op}' in '{module}'",
                        "rename one of them, or key the dbt node differently "
                        "(meta.dagster.asset_key or a translator)",
                    )
                )
            built = BuiltAssets.with_dbt(
                assets, modules, asset_settings, dbt=dbt, manifest=manifest, settings=settings
            )
    if own:
        problems.raise_if_any()
    return built


def built_hooks(
    config: FloeConfig, built: BuiltAssets, graph: Any, env: Mapping[str, str]
) -> set[HookDefinition]:
    """The hooks that trace and record the lineage of every step of ``built`` (none when both
    are off)."""
    settings = observability_settings(config, env=env, state_dir=state_directory(config, env))
    if not settings.enabled:
        return set()
    observed = catalog(
        settings,
        graph=graph,
        definitions=[*built.assets, *built.asset_checks],
        dbt_keys=built.dbt_keys,
        manifest=built.manifest,
        dbt_ops=built.dbt_ops,
        dbt_state_dir=built.dbt.state_dir if built.dbt is not None else None,
    )
    return observation_hooks(observed)


def with_hooks(items: list[Any], hooks: set[HookDefinition]) -> list[Any]:
    """``items`` with ``hooks`` on every executable asset (specs and checks unchanged)."""
    return [
        item.with_hooks(hooks)
        if hooks and isinstance(item, AssetsDefinition) and item.is_executable
        else item
        for item in items
    ]
