"""Facts about one finished step: its events in the Dagster instance, and dbt's run_results.json.

This is the only part of observability that reads anything; it turns what it reads into plain
data for ``observations``.
"""

from __future__ import annotations

import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagster import DagsterEventType, HookContext

from floe_dbt import DbtNodeResult, read_run_results

_STEP_EVENTS = {
    DagsterEventType.STEP_START,
    DagsterEventType.ASSET_MATERIALIZATION,
    DagsterEventType.ASSET_CHECK_EVALUATION,
}


@dataclass(frozen=True)
class Failure:
    message: str
    stack: str | None = None


@dataclass(frozen=True)
class Materialization:
    """A materialization's metadata as the lineage facets need it."""

    columns: tuple[tuple[str, str | None, str], ...] = ()
    row_count: int | None = None
    partition: str | None = None


@dataclass(frozen=True)
class CheckEvaluation:
    asset: str
    name: str
    passed: bool


@dataclass(frozen=True)
class StepFacts:
    run_id: str
    job_name: str
    step_key: str
    op_name: str
    started: float
    finished: float
    seed: str
    """A fresh id per observation, from which lineage run ids are derived."""
    materialized: dict[str, Materialization] = field(default_factory=dict)
    checks: tuple[CheckEvaluation, ...] = ()
    failure: Failure | None = None
    dbt: dict[str, DbtNodeResult] | None = None
    """dbt's results by unique_id; None when this is no dbt step or dbt wrote none."""

    @property
    def partition(self) -> str | None:
        partitions = {m.partition for m in self.materialized.values() if m.partition}
        return partitions.pop() if len(partitions) == 1 else None


def _columns(metadata: dict[str, Any]) -> tuple[tuple[str, str | None, str], ...]:
    schema = metadata.get("dagster/column_schema")
    value = getattr(schema, "schema", schema)
    columns = getattr(value, "columns", None) or []
    return tuple((c.name, c.type, c.description or "") for c in columns)


def _row_count(metadata: dict[str, Any]) -> int | None:
    value = metadata.get("dagster/row_count")
    value = getattr(value, "value", value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _failure(context: HookContext) -> Failure | None:
    error = context.op_exception
    if error is None:
        return None
    cause = error.__cause__ or error
    stack = "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
    return Failure(f"{type(cause).__name__}: {cause}", stack)


def step_facts(context: HookContext, *, dbt_target: Path | None = None) -> StepFacts:
    """Everything one step left in the instance (and in dbt's target folder, for dbt steps)."""
    finished = time.time()
    records = context.instance.all_logs(context.run_id, of_type=_STEP_EVENTS)
    started = finished
    materialized: dict[str, Materialization] = {}
    checks: list[CheckEvaluation] = []
    for record in records:
        if record.step_key != context.step_key or record.dagster_event is None:
            continue
        event = record.dagster_event
        if event.event_type == DagsterEventType.STEP_START:
            started = min(started, record.timestamp)
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.step_materialization_data.materialization
            metadata = dict(materialization.metadata)
            materialized["/".join(materialization.asset_key.path)] = Materialization(
                columns=_columns(metadata),
                row_count=_row_count(metadata),
                partition=materialization.partition,
            )
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.asset_check_evaluation_data
            checks.append(
                CheckEvaluation(
                    asset="/".join(evaluation.asset_key.path),
                    name=evaluation.check_name,
                    passed=bool(evaluation.passed),
                )
            )
    return StepFacts(
        run_id=context.run_id,
        job_name=context.job_name,
        step_key=context.step_key,
        op_name=context.op.name,
        started=started,
        finished=finished,
        seed=str(uuid.uuid4()),
        materialized=materialized,
        checks=tuple(checks),
        failure=_failure(context),
        dbt=read_run_results(dbt_target) if dbt_target is not None else None,
    )
