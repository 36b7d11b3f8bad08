"""Dynamic partitions' keys from a floe.yaml ``fn``: a sensor adds the keys the instance does
not have yet (never removes one); a function that cannot list keys is an error at its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import DagsterInstance, DefaultSensorStatus, build_sensor_context
from projects import write_project

from floe_config import IssueCode, load_config
from floe_dagster._errors import Problems
from floe_dagster._orchestration.dynamic import SENSOR_PREFIX, key_sync_sensor, key_sync_sensors

KEYS = """\
def customers():
    return ["c1", "c2", "c2"]


def needs_a_region(region):
    return [region]
"""
FLOE_YAML = """\
name: tiny
orchestration:
  asset_modules: [.assets]
  partitions:
    customers: {type: dynamic, fn: .keys.customers}
    regions: {type: dynamic, fn: .keys.needs_a_region}
    sales:
      type: multi
      dimensions:
        day: {type: time_window, start: "2024-01-01", cron_schedule: "0 0 * * *"}
        shop: {type: dynamic, fn: .keys.missing}
"""


def test_each_fn_gets_a_running_sensor_and_broken_ones_are_errors(tmp_path: Path) -> None:
    path = write_project(tmp_path, "dynamic_project", floe_yaml=FLOE_YAML, keys=KEYS)
    problems = Problems()
    sensors = key_sync_sensors(load_config(path, env={}), problems)
    assert [s.name for s in sensors] == [f"{SENSOR_PREFIX}customers"]
    assert sensors[0].default_status == DefaultSensorStatus.RUNNING
    assert sorted((i.code, i.path) for i in problems) == [
        (IssueCode.PARTITION_FUNCTION_FAILED, "orchestration.partitions.regions.fn"),
        (IssueCode.UNKNOWN_FUNCTION, "orchestration.partitions.sales.dimensions.shop.fn"),
    ]


def test_the_sensor_adds_only_new_keys() -> None:
    listed = ["c1", "c2", "c2"]
    sensor = key_sync_sensor("customers", "keys.customers", lambda: listed)
    with DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("customers", ["c1"])
        result = sensor.evaluate_tick(build_sensor_context(instance=instance))
        [request] = result.dynamic_partitions_requests or []
        assert list(request.partition_keys) == ["c2"]
        instance.add_dynamic_partitions("customers", ["c2"])
        again = sensor.evaluate_tick(build_sensor_context(instance=instance))
        assert not again.dynamic_partitions_requests
        assert again.skip_message is not None


def test_a_function_that_returns_no_list_fails_its_tick() -> None:
    sensor = key_sync_sensor("customers", "keys.customers", lambda: "c1")
    with DagsterInstance.ephemeral() as instance, pytest.raises(Exception, match="list of"):
        sensor.evaluate_tick(build_sensor_context(instance=instance))
