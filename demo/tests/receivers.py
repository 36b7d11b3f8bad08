"""Real receivers on 127.0.0.1: OTLP/HTTP (protobuf) traces and OpenLineage (JSON) events."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


@dataclass(frozen=True)
class ReceivedSpan:
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    start: int
    end: int
    status: int  # 0 unset, 1 ok, 2 error
    attributes: dict[str, Any]
    events: tuple[str, ...]


@dataclass
class Received:
    spans: list[ReceivedSpan] = field(default_factory=list)
    lineage: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _value(any_value: Any) -> Any:
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [_value(v) for v in any_value.array_value.values]
    return getattr(any_value, kind) if kind else None


def _handler(received: Received) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path.endswith("/v1/traces"):
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                spans = [
                    ReceivedSpan(
                        name=span.name,
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        start=span.start_time_unix_nano,
                        end=span.end_time_unix_nano,
                        status=span.status.code,
                        attributes={a.key: _value(a.value) for a in span.attributes},
                        events=tuple(e.name for e in span.events),
                    )
                    for resource in request.resource_spans
                    for scope in resource.scope_spans
                    for span in scope.spans
                ]
                with received.lock:
                    received.spans.extend(spans)
                payload = ExportTraceServiceResponse().SerializeToString()
                content_type = "application/x-protobuf"
            elif self.path.endswith("/api/v1/lineage"):
                with received.lock:
                    received.lineage.append(json.loads(body))
                payload, content_type = b"{}", "application/json"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@contextmanager
def receivers() -> Iterator[tuple[Received, str, str]]:
    """Two servers on free loopback ports: (received, OTLP endpoint, OpenLineage URL)."""
    received = Received()
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _handler(received)) for _ in range(2)]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    try:
        otlp, lineage = (f"http://127.0.0.1:{s.server_address[1]}" for s in servers)
        yield received, otlp, lineage
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
        for thread in threads:
            thread.join(timeout=10)
