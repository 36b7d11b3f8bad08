"""Observations -> OpenLineage events (pure), and the openlineage-python client that sends them.

Dataset naming rule: namespace = the lineage namespace, name = the Dagster asset key
(``bronze_orders``). A dbt source is keyed as the Python asset that produces it, so a bronze
output *is* the input of the stg model that reads it, and the graph stays connected.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attr
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
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
from openlineage.client.transport.console import ConsoleConfig, ConsoleTransport
from openlineage.client.transport.file import FileConfig, FileTransport
from openlineage.client.transport.http import HttpConfig, HttpTransport
from openlineage.client.transport.transport import Transport

from floe_dagster._observability.breaker import Breaker
from floe_dagster._observability.observations import Assertion, Dataset, Observation
from floe_dagster._observability.settings import ObservabilitySettings
from floe_dagster.lake._locks import file_lock

PRODUCER = "https://github.com/floe/floe"


@attr.define
class TraceRunFacet(RunFacet):
    """Links a lineage run to its OpenTelemetry trace (and span)."""

    traceId: str
    spanId: str

    @staticmethod
    def _get_schema() -> str:
        return "https://floe.dev/spec/facets/TraceRunFacet.json"


# --- transports ----------------------------------------------------------------------------------


class LockedTransport(Transport):
    """Appends through ``inner`` while holding an exclusive lock on ``lock``: step processes
    running in parallel never interleave their lines."""

    kind = "floe_locked"

    def __init__(self, inner: Transport, lock: Path) -> None:
        self.inner = inner
        self.lock = lock

    def emit(self, event: Any) -> None:
        with file_lock(self.lock):
            self.inner.emit(event)


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
    """The openlineage-python client with its own transports: HTTP (behind the breaker), the
    console, or its FileTransport appending JSON lines under the state directory."""
    transport: Transport
    if settings.lineage_transport == "http" and settings.lineage_url:
        config = HttpConfig(
            url=settings.lineage_url,
            timeout=settings.timeout_seconds,
            retry={"total": 0, "connect": 0, "read": 0},
        )
        transport = GuardedTransport(
            HttpTransport(config), Breaker(settings.state_dir, settings.lineage_url)
        )
    elif settings.lineage_transport == "console":
        transport = ConsoleTransport(ConsoleConfig())
    else:
        path = settings.lineage_file
        transport = LockedTransport(
            FileTransport(FileConfig(log_file_path=str(path), append=True)),
            path.with_suffix(".lock"),
        )
    return OpenLineageClient(transport=transport)


# --- events (pure) -------------------------------------------------------------------------------


def _assertions(assertions: tuple[Assertion, ...]) -> Any:
    return data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(
        assertions=[
            data_quality_assertions_dataset.Assertion(
                assertion=a.name, success=a.passed, column=a.column
            )
            for a in assertions
        ]
    )


def _output_facets(info: Dataset, namespace: str) -> dict[str, Any]:
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
        facets["dataQualityAssertions"] = _assertions(info.assertions)
    return facets


def run_event(
    observation: Observation,
    state: RunState,
    *,
    when: float,
    namespace: str,
    trace: tuple[str, str] | None,
    parent: Observation | None = None,
) -> RunEvent:
    """One OpenLineage event of an observation's run."""
    run_facets: dict[str, Any] = {}
    if trace:
        run_facets["floe_trace"] = TraceRunFacet(traceId=trace[0], spanId=trace[1])
    if parent is not None:
        run_facets["parent"] = parent_run.ParentRunFacet(
            run=parent_run.Run(runId=parent.run_id),
            job=parent_run.Job(namespace=namespace, name=parent.name),
        )
    failure = observation.failure
    if state == RunState.FAIL and failure is not None:
        run_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            message=failure.message, programmingLanguage="python", stackTrace=failure.stack
        )
    job_facets: dict[str, Any] = {}
    if observation.sql:
        job_facets["sql"] = sql_job.SQLJobFacet(query=observation.sql, dialect="duckdb")
    final = state in (RunState.COMPLETE, RunState.FAIL)
    outputs = []
    for info in observation.outputs:
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
                facets=_output_facets(info, namespace) if final else {},
                outputFacets=output_facets,
            )
        )
    inputs = [
        InputDataset(
            namespace=namespace,
            name=info.name,
            inputFacets=(
                {"dataQualityAssertions": _assertions(info.assertions)}
                if final and info.assertions
                else {}
            ),
        )
        for info in observation.inputs
    ]
    return RunEvent(
        eventType=state,
        eventTime=_iso(when),
        run=Run(runId=observation.run_id, facets=run_facets),
        job=Job(namespace=namespace, name=observation.name, facets=job_facets),
        producer=PRODUCER,
        inputs=inputs,
        outputs=outputs,
    )


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat().replace("+00:00", "Z")
