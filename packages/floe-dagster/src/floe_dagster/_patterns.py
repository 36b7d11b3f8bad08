"""``orchestration.assets``: glob patterns over asset keys, applied to Python and dbt alike."""

from __future__ import annotations

import fnmatch

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


def group_override(config: FloeConfig, key: AssetKey) -> str | None:
    """The ``group_name`` of the last matching pattern that sets one."""
    groups = [s.group_name for _, s in matching_settings(config, key) if s.group_name]
    return groups[-1] if groups else None


def compute_kind_override(config: FloeConfig, key: AssetKey) -> str | None:
    kinds = [s.compute_kind for _, s in matching_settings(config, key) if s.compute_kind]
    return kinds[-1] if kinds else None
