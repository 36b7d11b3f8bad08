"""Auto-discovery of Python assets (FR-001..005): everything Dagster can define in a module."""

from __future__ import annotations

import importlib
import sys
import traceback
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from dagster import (
    AssetChecksDefinition,
    AssetsDefinition,
    ScheduleDefinition,
    SensorDefinition,
    load_definitions_from_module,
)

from floe_config import FloeConfig
from floe_dagster._problems import Problems
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


def _import_problem(module: str, error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        where = f"{error.filename}:{error.lineno}" if error.filename else "?"
        return f"module '{module}' has a syntax error at {where}: {error.msg}"
    if (
        isinstance(error, ModuleNotFoundError)
        and error.name
        and (module == error.name or module.startswith(error.name + "."))
    ):
        return f"no module named '{module}' (is it on the Python path, spelled right?)"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "importlib" not in f.filename]
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return f"importing '{module}' raised {type(error).__name__}: {error}{where}"


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


def load_modules(config: FloeConfig, problems: Problems) -> ModuleDefinitions:
    found = ModuleDefinitions()
    ensure_importable(config)
    for index, listed in enumerate(config.orchestration.asset_modules):
        path = ("orchestration", "asset_modules", index)
        try:
            name = config.module(listed)
            module = import_module(name)
        except ValueError as error:  # a relative path outside a package
            problems.add(config, path, str(error))
            continue
        except Exception as error:
            problems.add(config, path, _import_problem(config.module(listed), error))
            continue
        try:
            with dagster_internal_warnings_silenced():
                defs = load_definitions_from_module(module)
        except Exception as error:
            problems.add(config, path, f"Dagster cannot load '{name}': {error}")
            continue
        for item in defs.assets or ():
            if isinstance(item, AssetChecksDefinition):
                found.asset_checks.append(item)
            else:
                found.assets.append(item)
        found.asset_checks += list(defs.asset_checks or ())
        found.jobs += list(defs.jobs or ())
        found.schedules += list(defs.schedules or ())  # type: ignore[arg-type]
        found.sensors += list(defs.sensors or ())
    return found
