"""Custom sensors (FR-033): a floe.yaml ``target_function`` decides, on every tick."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from dagster import (
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
)

from floe_config import ConfigIssue, CustomSensor, FloeError, IssueCode
from floe_dagster._orchestration.schedules import selected_keys
from floe_dagster._orchestration.sensor_target import Target, polling_sensor
from floe_dagster._python.functions import signature_of


class SensorFunctionError(FloeError, RuntimeError):
    """A custom sensor's function raised or returned something a sensor cannot use
    (``sensor_function_failed``): the tick fails with this text in the Dagster UI."""

    def __init__(self, message: str) -> None:
        issue = ConfigIssue(
            IssueCode.SENSOR_FUNCTION_FAILED,
            "",
            message,
            file=None,
            hint="fix the function or what it reads; the next tick calls it again",
        )
        super().__init__([issue])


def custom(
    name: str, spec: CustomSensor, target: Target, function: Callable[..., Any]
) -> SensorDefinition:
    """``function([context,] **args)`` decides; its exception is the tick's failure message."""
    dotted = spec.target_function
    wants_context = signature_of(function).wants_context

    def evaluate(context: SensorEvaluationContext) -> Any:
        try:
            result = function(context, **spec.args) if wants_context else function(**spec.args)
        except Exception as error:
            raise SensorFunctionError(
                f"sensor '{name}': {dotted} raised {type(error).__name__}: {error}"
            ) from error
        return list(_custom_results(name, dotted, result, target, context))

    return polling_sensor(name, spec, target, evaluate, f"Runs {target.name} when {dotted} asks")


def _custom_results(
    name: str, dotted: str, result: Any, target: Target, context: SensorEvaluationContext
) -> Iterator[RunRequest | SkipReason | SensorResult]:
    if result is None or result is False:
        yield SkipReason(f"{dotted} asked for no run")
        return
    if result is True:
        result = RunRequest()
    single = isinstance(result, RunRequest | SkipReason | SensorResult)  # (NamedTuples)
    items = [result] if single or not isinstance(result, Iterable) else result
    for item in items:
        if isinstance(item, SkipReason | SensorResult):
            yield item
        elif isinstance(item, RunRequest):
            yield from _with_target(name, item, target, context)
        else:
            raise SensorFunctionError(
                f"sensor '{name}': {dotted} returned {type(item).__name__}; expected "
                "RunRequest(s), a SkipReason, a bool or None"
            )


def _with_target(
    name: str, request: RunRequest, target: Target, context: SensorEvaluationContext
) -> Iterator[RunRequest]:
    tags = {"floe/sensor": name, **request.tags}
    definition = target.partitions.partitions_def if target.partitions else None
    if definition is None or request.partition_key is not None:
        yield request.with_replaced_attrs(tags=tags)
        return
    for key in selected_keys(definition, datetime.now(UTC), context.instance):
        run_key = f"{request.run_key}|{key}" if request.run_key else None
        yield request.with_replaced_attrs(tags=tags, partition_key=key, run_key=run_key)
