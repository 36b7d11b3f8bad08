"""What the ``assets:`` patterns give each asset: one shared partitions object per definition,
the group a dbt node joins, and specs with their group, kind, partitions, condition and the
partition mapping Dagster's own default would get wrong."""

from __future__ import annotations

from pathlib import Path

from dagster import (
    AllPartitionMapping,
    AssetDep,
    AssetKey,
    AssetSpec,
    StaticPartitionsDefinition,
    TimeWindowPartitionsDefinition,
)
from projects import config_of

from floe_dagster._orchestration.asset_settings import AssetSettings, DbtGroupKey

FLOE_YAML = """\
name: shop
orchestration:
  partitions:
    daily: {type: time_window, start: "2024-01-01", cron_schedule: "0 0 * * *"}
    same_days: {type: time_window, start: "2024-01-01", cron_schedule: "0 0 * * *"}
    regions: {type: static, partition_keys: [us, eu]}
  assets:
    "raw_*": {partitions: daily}
    "stg_*": {partitions: same_days, group_name: silver, compute_kind: duckdb}
    "by_region": {partitions: regions, automation_condition: eager}
"""


def test_equal_definitions_are_one_object_and_one_dbt_group(tmp_path: Path) -> None:
    settings = AssetSettings.of(config_of(tmp_path, FLOE_YAML))
    daily, same = settings.partitions["daily"], settings.partitions["same_days"]
    assert daily is same
    copy = TimeWindowPartitionsDefinition(
        start="2024-01-01", cron_schedule="0 0 * * *", fmt="%Y-%m-%d"
    )
    first = settings.dbt_group(AssetKey("stg_a"), daily)
    assert settings.dbt_group(AssetKey("stg_b"), copy) == first  # equal: the same group
    regions = settings.dbt_group(AssetKey("by_region"), settings.partitions["regions"])
    assert regions != first
    assert settings.dbt_group(AssetKey("plain"), None) == DbtGroupKey(None, None)
    assert settings.group_partitions(first) is daily
    assert settings.group_name(first) == "daily"  # floe.yaml's first name for the definition
    assert settings.group_name(DbtGroupKey(None, None)) is None


def test_a_spec_gets_what_its_patterns_give(tmp_path: Path) -> None:
    settings = AssetSettings.of(config_of(tmp_path, FLOE_YAML))
    spec = settings.spec_with_settings(AssetSpec("stg_orders", deps=["raw_orders"]))
    assert spec.group_name == "silver"
    assert "duckdb" in spec.kinds
    assert spec.partitions_def is settings.partitions["daily"]
    assert [d.partition_mapping for d in spec.deps] == [None]  # same days: Dagster's identity
    regional = settings.spec_with_settings(AssetSpec("by_region", deps=["raw_orders"]))
    [dep] = regional.deps
    assert isinstance(dep.partition_mapping, AllPartitionMapping)  # regions on all the days
    assert regional.automation_condition is not None
    mapped = AssetDep("raw_orders", partition_mapping=None)
    assert settings.spec_with_settings(AssetSpec("plain", deps=[mapped])).deps == [mapped]


def test_code_partitions_stay_where_no_pattern_sets_them(tmp_path: Path) -> None:
    settings = AssetSettings.of(config_of(tmp_path, FLOE_YAML))
    coded = StaticPartitionsDefinition(["x"])
    spec = settings.spec_with_settings(AssetSpec("plain", partitions_def=coded))
    assert spec.partitions_def is coded
    assert settings.partitions_of(AssetKey("plain")) is None
