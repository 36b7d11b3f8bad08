"""Dynamic partitions (FR-014): where their keys come from.

Dagster keeps a dynamic partition's keys in the instance. They arrive three ways:

- ``fn`` in floe.yaml (``module.function`` returning a list of keys): floe ships a sensor,
  RUNNING, ``floe_partition_keys_<name>``, that calls it every ``KEY_SYNC_SECONDS`` and adds
  the keys the instance does not have yet (it never removes one: materializations stay);
- at run time from any asset or op: ``context.instance.add_dynamic_partitions(name, [key])``;
- by hand in the Dagster UI (the asset's "Partitions" tab, "Add partition").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from dagster import (
    DefaultSensorStatus,
    DynamicPartitionsDefinition,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
)

from floe_config import DynamicPartitions, FloeConfig, IssueCode, MultiPartitions
from floe_dagster._errors import Problems
from floe_dagster._python.functions import TargetError, import_target, signature_of

KEY_SYNC_SECONDS = 60
SENSOR_PREFIX = "floe_partition_keys_"


def dynamic_functions(config: FloeConfig) -> Iterator[tuple[tuple[str, ...], str, str]]:
    """``(key path of fn, partition name, fn)`` of every dynamic partition that has an ``fn``."""
    for name, definition in config.orchestration.partitions.items():
        here = ("orchestration", "partitions", name)
        if isinstance(definition, DynamicPartitions) and definition.fn:
            yield (*here, "fn"), name, definition.fn
        if isinstance(definition, MultiPartitions):
            for dimension, inline in definition.dimensions.items():
                if isinstance(inline, DynamicPartitions) and inline.fn:
                    yield (*here, "dimensions", dimension, "fn"), dimension, inline.fn


def key_sync_sensor(name: str, dotted: str, function: Callable[..., Any]) -> SensorDefinition:
    """The sensor that adds ``function()``'s new keys to dynamic partition ``name``."""

    def evaluate(context: SensorEvaluationContext) -> SensorResult | SkipReason:
        keys = function()
        if not isinstance(keys, list | tuple) or not all(isinstance(k, str) for k in keys):
            raise TypeError(
                f"{dotted} must return a list of partition keys (strings), got "
                f"{type(keys).__name__}"
            )
        known = set(context.instance.get_dynamic_partitions(name))
        new = list(dict.fromkeys(k for k in keys if k not in known))
        if not new:
            return SkipReason(f"'{name}' has every key {dotted} lists ({len(known)})")
        context.log.info(f"adding {len(new)} key(s) to dynamic partition '{name}': {new[:10]}")
        add = DynamicPartitionsDefinition(name=name).build_add_request(new)
        return SensorResult(dynamic_partitions_requests=[add])

    return SensorDefinition(
        name=f"{SENSOR_PREFIX}{name}",
        evaluation_fn=evaluate,
        minimum_interval_seconds=KEY_SYNC_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description=f"Adds the keys {dotted} returns to dynamic partition '{name}'",
    )


def key_sync_sensors(config: FloeConfig, problems: Problems) -> list[SensorDefinition]:
    """One key sync sensor per dynamic partition with an ``fn`` (problems: fn missing, or it
    takes arguments)."""
    sensors = []
    for path, name, dotted in dynamic_functions(config):
        try:
            function = import_target(config, dotted)
        except TargetError as error:
            problems.append(config.source.issue(path, error.code, error.message, error.hint))
            continue
        signature = signature_of(function)
        required = [p.name for p in signature.parameters if p.required]
        if signature.wants_context or required:
            problems.append(
                config.source.issue(
                    path,
                    IssueCode.PARTITION_FUNCTION_FAILED,
                    f"{dotted} must take no arguments (it lists the keys of '{name}'); it takes "
                    f"{', '.join(['context'] * signature.wants_context + required)}",
                    "give those parameters defaults, or wrap it in a function without any",
                )
            )
            continue
        sensors.append(key_sync_sensor(name, dotted, function))
    return sensors
