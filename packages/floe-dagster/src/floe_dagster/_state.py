"""Where one code location keeps its state: ``$FLOE_STATE_DIR``, else ``.floe/`` by floe.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from floe_config import FloeConfig

STATE_ENV = "FLOE_STATE_DIR"


def state_directory(config: FloeConfig, env: Mapping[str, str]) -> Path:
    """``$FLOE_STATE_DIR`` if set, else ``.floe`` next to floe.yaml."""
    configured = env.get(STATE_ENV)
    return Path(configured).absolute() if configured else config.path(".floe")
