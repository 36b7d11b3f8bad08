"""OpenLineage: the openlineage-python client, its transports, and floe's event builders.

Dataset naming rule: namespace = the lineage namespace, name = the Dagster asset key
(``bronze_orders``). A dbt source is keyed as the Python asset that produces it, so a bronze
output *is* the input of the stg model that reads it, and the graph stays connected.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attr
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import (
    InputDataset,
    Job,
    OutputDataset,
    Run,
    RunEvent,
    RunState,
)
from openlineage.client.facet_v2 import (
    RunFacet,
    data_quality_assertions_dataset,
    documentation_dataset,
    error_message_run,
    output_statistics_output_dataset,
    ownership_dataset,
    parent_run,
    schema_dataset,
    sql_job,
    symlinks_dataset,
    tags_dataset,
)
from openlineage.client.serde import Serde
from openlineage.client.transport.console import ConsoleConfig, ConsoleTransport
from openlineage.client.transport.http import HttpConfig, HttpTransport
from openlineage.client.transport.transport import Transport

from floe_dagster._observability.breaker import Breaker
from floe_dagster._observability.settings import ObservabilitySettings

PRODUCER = "https://github.com/floe/floe"


@attr.define
class TraceRunFacet(RunFacet):
    """Links a lineage run to its OpenTelemetry trace (and span)."""

    traceId: str
    spanId: str

    @staticmethod
    def _get_schema() -> str:
        return "https://floe.dev/spec/facets/TraceRunFacet.json"


class JsonLinesTransport(Transport):
    """The embedded default: one OpenLineage JSON event per line, appended to a file."""

    kind = "floe_jsonl"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def emit(self, event: Any) -> None:
        line = Serde.to_json(event) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a") as handle:
                handle.write(line)


class GuardedTransport(Transport):
    """Sends through ``inner``. A failure, or too much time spent waiting, trips the breaker;
    a run never fails because of lineage."""

    kind = "floe_guarded"

    def __init__(self, inner: Transport, breaker: Breaker) -> None:
        self.inner = inner
        self.breaker = breaker

    def emit(self, event: Any) -> None:
        if self.breaker.open:
            return
        started = time.monotonic()
        try:
            self.inner.emit(event)
        except Exception as error:
            self.breaker.trip(f"{type(error).__name__}: {error}")
            return
        self.breaker.charge(time.monotonic() - started)


def lineage_client(settings: ObservabilitySettings) -> OpenLineageClient:
    transport: Transport
    if settings.lineage_transport == "http" and settings.lineage_url:
        config = HttpConfig(
            url=settings.lineage_url,
            timeout=settings.timeout_seconds,
            retry={"total": 0, "connect": 0, "read": 0},
        )
        transport = GuardedTransport(
            HttpTransport(config),
            Breaker(settings.state_dir, settings.lineage_url),
        )
    elif settings.lineage_transport == "console":
        transport = ConsoleTransport(ConsoleConfig())
    else:
        transport = JsonLinesTransport(settings.lineage_file)
    return OpenLineageClient(transport=transport)


# --- event builders ------------------------------------------------------------------------------


@attr.define
class DatasetInfo:
    """What floe knows about one dataset (an asset) for its facets."""

    name: str
    description: str = ""
    owners: Sequence[str] = ()
    columns: Sequence[tuple[str, str | None, str]] = ()
    """(name, type, description)"""
    classifications: Mapping[str, Sequence[str]] = attr.field(factory=dict)
    """column -> classification tags"""
    relation: str | None = None
    row_count: int | None = None
    assertions: Sequence[tuple[str, bool, str | None]] = ()
    """(test name, passed, column)"""


def _output_facets(info: DatasetInfo, namespace: str) -> dict[str, Any]:
    facets: dict[str, Any] = {}
    if info.columns:
        facets["schema"] = schema_dataset.SchemaDatasetFacet(
            fields=[
                schema_dataset.SchemaDatasetFacetFields(name=n, type=t, description=d or None)
                for n, t, d in info.columns
            ]
        )
    if info.classifications:
        facets["tags"] = tags_dataset.TagsDatasetFacet(
            tags=[
                tags_dataset.TagsDatasetFacetFields(
                    key="classification", value=tag, source="dbt_meta", field=column
                )
                for column, tags in info.classifications.items()
                for tag in tags
            ]
        )
    if info.description:
        facets["documentation"] = documentation_dataset.DocumentationDatasetFacet(
            description=info.description
        )
    if info.owners:
        facets["ownership"] = ownership_dataset.OwnershipDatasetFacet(
            owners=[ownership_dataset.Owner(name=o) for o in info.owners]
        )
    if info.relation:
        facets["symlinks"] = symlinks_dataset.SymlinksDatasetFacet(
            identifiers=[
                symlinks_dataset.Identifier(namespace=namespace, name=info.relation, type="TABLE")
            ]
        )
    if info.assertions:
        facets["dataQualityAssertions"] = (
            data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(
                assertions=[
                    data_quality_assertions_dataset.Assertion(assertion=a, success=ok, column=col)
                    for a, ok, col in info.assertions
                ]
            )
        )
    return facets


@attr.define
class LineageRun:
    """One OpenLineage run: a job (an asset, a dbt step, an op) and its datasets."""

    run_id: str
    job_name: str
    inputs: Sequence[str] = ()
    outputs: Sequence[DatasetInfo] = ()
    parent: tuple[str, str] | None = None
    """(parent run id, parent job name)"""
    sql: str | None = None


def run_event(
    run: LineageRun,
    state: RunState,
    *,
    when: float,
    namespace: str,
    trace: tuple[str, str] | None,
    error: str | None = None,
    stack: str | None = None,
) -> RunEvent:
    run_facets: dict[str, Any] = {}
    if trace:
        run_facets["floe_trace"] = TraceRunFacet(traceId=trace[0], spanId=trace[1])
    if run.parent:
        run_facets["parent"] = parent_run.ParentRunFacet(
            run=parent_run.Run(runId=run.parent[0]),
            job=parent_run.Job(namespace=namespace, name=run.parent[1]),
        )
    if error is not None:
        run_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            message=error, programmingLanguage="python", stackTrace=stack
        )
    job_facets: dict[str, Any] = {}
    if run.sql:
        job_facets["sql"] = sql_job.SQLJobFacet(query=run.sql, dialect="duckdb")
    final = state in (RunState.COMPLETE, RunState.FAIL)
    outputs = []
    for info in run.outputs:
        facets = _output_facets(info, namespace) if final else {}
        output_facets: dict[str, Any] = {}
        if final and info.row_count is not None:
            output_facets["outputStatistics"] = (
                output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
                    rowCount=info.row_count
                )
            )
        outputs.append(
            OutputDataset(
                namespace=namespace,
                name=info.name,
                facets=facets,
                outputFacets=output_facets,
            )
        )
    return RunEvent(
        eventType=state,
        eventTime=_iso(when),
        run=Run(runId=run.run_id, facets=run_facets),
        job=Job(namespace=namespace, name=run.job_name, facets=job_facets),
        producer=PRODUCER,
        inputs=[InputDataset(namespace=namespace, name=name) for name in run.inputs],
        outputs=outputs,
    )


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat().replace("+00:00", "Z")
