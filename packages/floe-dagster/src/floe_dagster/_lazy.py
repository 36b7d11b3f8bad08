"""Names a package loads on first use (PEP 562), so that importing it stays cheap: the package
face (Dagster) and the lake (PyIceberg, DuckDB) use it. ``STEP_ONLY`` is what only a step
opens: building definitions (a code server, a run worker, a step process) imports none of it."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from floe_dagster._gc import imports_paused

STEP_ONLY = (
    "pyiceberg",
    "duckdb",
    "pyarrow",
    "sqlalchemy",
    "openlineage.client",
    "opentelemetry.sdk",
)


def loaded_step_only(modules: Iterable[str]) -> list[str]:
    """The modules of ``modules`` (``sys.modules``) that only a step should have imported."""
    return sorted(m for m in modules if m.startswith(STEP_ONLY))


def lazy_names(
    package: str, home: Mapping[str, tuple[str, str]], public: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__``: ``name`` is the attribute ``home[name]``
    (module, attribute) read when first asked for, then kept in the package's namespace."""
    names = sorted(public)

    def __getattr__(name: str) -> Any:
        if name not in home:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attribute = home[name]
        with imports_paused():
            value = getattr(importlib.import_module(module), attribute)
        setattr(importlib.import_module(package), name, value)
        return value

    def __dir__() -> list[str]:
        return names

    return __getattr__, __dir__
