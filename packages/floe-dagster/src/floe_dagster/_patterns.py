"""``orchestration.assets``: glob patterns over asset keys, applied to Python and dbt alike.

For each setting, the last pattern (in file order) that matches a key and sets it wins.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from dagster import AssetKey

from floe_config import AssetConfig, FloeConfig


def key_text(key: AssetKey) -> str:
    """The text a pattern is matched against: key parts joined by ``/``."""
    return "/".join(key.path)


def matching_settings(config: FloeConfig, key: AssetKey) -> list[tuple[str, AssetConfig]]:
    """Every ``assets:`` entry whose pattern matches ``key``, in file order."""
    text = key_text(key)
    return [
        (pattern, settings)
        for pattern, settings in config.orchestration.assets.items()
        if fnmatch.fnmatchcase(text, pattern)
    ]


def setting(config: FloeConfig, key: AssetKey, name: str) -> tuple[str | None, Any]:
    """``(pattern, value)`` of the last matching pattern that sets ``name``; (None, None)."""
    found = [(p, getattr(s, name)) for p, s in matching_settings(config, key) if getattr(s, name)]
    return found[-1] if found else (None, None)


def group_override(config: FloeConfig, key: AssetKey) -> str | None:
    """The ``group_name`` of the last matching pattern that sets one."""
    value: str | None = setting(config, key, "group_name")[1]
    return value


def compute_kind_override(config: FloeConfig, key: AssetKey) -> str | None:
    value: str | None = setting(config, key, "compute_kind")[1]
    return value
