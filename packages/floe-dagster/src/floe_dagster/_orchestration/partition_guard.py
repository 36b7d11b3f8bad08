"""A partitioned job's run must name its partition: checked before any step starts.

Dagster lets a partitioned asset job be launched without a partition (over GraphQL, with
``dagster job execute``, or by a sensor that forgets one). The run then fails inside a step,
with ``Cannot access partition_key for a non-partitioned run``, after the steps before it have
written; or, worse, a dbt step that reads no partition builds every row. floe's batch jobs run
with Dagster's own executor (multiprocess, or in process by config) wrapped in a check that
ends such a run before its first step, with a message naming the job, its partitions and the
fix.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from dagster import (
    Executor,
    ExecutorDefinition,
    InitExecutorContext,
    PartitionsDefinition,
    multi_or_in_process_executor,
)

from floe_dagster._dagster_internals import (
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
    ExecutionPlan,
    PlanOrchestrationContext,
    RetryMode,
)
from floe_dagster._orchestration.partitions import describe

if TYPE_CHECKING:
    from dagster import DagsterEvent


class RunWithoutPartition(Exception):
    """A run of a partitioned job that names no partition and no partition range."""


def missing_partition(
    job: str, definition: PartitionsDefinition | None, tags: Mapping[str, str]
) -> str | None:
    """Why a run of ``job`` with ``tags`` must not start, or None when it may."""
    if definition is None or PARTITION_NAME_TAG in tags or ASSET_PARTITION_RANGE_START_TAG in tags:
        return None
    return (
        f"job '{job}' is partitioned ({describe(definition)}) and this run names no partition, "
        "so its steps would not know which data to read or write; nothing was run. Launch it "
        "for one partition (the UI's partition picker, `dagster job execute --tags "
        '\'{"dagster/partition": "KEY"}\'`, a RunRequest with partition_key), or for many with '
        "a backfill (`floe backfill`, or the UI's Materialize > backfill)"
    )


class _Guarded(Executor):
    """Dagster's executor, after the check; everything else is the wrapped executor's."""

    def __init__(self, inner: Executor) -> None:
        self._inner = inner

    def execute(
        self, plan_context: PlanOrchestrationContext, execution_plan: ExecutionPlan
    ) -> Iterator[DagsterEvent]:
        job = plan_context.plan_data.job.get_definition()
        run = plan_context.dagster_run
        problem = missing_partition(job.name, job.partitions_def, run.tags)
        if problem is not None:
            raise RunWithoutPartition(problem)
        return self._inner.execute(plan_context, execution_plan)

    @property
    def retries(self) -> RetryMode:
        return self._inner.retries

    @property
    def step_dependency_config(self) -> Any:
        return self._inner.step_dependency_config

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _create(context: InitExecutorContext) -> Executor:
    inner = multi_or_in_process_executor.executor_creation_fn
    assert inner is not None  # Dagster's default executor always has one
    return _Guarded(inner(context))


GUARDED_EXECUTOR = ExecutorDefinition(
    name=multi_or_in_process_executor.name,
    config_schema=multi_or_in_process_executor.config_schema.as_field(),
    requirements=multi_or_in_process_executor.get_requirements,
    executor_creation_fn=_create,
    description="Dagster's multi_or_in_process executor; a partitioned job's run must name a "
    "partition (floe)",
)
