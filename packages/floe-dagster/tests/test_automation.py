"""floe.yaml's automation conditions as Dagster's, and the one sensor that evaluates them."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetKey, DefaultSensorStatus, StaticPartitionsDefinition
from projects import config_of

from floe_config import EagerCondition, OnCronCondition, OnMissingCondition
from floe_dagster._orchestration.automation import (
    AUTOMATION_SENSOR,
    automation_condition,
    automation_sensor,
)
from floe_dagster._orchestration.partitions import build_partitions

FLOE_YAML = """\
name: shop
orchestration:
  partitions:
    hourly: {type: time_window, start: "2024-01-01-00:00", cron_schedule: "0 * * * *", timezone: Europe/Berlin}
"""


def test_each_condition_is_dagsters(tmp_path: Path) -> None:
    hourly = build_partitions(config_of(tmp_path, FLOE_YAML))["hourly"]
    assert automation_condition(EagerCondition(type="eager"), None).get_label() == "eager"
    missing = automation_condition(OnMissingCondition(type="on_missing"), hourly)
    assert missing.get_label() == "on_missing (floe: every missing partition, once)"
    own = automation_condition(OnCronCondition(type="on_cron", cron_schedule="0 6 * * *"), None)
    assert own.get_label() == "on_cron(0 6 * * *, UTC)"
    inherited = automation_condition(OnCronCondition(type="on_cron"), hourly)
    assert inherited.get_label() == "on_cron(0 * * * *, Europe/Berlin)"


def test_on_cron_without_a_cron_needs_time_partitions() -> None:
    with pytest.raises(ValueError, match="needs time partitions"):
        automation_condition(OnCronCondition(type="on_cron"), StaticPartitionsDefinition(["a"]))


def test_the_sensor_runs_from_the_start_over_exactly_the_automated_assets() -> None:
    sensor = automation_sensor([AssetKey("a"), AssetKey(["b", "c"])])
    assert sensor.name == AUTOMATION_SENSOR
    assert sensor.default_status == DefaultSensorStatus.RUNNING
