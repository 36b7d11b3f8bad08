"""``assets:`` patterns: matched against a key's parts joined by ``/``; for each setting, the
last matching pattern that sets it wins."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetKey
from projects import config_of

from floe_dagster._orchestration.patterns import key_text, pattern_settings, setting

FLOE_YAML = """\
name: shop
orchestration:
  partitions:
    daily: {type: time_window, start: "2024-01-01", cron_schedule: "0 0 * * *"}
  assets:
    "stg_*": {partitions: daily, group_name: staging}
    "stg_orders": {group_name: orders, compute_kind: duckdb}
    "silver/*": {group_name: silver_prefixed}
    "*/stg_*": {compute_kind: spark}
"""


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (["stg_orders"], {"partitions": "daily", "group_name": "orders", "compute_kind": "duckdb"}),
        (["stg_items"], {"partitions": "daily", "group_name": "staging"}),
        (["silver", "stg_orders"], {"group_name": "silver_prefixed", "compute_kind": "spark"}),
        (["gold"], {}),
    ],
    ids=["last-setter-wins", "one-pattern", "two-part-key", "no-pattern"],
)
def test_the_last_pattern_that_sets_a_setting_wins(
    tmp_path: Path, key: list[str], expected: dict[str, str]
) -> None:
    found = pattern_settings(config_of(tmp_path, FLOE_YAML), AssetKey(key))
    assert found.values == expected


def test_each_setting_names_the_pattern_that_set_it(tmp_path: Path) -> None:
    config = config_of(tmp_path, FLOE_YAML)
    found = pattern_settings(config, AssetKey("stg_orders"))
    assert found.pattern("partitions") == "stg_*"
    assert found.pattern("group_name") == "stg_orders"
    assert found.pattern("automation_condition") is None
    assert setting(config, AssetKey("stg_orders"), "group_name") == ("stg_orders", "orders")
    assert setting(config, AssetKey("gold"), "partitions") == (None, None)


def test_a_key_of_several_parts_is_matched_as_written_in_the_ui() -> None:
    assert key_text(AssetKey(["silver", "stg_orders"])) == "silver/stg_orders"
