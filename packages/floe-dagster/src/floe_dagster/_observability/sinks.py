"""Observations -> the OpenTelemetry SDK and the OpenLineage client, one of each per process."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import RunState
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Span, Status, StatusCode

from floe_dagster._observability.lineage import lineage_client, run_event
from floe_dagster._observability.observations import Observation
from floe_dagster._observability.settings import ObservabilitySettings
from floe_dagster._observability.tracing import run_trace, tracer_provider

log = logging.getLogger("floe.observability")


def _ns(seconds: float) -> int:
    return int(seconds * 1_000_000_000)


@dataclass(frozen=True)
class Sinks:
    settings: ObservabilitySettings
    provider: TracerProvider | None
    client: OpenLineageClient | None


@cache
def sinks(settings: ObservabilitySettings) -> Sinks:
    """One tracer provider and one lineage client per process and settings."""
    return Sinks(
        settings=settings,
        provider=tracer_provider(settings) if settings.traces_enabled else None,
        client=lineage_client(settings) if settings.lineage_enabled else None,
    )


class _Emitter:
    def __init__(self, target: Sinks, observations: Sequence[Observation]) -> None:
        self.target = target
        self.observations = observations
        self.tracer = target.provider.get_tracer("floe") if target.provider else None
        self.children: dict[int, list[int]] = {}
        for index, observation in enumerate(observations):
            if observation.parent is not None:
                self.children.setdefault(observation.parent, []).append(index)

    def lineage(
        self, index: int, state: RunState, when: float, span: Span | None, parent: int | None
    ) -> None:
        if self.target.client is None:
            return
        ids = None
        if span is not None:
            context = span.get_span_context()
            ids = (format(context.trace_id, "032x"), format(context.span_id, "016x"))
        event = run_event(
            self.observations[index],
            state,
            when=when,
            namespace=self.target.settings.namespace,
            trace=ids,
            parent=self.observations[parent] if parent is not None else None,
        )
        try:
            self.target.client.emit(event)
        except Exception as error:
            log.warning("floe: could not emit a lineage event: %s", error)

    def emit(self, index: int, parent_span: Span | None) -> None:
        """START, the children, then COMPLETE or FAIL: one span and one run per observation."""
        observation = self.observations[index]
        span = None
        if self.tracer is not None:
            context = trace.set_span_in_context(parent_span) if parent_span is not None else None
            span = self.tracer.start_span(
                observation.name,
                context=context,
                start_time=_ns(observation.start),
                attributes=dict(observation.attributes),
            )
        self.lineage(index, RunState.START, observation.start, span, observation.parent)
        for child in self.children.get(index, []):
            self.emit(child, span)
        failure = observation.failure
        if span is not None:
            for event in observation.events:
                span.add_event(event.name, dict(event.attributes), timestamp=_ns(event.time))
            if failure is not None:
                span.record_exception(RuntimeError(failure.message))
            span.set_attribute("floe.status", "success" if failure is None else "failure")
            span.set_status(
                Status(StatusCode.OK)
                if failure is None
                else Status(StatusCode.ERROR, failure.message)
            )
        state = RunState.COMPLETE if failure is None else RunState.FAIL
        self.lineage(index, state, observation.end, span, observation.parent)
        if span is not None:
            span.end(end_time=_ns(max(observation.end, observation.start)))


def emit(target: Sinks, run_id: str, observations: Sequence[Observation]) -> None:
    """Send ``observations`` (spans in the trace of Dagster run ``run_id``) and flush."""
    with run_trace(run_id):
        emitter = _Emitter(target, observations)
        for index, observation in enumerate(observations):
            if observation.parent is None:
                emitter.emit(index, None)
    if target.provider is not None:
        target.provider.force_flush(int(target.settings.timeout_seconds * 1000))
