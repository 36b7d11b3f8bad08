"""OpenTelemetry: one tracer provider per process; a Dagster run is one trace."""

from __future__ import annotations

import contextvars
import json
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.id_generator import IdGenerator, RandomIdGenerator

from floe_dagster._observability.breaker import Breaker
from floe_dagster._observability.settings import ObservabilitySettings
from floe_dagster.lake._locks import file_lock

_run_trace_id: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "floe_run_trace_id", default=None
)


def trace_id_for_run(run_id: str) -> int:
    """Dagster run ids are UUIDs: the run's trace id is the same 128 bits."""
    try:
        return uuid.UUID(run_id).int
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, run_id).int


class RunTraceIds(IdGenerator):
    """Random span ids; the trace id of the run being observed, so a run is one trace."""

    def __init__(self) -> None:
        self._random = RandomIdGenerator()

    def generate_span_id(self) -> int:
        return self._random.generate_span_id()

    def generate_trace_id(self) -> int:
        return _run_trace_id.get() or self._random.generate_trace_id()


@contextmanager
def run_trace(run_id: str) -> Iterator[None]:
    """Spans started inside belong to the trace of Dagster run ``run_id``."""
    token = _run_trace_id.set(trace_id_for_run(run_id))
    try:
        yield
    finally:
        _run_trace_id.reset(token)


class JsonLinesSpanExporter(SpanExporter):
    """The embedded default: one OTLP-style JSON object per span, appended to a file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        text = "".join(json.dumps(json.loads(span.to_json(indent=None))) + "\n" for span in spans)
        with self._lock, file_lock(self.path), self.path.open("a") as handle:
            handle.write(text)  # parallel step processes take turns on the file's lock
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None


class GuardedSpanExporter(SpanExporter):
    """Exports through ``inner``. A failure, or too much time spent waiting, trips the breaker;
    after that spans are dropped at once instead of waiting on a dead collector."""

    def __init__(self, inner: SpanExporter, breaker: Breaker) -> None:
        self.inner = inner
        self.breaker = breaker

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self.breaker.open:
            return SpanExportResult.FAILURE
        started = time.monotonic()
        try:
            result = self.inner.export(spans)
        except Exception as error:
            self.breaker.trip(f"{type(error).__name__}: {error}")
            return SpanExportResult.FAILURE
        self.breaker.charge(time.monotonic() - started)
        if result is not SpanExportResult.SUCCESS:
            self.breaker.trip("the export failed")
        return result

    def shutdown(self) -> None:
        self.inner.shutdown()


def tracer_provider(settings: ObservabilitySettings) -> TracerProvider:
    """The OpenTelemetry SDK's provider with floe's run-scoped trace ids and one exporter."""
    attributes = {"service.name": settings.service_name}
    if settings.service_version:
        attributes["service.version"] = settings.service_version
    resource = Resource.create(attributes)
    provider = TracerProvider(resource=resource, id_generator=RunTraceIds())
    if settings.trace_exporter == "otlp" and settings.otlp_traces_url:
        url = settings.otlp_traces_url
        exporter = GuardedSpanExporter(
            OTLPSpanExporter(endpoint=url, timeout=settings.timeout_seconds),
            Breaker(settings.state_dir, url),
        )
        provider.add_span_processor(
            BatchSpanProcessor(exporter, export_timeout_millis=int(settings.timeout_seconds * 1000))
        )
    elif settings.trace_exporter == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    else:
        provider.add_span_processor(
            SimpleSpanProcessor(JsonLinesSpanExporter(settings.traces_file))
        )
    return provider
