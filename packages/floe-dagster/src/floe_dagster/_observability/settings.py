"""What to emit and where: floe.yaml's ``observability`` plus the ecosystem's variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from floe_config import FloeConfig

TRUE = {"1", "true", "yes", "on"}
EXPORT_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class ObservabilitySettings:
    """Resolved once per code-location load (the same in the code server and step processes).

    - traces: OTLP/HTTP when ``observability.traces.endpoint`` or
      ``OTEL_EXPORTER_OTLP_ENDPOINT`` names an endpoint, else JSON lines under the state dir;
    - lineage: ``OPENLINEAGE_URL`` (or ``lineage.url`` with transport http) sends to that
      OpenLineage endpoint (Marquez); else the configured transport (default JSON lines);
      ``OPENLINEAGE_DISABLED=true``, ``lineage.enabled: false`` or
      ``governance.emit_lineage: false`` switch lineage off.
    """

    service_name: str
    namespace: str
    traces_enabled: bool
    trace_exporter: Literal["otlp", "file", "console"]
    otlp_endpoint: str | None
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


def observability_settings(
    config: FloeConfig, *, env: Mapping[str, str], state_dir: Path
) -> ObservabilitySettings:
    observability = config.observability
    traces = observability.traces
    lineage = observability.lineage
    endpoint = traces.endpoint or env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None
    automatic: Literal["otlp", "file"] = "otlp" if endpoint else "file"
    exporter = automatic if traces.exporter == "auto" else traces.exporter
    disabled = env.get("OPENLINEAGE_DISABLED", "").strip().lower() in TRUE
    url = env.get("OPENLINEAGE_URL") or lineage.url or None
    transport: Literal["http", "file", "console"] = lineage.transport
    if env.get("OPENLINEAGE_URL") and transport == "file":
        transport = "http"  # the ecosystem's convention: OPENLINEAGE_URL means "send it there"
    dbt = config.orchestration.dbt
    return ObservabilitySettings(
        service_name=observability.service_name or config.name,
        namespace=lineage.namespace or config.name,
        traces_enabled=traces.enabled and not (exporter == "otlp" and not endpoint),
        trace_exporter=exporter,
        otlp_endpoint=endpoint,
        lineage_enabled=lineage.enabled and config.governance.emit_lineage and not disabled,
        lineage_transport=transport,
        lineage_url=url,
        state_dir=state_dir,
        dbt_level=dbt.observability_level if dbt else "per_model",
        classifications=config.governance.classification_source == "dbt_meta",
    )
