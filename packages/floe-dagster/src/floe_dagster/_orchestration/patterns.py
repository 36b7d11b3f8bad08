"""``orchestration.assets``: glob patterns over asset keys, applied to Python and dbt alike.

A pattern is matched against the key's parts joined by ``/``, as Dagster shows a key:
``stg_*`` matches ``stg_orders``, ``silver/*`` matches ``silver/stg_orders`` (a key of two
parts, as ``asset_keys: dagster_dbt`` makes for a model with a custom schema). For each
setting, the last pattern (in file order) that matches a key and sets it wins.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from dagster import AssetKey

from floe_config import AssetConfig, FloeConfig

SETTINGS = ("partitions", "automation_condition", "backfill_policy", "group_name", "compute_kind")


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


@dataclass(frozen=True)
class PatternSettings:
    """What the ``assets:`` patterns give one key: each setting, and the pattern that set it."""

    values: dict[str, Any] = field(default_factory=dict)
    """Setting name -> value, for each setting some matching pattern sets."""
    patterns: dict[str, str] = field(default_factory=dict)
    """Setting name -> the pattern whose value won."""

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)

    def pattern(self, name: str) -> str | None:
        return self.patterns.get(name)


def pattern_settings(config: FloeConfig, key: AssetKey) -> PatternSettings:
    """Every setting the patterns give ``key``, in one pass over the patterns."""
    found = PatternSettings()
    for pattern, settings in matching_settings(config, key):
        for name in SETTINGS:
            value = getattr(settings, name)
            if value:
                found.values[name] = value
                found.patterns[name] = pattern
    return found


def setting(config: FloeConfig, key: AssetKey, name: str) -> tuple[str | None, Any]:
    """``(pattern, value)`` of the last matching pattern that sets ``name``; (None, None)."""
    found = pattern_settings(config, key)
    return found.pattern(name), found[name]
