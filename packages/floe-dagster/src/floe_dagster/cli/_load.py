"""floe.yaml and its definitions for a ``floe`` command that describes them (validate, plan)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dagster import Definitions

from floe_config import FloeConfig, load_config
from floe_dagster._definitions import build_definitions
from floe_dagster.cli._term import progress


def load_for_command(
    path: Path, manifest: Path | None, env: Mapping[str, str]
) -> tuple[FloeConfig, Definitions]:
    """floe.yaml at ``path`` and its definitions (every problem at once), with progress."""
    config = load_config(path, env=env)
    with progress("loading the code location"):
        definitions = build_definitions(
            config, manifest_path=manifest.absolute() if manifest else None, env=env
        )
    return config, definitions
