"""The step observer: spans and lineage runs for one finished step, emitted at step end."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from dagster import DagsterEventType, HookContext, HookDefinition, failure_hook, success_hook
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import RunState
from openlineage.client.uuid import generate_new_uuid
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Span, Status, StatusCode

from floe_dagster._observability.catalog import ObservedDefinitions
from floe_dagster._observability.dbt_events import DbtStepRecord, NodeRecord, take_record
from floe_dagster._observability.lineage import DatasetInfo, LineageRun, lineage_client, run_event
from floe_dagster._observability.settings import ObservabilitySettings
from floe_dagster._observability.tracing import run_trace, tracer_provider

log = logging.getLogger("floe.observability")
_STEP_EVENTS = {
    DagsterEventType.STEP_START,
    DagsterEventType.ASSET_MATERIALIZATION,
    DagsterEventType.ASSET_CHECK_EVALUATION,
}
_OK = {"success", "pass"}


@dataclass(frozen=True)
class Runtime:
    provider: TracerProvider | None
    client: OpenLineageClient | None


@cache
def runtime(settings: ObservabilitySettings) -> Runtime:
    """One tracer provider and one lineage client per process and settings."""
    return Runtime(
        provider=tracer_provider(settings) if settings.traces_enabled else None,
        client=lineage_client(settings) if settings.lineage_enabled else None,
    )


def _ns(seconds: float) -> int:
    return int(seconds * 1_000_000_000)


@dataclass
class StepFacts:
    """What the instance's event log says about one step."""

    started: float
    finished: float
    materialized: dict[str, dict[str, Any]]
    partition: str | None


def _step_facts(context: HookContext) -> StepFacts:
    finished = time.time()
    records = context.instance.all_logs(context.run_id, of_type=_STEP_EVENTS)
    started = finished
    materialized: dict[str, dict[str, Any]] = {}
    partition = None
    for record in records:
        if record.step_key != context.step_key or record.dagster_event is None:
            continue
        event = record.dagster_event
        if event.event_type == DagsterEventType.STEP_START:
            started = min(started, record.timestamp)
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.step_materialization_data.materialization
            key = "/".join(materialization.asset_key.path)
            materialized[key] = dict(materialization.metadata)
            partition = materialization.partition or partition
    return StepFacts(started, finished, materialized, partition)


def _columns_from_metadata(metadata: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    schema = metadata.get("dagster/column_schema")
    value = getattr(schema, "schema", schema)
    columns = getattr(value, "columns", None) or []
    return [(c.name, c.type, c.description or "") for c in columns]


def _row_count(metadata: dict[str, Any]) -> int | None:
    value = metadata.get("dagster/row_count")
    value = getattr(value, "value", value)
    return value if isinstance(value, int) else None


class StepObserver:
    def __init__(self, observed: ObservedDefinitions, context: HookContext) -> None:
        self.observed = observed
        self.settings = observed.settings
        self.context = context
        self.runtime = runtime(self.settings)
        self.tracer = (
            self.runtime.provider.get_tracer("floe") if self.runtime.provider is not None else None
        )

    # --- emit helpers ------------------------------------------------------------------------

    def _emit(
        self, run: LineageRun, state: RunState, when: float, span: Span | None, **kw: Any
    ) -> None:
        client = self.runtime.client
        if client is None:
            return
        trace_ids = None
        if span is not None:
            ctx = span.get_span_context()
            trace_ids = (format(ctx.trace_id, "032x"), format(ctx.span_id, "016x"))
        event = run_event(
            run, state, when=when, namespace=self.settings.namespace, trace=trace_ids, **kw
        )
        try:
            client.emit(event)
        except Exception as error:
            log.warning("floe: could not emit a lineage event: %s", error)

    @contextmanager
    def _span(
        self, name: str, start: float, end: float, attributes: dict[str, Any], parent: Span | None
    ) -> Iterator[Span | None]:
        if self.tracer is None:
            yield None
            return
        context = trace.set_span_in_context(parent) if parent is not None else None
        span = self.tracer.start_span(
            name, context=context, start_time=_ns(start), attributes=attributes
        )
        try:
            yield span
        finally:
            span.end(end_time=_ns(max(end, start)))

    def _base_attributes(self, facts: StepFacts) -> dict[str, Any]:
        attributes = {
            "dagster.run_id": self.context.run_id,
            "dagster.job": self.context.job_name,
            "dagster.step_key": self.context.step_key,
        }
        if facts.partition:
            attributes["dagster.partition_key"] = facts.partition
        return attributes

    def _failure(self) -> tuple[str, str | None] | None:
        error = self.context.op_exception
        if error is None:
            return None
        cause = error.__cause__ or error
        stack = "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
        return f"{type(cause).__name__}: {cause}", stack

    @staticmethod
    def _set_status(span: Span | None, ok: bool, message: str | None) -> None:
        if span is None:
            return
        span.set_attribute("floe.status", "success" if ok else "failure")
        span.set_status(Status(StatusCode.OK) if ok else Status(StatusCode.ERROR, message))

    @contextmanager
    def _observed_run(
        self,
        run: LineageRun,
        *,
        start: float,
        end: float,
        attributes: dict[str, Any],
        failure: tuple[str, str | None] | None,
        parent: Span | None = None,
    ) -> Iterator[Span | None]:
        """One span and one lineage run: START, then whatever the body emits, then the end."""
        with self._span(run.job_name, start, end, attributes, parent) as span:
            self._emit(run, RunState.START, start, span)
            yield span
            if failure is not None and span is not None:
                span.record_exception(self.context.op_exception or RuntimeError(failure[0]))
            self._set_status(span, failure is None, failure[0] if failure else None)
            if failure is None:
                self._emit(run, RunState.COMPLETE, end, span)
            else:
                self._emit(run, RunState.FAIL, end, span, error=failure[0], stack=failure[1])

    # --- observation -------------------------------------------------------------------------

    def observe(self) -> None:
        facts = _step_facts(self.context)
        op_name = self.context.op.name
        assets = self.observed.assets_by_op.get(op_name, [])
        if op_name in self.observed.dbt_ops:
            record = take_record(self.context.run_id, self.context.step_key)
            self._dbt_step(facts, assets, record)
        else:
            self._step(facts, assets)
        if self.runtime.provider is not None:
            self.runtime.provider.force_flush(int(self.settings.timeout_seconds * 1000))

    def _dataset(self, key: str, metadata: dict[str, Any] | None) -> DatasetInfo:
        info = self.observed.assets.get(key)
        metadata = metadata or {}
        return DatasetInfo(
            name=key,
            description=info.description if info else "",
            owners=info.owners if info else (),
            columns=_columns_from_metadata(metadata),
            row_count=_row_count(metadata),
        )

    def _step(self, facts: StepFacts, assets: Sequence[str]) -> None:
        """A Python asset (one span and run named by its key), an op of an ops job, or a
        multi-asset step floe knows no finer structure for (named by the op)."""
        attributes = self._base_attributes(facts)
        single = assets[0] if len(assets) == 1 else None
        if single is not None:
            attributes["dagster.asset_key"] = single
        elif assets:
            attributes["dagster.asset_keys"] = list(assets)
        info = self.observed.assets.get(single) if single else None
        run = LineageRun(
            run_id=str(generate_new_uuid()),
            job_name=single or self.context.op.name,
            inputs=list(info.deps) if info else [],
            outputs=[self._dataset(k, facts.materialized.get(k)) for k in assets],
        )
        with self._observed_run(
            run,
            start=facts.started,
            end=facts.finished,
            attributes=attributes,
            failure=self._failure(),
        ):
            pass

    # --- dbt ---------------------------------------------------------------------------------

    def _model_dataset(
        self, key: str, node: NodeRecord | None, record: DbtStepRecord | None
    ) -> DatasetInfo:
        info = self.observed.assets.get(key)
        dbt = info.dbt if info else None
        columns = []
        classifications: dict[str, Sequence[str]] = {}
        assertions = []
        if dbt is not None:
            columns = [(c.name, c.data_type, c.description) for c in dbt.columns.values()]
            if self.settings.classifications:
                classifications = {
                    c.name: c.classification for c in dbt.columns.values() if c.classification
                }
            manifest = self.observed.manifest
            if manifest is not None and record is not None:
                for test in manifest.tests_of(dbt.unique_id):
                    result = record.nodes.get(test.unique_id)
                    if result is not None and result.status != "started":
                        assertions.append((test.test_name, result.status in _OK, test.column_name))
        return DatasetInfo(
            name=key,
            description=info.description if info else "",
            owners=info.owners if info else (),
            columns=columns,
            classifications=classifications,
            relation=dbt.relation if dbt else None,
            row_count=node.rows if node else None,
            assertions=assertions,
        )

    def _compiled_sql(self, key: str, record: DbtStepRecord | None) -> str | None:
        info = self.observed.assets.get(key)
        if info is None or info.dbt is None or record is None:
            return None
        path = record.target_path / "compiled" / info.dbt.package / info.dbt.path
        try:
            return path.read_text()
        except OSError:
            return info.dbt.compiled_sql

    def _models_that_ran(
        self, assets: Sequence[str], record: DbtStepRecord | None
    ) -> list[tuple[str, NodeRecord]]:
        """The step's models that dbt finished (succeeded or failed; skipped ones did not run)."""
        if record is None:
            return []
        uids = {key: uid for uid, key in self.observed.dbt_key_by_uid.items()}
        ran = []
        for key in assets:
            node = record.nodes.get(uids.get(key, ""))
            if node is not None and node.status in _OK | {"error", "fail"}:
                ran.append((key, node))
        return ran

    def _dbt_step(
        self, facts: StepFacts, assets: Sequence[str], record: DbtStepRecord | None
    ) -> None:
        failure = self._failure()
        step = self.context.step_key
        attributes = {
            **self._base_attributes(facts),
            "dbt.observability_level": self.settings.dbt_level,
        }
        ran = self._models_that_ran(assets, record)
        if self.settings.dbt_level == "job_level":  # one span and one run for the whole step
            produced = {key for key, _ in ran}
            attributes["dagster.asset_keys"] = sorted(produced)
            deps = {dep for key in produced for dep in self.observed.assets[key].deps}
            run = LineageRun(
                run_id=str(generate_new_uuid()),
                job_name=step,
                inputs=sorted(deps - produced),
                outputs=[self._model_dataset(k, n, record) for k, n in ran if n.status in _OK],
            )
            with self._observed_run(
                run,
                start=facts.started,
                end=facts.finished,
                attributes=attributes,
                failure=failure,
            ):
                pass
            return
        step_run = LineageRun(run_id=str(generate_new_uuid()), job_name=step)
        with self._observed_run(
            step_run,
            start=facts.started,
            end=facts.finished,
            attributes=attributes,
            failure=failure,
        ) as step_span:
            for key, node in sorted(ran, key=lambda item: item[1].started or 0):
                self._dbt_model(facts, key, node, record, step_span, step_run)

    def _dbt_model(
        self,
        facts: StepFacts,
        key: str,
        node: NodeRecord,
        record: DbtStepRecord | None,
        parent: Span | None,
        step_run: LineageRun,
    ) -> None:
        """One model: its real start and end from dbt, a child of the step's span and run."""
        info = self.observed.assets.get(key)
        failure = None
        if node.status not in _OK:
            step_failure = self._failure()
            message = node.message or (step_failure[0] if step_failure else f"dbt {node.status}")
            failure = (message, None)
        run = LineageRun(
            run_id=str(generate_new_uuid()),
            job_name=key,
            inputs=list(info.deps) if info else [],
            outputs=[self._model_dataset(key, node, record)],
            parent=(step_run.run_id, step_run.job_name),
            sql=self._compiled_sql(key, record),
        )
        attributes = {
            **self._base_attributes(facts),
            "dagster.asset_key": key,
            "dbt.unique_id": node.unique_id,
            "dbt.status": node.status,
        }
        end = node.finished or facts.finished
        with self._observed_run(
            run,
            start=node.started or facts.started,
            end=end,
            attributes=attributes,
            failure=failure,
            parent=parent,
        ) as span:
            manifest = self.observed.manifest
            if span is None or manifest is None or info is None or info.dbt is None or not record:
                return
            for test in manifest.tests_of(info.dbt.unique_id):
                result = record.nodes.get(test.unique_id)
                if result is not None and result.status != "started":
                    span.add_event(
                        "dbt.test",
                        {"dbt.test": test.name, "dbt.test_status": result.status},
                        timestamp=_ns(result.finished or end),
                    )


def observation_hooks(observed: ObservedDefinitions) -> set[HookDefinition]:
    """A success and a failure hook that observe every step they are attached to."""

    def observe(context: HookContext) -> None:
        try:
            with run_trace(context.run_id):
                StepObserver(observed, context).observe()
        except Exception:
            log.warning("floe: observing step %s failed", context.step_key, exc_info=True)

    @success_hook(name="floe_observe_success")
    def on_success(context: HookContext) -> None:
        observe(context)

    @failure_hook(name="floe_observe_failure")
    def on_failure(context: HookContext) -> None:
        observe(context)

    return {on_success, on_failure}
