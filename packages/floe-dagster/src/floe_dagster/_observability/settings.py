"""What to emit and where: floe.yaml's ``observability`` plus the ecosystem's variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from floe_config import ConfigIssue, FloeConfig, IssueCode

TRUE = {"1", "true", "yes", "on"}
EXPORT_TIMEOUT_SECONDS = 2.0
OTLP_DEFAULT_ENDPOINT = "http://localhost:4318"
"""OpenTelemetry's default for OTLP/HTTP."""
_TRACES_PATH = "/v1/traces"


def without_credentials(url: str) -> str:
    """``url`` as it may be printed: a password in it (``https://u:p@host``) is masked."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _signal_url(base: str) -> str:
    """OpenTelemetry's rule: the generic endpoint gets ``/v1/traces`` appended."""
    base = base.rstrip("/")
    return base if base.endswith(_TRACES_PATH) else base + _TRACES_PATH


@dataclass(frozen=True)
class ObservabilitySettings:
    """Resolved once per code-location load (the same in the code server and step processes).

    Traces (OpenTelemetry's conventions):

    - ``exporter: auto`` (the default) sends OTLP/HTTP when ``observability.traces.endpoint``,
      ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set, and
      writes JSON lines under the state directory otherwise;
    - ``exporter: otlp`` always sends OTLP/HTTP: to those endpoints, else to OpenTelemetry's
      default ``http://localhost:4318``;
    - the signal-specific variable is used as it is; the generic endpoint gets ``/v1/traces``.

    Lineage: ``OPENLINEAGE_URL`` (or ``lineage.url`` with transport http) sends to that
    OpenLineage endpoint (Marquez); else the configured transport (default: JSON lines).
    ``OPENLINEAGE_DISABLED=true``, ``lineage.enabled: false`` or ``governance.emit_lineage:
    false`` switch lineage off.
    """

    service_name: str
    service_version: str | None
    """floe.yaml's ``version``: the spans' ``service.version``."""
    namespace: str
    traces_enabled: bool
    trace_exporter: Literal["otlp", "file", "console"]
    otlp_traces_url: str | None
    lineage_enabled: bool
    lineage_transport: Literal["http", "file", "console"]
    lineage_url: str | None
    state_dir: Path
    dbt_level: Literal["per_model", "job_level"]
    classifications: bool
    timeout_seconds: float = EXPORT_TIMEOUT_SECONDS

    @property
    def enabled(self) -> bool:
        return self.traces_enabled or self.lineage_enabled

    @property
    def traces_file(self) -> Path:
        return self.state_dir / "observability" / "traces.jsonl"

    @property
    def lineage_file(self) -> Path:
        return self.state_dir / "observability" / "lineage.jsonl"

    def destinations(self) -> tuple[str, str]:
        """Where traces and where lineage go, as ``floe validate`` prints them."""
        if not self.traces_enabled:
            traces = "off"
        elif self.trace_exporter == "otlp":
            traces = f"OTLP/HTTP {without_credentials(self.otlp_traces_url or '')}"
        elif self.trace_exporter == "console":
            traces = "the console (stdout)"
        else:
            traces = f"JSON lines {self.traces_file}"
        if not self.lineage_enabled:
            lineage = "off"
        elif self.lineage_transport == "http":
            lineage = f"OpenLineage HTTP {without_credentials(self.lineage_url or '')}"
        elif self.lineage_transport == "console":
            lineage = "the console (stdout)"
        else:
            lineage = f"JSON lines {self.lineage_file}"
        return traces, lineage


def observability_settings(
    config: FloeConfig, *, env: Mapping[str, str], state_dir: Path
) -> ObservabilitySettings:
    observability = config.observability
    traces = observability.traces
    lineage = observability.lineage
    signal = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or None
    generic = traces.endpoint or env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None
    if traces.endpoint:
        url: str | None = _signal_url(traces.endpoint)
    elif signal:
        url = signal
    elif generic:
        url = _signal_url(generic)
    else:
        url = None
    automatic: Literal["otlp", "file"] = "otlp" if url else "file"
    exporter = automatic if traces.exporter == "auto" else traces.exporter
    if exporter == "otlp" and url is None:
        url = _signal_url(OTLP_DEFAULT_ENDPOINT)
    disabled = env.get("OPENLINEAGE_DISABLED", "").strip().lower() in TRUE
    lineage_url = env.get("OPENLINEAGE_URL") or lineage.url or None
    transport: Literal["http", "file", "console"] = lineage.transport
    if env.get("OPENLINEAGE_URL") and transport == "file":
        transport = "http"  # the ecosystem's convention: OPENLINEAGE_URL means "send it there"
    dbt = config.orchestration.dbt
    return ObservabilitySettings(
        service_name=observability.service_name or config.name,
        service_version=config.version,
        namespace=lineage.namespace or config.name,
        traces_enabled=traces.enabled,
        trace_exporter=exporter,
        otlp_traces_url=url if exporter == "otlp" else None,
        lineage_enabled=lineage.enabled and config.governance.emit_lineage and not disabled,
        lineage_transport=transport,
        lineage_url=lineage_url,
        state_dir=state_dir,
        dbt_level=dbt.observability_level if dbt else "per_model",
        classifications=config.governance.classification_source == "dbt_meta",
    )


def ignored_settings(config: FloeConfig, env: Mapping[str, str]) -> list[ConfigIssue]:
    """Observability settings floe.yaml gives that the chosen exporter or transport does not
    read: ``traces.endpoint`` with exporter ``file`` or ``console``, ``lineage.url`` with
    transport ``console``, or ``file`` unless ``OPENLINEAGE_URL`` is set (which turns a ``file``
    transport into HTTP, as ``observability_settings`` decides)."""
    traces, lineage = config.observability.traces, config.observability.lineage
    sent = lineage.transport == "http" or (
        lineage.transport == "file" and bool(env.get("OPENLINEAGE_URL"))
    )
    issues = []
    if traces.endpoint and traces.exporter in ("file", "console"):
        issues.append(
            config.source.issue(
                ("observability", "traces", "endpoint"),
                IssueCode.SETTING_IGNORED,
                f"traces.endpoint is not used: exporter '{traces.exporter}' writes spans "
                f"{'to stdout' if traces.exporter == 'console' else 'to a local file'}",
                "set exporter: otlp (or auto) to send spans to the endpoint, or remove endpoint",
            )
        )
    if lineage.url and not sent:
        issues.append(
            config.source.issue(
                ("observability", "lineage", "url"),
                IssueCode.SETTING_IGNORED,
                f"lineage.url is not used: transport '{lineage.transport}' writes events "
                f"{'to stdout' if lineage.transport == 'console' else 'to a local file'}",
                "set transport: http to send events to the url, or remove url",
            )
        )
    return issues
