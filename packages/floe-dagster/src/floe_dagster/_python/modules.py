"""Auto-discovery of Python assets (FR-001..005): everything Dagster can define in a module."""

from __future__ import annotations

import difflib
import importlib
import sys
import traceback
from collections.abc import Collection
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from dagster import (
    AssetChecksDefinition,
    AssetKey,
    AssetsDefinition,
    ScheduleDefinition,
    SensorDefinition,
    load_definitions_from_module,
)

from floe_config import ConfigIssue, FloeConfig, IssueCode
from floe_dagster._errors import Problems
from floe_dagster._warnings import dagster_internal_warnings_silenced


@dataclass
class ModuleDefinitions:
    """What the listed asset modules define, in module order."""

    assets: list[Any] = field(default_factory=list)
    """Assets, multi-assets, specs and source assets."""
    asset_checks: list[AssetChecksDefinition | AssetsDefinition] = field(default_factory=list)
    jobs: list[Any] = field(default_factory=list)
    schedules: list[ScheduleDefinition] = field(default_factory=list)
    sensors: list[SensorDefinition] = field(default_factory=list)
    owners: dict[Any, tuple[str, str]] = field(default_factory=dict)
    """Asset key -> (module, op) of the Python definition that materializes it."""
    listed: dict[int, tuple[str, int]] = field(default_factory=dict)
    """``id()`` of each asset and check -> (its module, that module's ``asset_modules`` index)."""


def import_problem(module: str, error: BaseException) -> tuple[IssueCode, str, str | None]:
    """``(code, message, fix)`` for a module that failed to import."""
    if isinstance(error, SyntaxError):
        where = f"{error.filename}:{error.lineno}" if error.filename else "?"
        return (
            IssueCode.MODULE_SYNTAX_ERROR,
            f"module '{module}' has a syntax error at {where}: {error.msg}",
            "fix the Python file",
        )
    if (
        isinstance(error, ModuleNotFoundError)
        and error.name
        and (module == error.name or module.startswith(error.name + "."))
    ):
        return (
            IssueCode.MISSING_MODULE,
            f"no module named '{module}' (is it on the Python path, spelled right?)",
            "check the spelling; relative paths ('.x') resolve against the package of floe.yaml",
        )
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "importlib" not in f.filename]
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return (
        IssueCode.MODULE_IMPORT_ERROR,
        f"importing '{module}' raised {type(error).__name__}: {error}{where}",
        None,
    )


def import_module(module: str) -> ModuleType:
    """Import ``module`` fresh enough that an edited file is seen on the next load."""
    if module in sys.modules:
        return importlib.reload(sys.modules[module])
    return importlib.import_module(module)


def ensure_importable(config: FloeConfig) -> None:
    """Put the directory above floe.yaml's top package on ``sys.path`` (once)."""
    package = config.source.base_package
    if not package:
        return
    root = config.source.directory
    for _ in package.split("."):
        root = root.parent
    if str(root) not in sys.path:
        sys.path.append(str(root))


def _defined_in(item: AssetsDefinition) -> str | None:
    """The module that holds the function behind an asset (None when Dagster has no function)."""
    function = getattr(getattr(item.node_def, "compute_fn", None), "decorated_fn", None)
    return getattr(function, "__module__", None)


def _identity(item: Any) -> tuple[Any, ...]:
    """What makes two loaded definitions the same one: a module that imports another module's
    asset, or a reload, yields a second object for one definition (same op, keys, module)."""
    if isinstance(item, AssetsDefinition):
        op = item.node_def.name if item.is_executable else None
        return ("assets", op, tuple(item.keys), _defined_in(item))
    return ("other", id(item))


def load_modules(config: FloeConfig, problems: Problems) -> ModuleDefinitions:
    """Every Dagster definition in the listed modules (FR-001..005), each problem at its line.

    A definition that two modules share (one imports it from the other) loads once; two
    different definitions of one asset key are a problem at the second module's line.
    """
    found = ModuleDefinitions()
    ensure_importable(config)
    seen_modules: dict[str, int] = {}
    seen: set[tuple[Any, ...]] = set()
    owners = found.owners
    for index, listed in enumerate(config.orchestration.asset_modules):
        path = ("orchestration", "asset_modules", index)
        name = config.module(listed)  # floe-config refused relative paths outside a package
        if name in seen_modules:
            problems.append(
                config.source.issue(
                    path,
                    IssueCode.DUPLICATE_MODULE,
                    f"module '{name}' is listed twice (also as "
                    f"asset_modules[{seen_modules[name]}])",
                    "remove one of the two entries",
                )
            )
            continue
        seen_modules[name] = index
        try:
            module = import_module(name)
        except Exception as error:
            problems.append(config.source.issue(path, *import_problem(name, error)))
            continue
        try:
            with dagster_internal_warnings_silenced():
                defs = load_definitions_from_module(module)
        except Exception as error:
            problems.append(
                config.source.issue(
                    path,
                    IssueCode.MODULE_REJECTED,
                    f"Dagster cannot load the definitions of '{name}': {error}",
                    "fix the definitions in that module",
                )
            )
            continue
        for item in [*(defs.assets or ()), *(defs.asset_checks or ())]:
            identity = _identity(item)
            if identity in seen:
                continue
            seen.add(identity)
            if isinstance(item, AssetsDefinition) and item.is_executable:
                clash = next((k for k in item.keys if k in owners), None)
                if clash is not None:
                    other_module, other_op = owners[clash]
                    problems.append(
                        config.source.issue(
                            path,
                            IssueCode.DUPLICATE_ASSET,
                            f"asset '{clash.to_user_string()}' is defined twice: by "
                            f"'{other_op}' in '{other_module}' and by '{item.node_def.name}' in "
                            f"'{name}'",
                            "keep one definition of each asset key",
                        )
                    )
                    continue
                owners.update(dict.fromkeys(item.keys, (name, item.node_def.name)))
            if isinstance(item, AssetChecksDefinition):
                found.asset_checks.append(item)
            else:
                found.assets.append(item)
            found.listed[id(item)] = (name, index)
        found.jobs += list(defs.jobs or ())
        found.schedules += list(defs.schedules or ())  # type: ignore[arg-type]
        found.sensors += list(defs.sensors or ())
    return found


MAX_UNKNOWN_KEYS = 200
"""How many distinct unknown dependency keys ``unknown_dependencies`` compares with the
defined ones."""


def unknown_dependencies(
    config: FloeConfig, modules: ModuleDefinitions, defined: Collection[AssetKey]
) -> list[ConfigIssue]:
    """A Python asset's dependency, or an asset check's asset, that no asset of the code
    location defines while a defined key is nearly the same: a typo, which Dagster would show
    as an external asset that nothing runs (``unknown_dependency``, a warning at the module's
    line). A key like no defined one is left alone: an asset of another code location.

    Each unknown key is compared once (about 14 ms against 10,000 keys), and only the first
    ``MAX_UNKNOWN_KEYS`` of them: a location that reads hundreds of other locations' assets
    does not pay for it on every load."""
    known = frozenset(defined)
    names = [key.to_user_string() for key in known]
    issues = []
    nearest: dict[AssetKey, str | None] = {}

    def close(key: AssetKey) -> str | None:
        if key not in nearest and len(nearest) < MAX_UNKNOWN_KEYS:
            found = difflib.get_close_matches(key.to_user_string(), names, n=1, cutoff=0.8)
            nearest[key] = found[0] if found else None
        return nearest.get(key)

    def issue(item: Any, what: str, verb: str, key: AssetKey, near: str) -> ConfigIssue:
        module, index = modules.listed[id(item)]
        return config.source.issue(
            ("orchestration", "asset_modules", index),
            IssueCode.UNKNOWN_DEPENDENCY,
            f"{what} in '{module}' {verb} '{key.to_user_string()}', which no asset of this code "
            "location defines (Dagster shows it as an external asset that nothing runs)",
            f"did you mean '{near}'? (a key of another code location needs no change)",
        )

    for item in modules.assets:
        if not isinstance(item, AssetsDefinition) or id(item) not in modules.listed:
            continue
        for key, deps in item.asset_deps.items():
            for dep in sorted(deps - known, key=lambda k: k.to_user_string()):
                near = close(dep)
                if near is not None:
                    issues.append(
                        issue(item, f"the asset '{key.to_user_string()}'", "depends on", dep, near)
                    )
    for item in modules.asset_checks:
        if id(item) not in modules.listed:
            continue
        for check in sorted(item.check_keys, key=lambda c: (c.asset_key.to_user_string(), c.name)):
            near = None if check.asset_key in known else close(check.asset_key)
            if near is not None:
                issues.append(
                    issue(item, f"the asset check '{check.name}'", "checks", check.asset_key, near)
                )
    return issues
