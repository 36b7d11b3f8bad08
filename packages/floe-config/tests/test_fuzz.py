"""Arbitrary YAML and environments: the loader ends in a FloeConfig or a FloeConfigError."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from floe_config import FloeConfig, FloeConfigError, load_config

KEYS = [
    "name",
    "version",
    "orchestration",
    "jobs",
    "schedules",
    "sensors",
    "partitions",
    "assets",
    "backfills",
    "type",
    "selection",
    "job",
    "cron_schedule",
    "timezone",
    "enabled",
    "start",
    "end",
    "fmt",
    "partition_keys",
    "dimensions",
    "watched_jobs",
    "status",
    "batch_size",
    "partition_range",
    "automation_condition",
    "backfill_policy",
    "storage",
    "observability",
    "lineage",
    "transport",
    "dbt",
    "manifest_path",
    "asset_modules",
    "args",
    "target_function",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.sampled_from(
        [
            "batch",
            "ops",
            "static",
            "multi",
            "time_window",
            "dynamic",
            "@daily",
            "0 * * * *",
            "UTC",
            "2024-01-01",
            "${X}",
            "${X:1}",
            "$${X}",
            "${",
            "a.b.c",
            "FAILURE",
            "on_cron",
        ]
    ),
    st.text(max_size=12),
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=5),
    ),
    max_leaves=30,
)
ENVS = st.dictionaries(
    st.sampled_from(["X", "Y", "SCHEDULE_ENABLED"]), st.text(max_size=8), max_size=3
)


def _load(text: str, env: dict[str, str]) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "floe.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            return load_config(path, env=env)
        except FloeConfigError as error:
            return error if error.issues else None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=TREES, env=ENVS)
def test_arbitrary_trees_end_in_config_or_config_error(tree: Any, env: dict[str, str]) -> None:
    text = yaml.safe_dump({"name": "p", "orchestration": tree} if isinstance(tree, dict) else tree)
    assert isinstance(_load(text, env), FloeConfig | FloeConfigError)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200), env=ENVS)
def test_arbitrary_text_ends_in_config_or_config_error(text: str, env: dict[str, str]) -> None:
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        text = "x: 1"
    assert isinstance(_load(text, env), FloeConfig | FloeConfigError)
