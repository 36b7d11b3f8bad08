"""Per-asset and per-dbt-model traces and lineage, received by real servers on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from dagster import DagsterInstance
from demo_env import (
    ARTIFACT,
    BRONZE,
    DAILY,
    GOLD,
    JANUARY,
    SILVER,
    compile_project,
    copy_demo,
    demo_environment,
    free_port,
)
from receivers import receivers

from floe_dagster import FloeDefinitions
from floe_dbt import load_manifest

ASSETS = set(BRONZE + SILVER + GOLD)
DBT_STEPS = ("dbt_models_1", "dbt_daily", "dbt_models_2")
"""The dbt steps of the demo, in order: the silver dimensions, the daily silver models (they
read the dimensions), then the unpartitioned gold ones."""
MODELS_OF_STEP = {
    "dbt_models_1": {s for s in SILVER if s not in DAILY},
    "dbt_daily": {s for s in SILVER if s in DAILY},
    "dbt_models_2": set(GOLD),
}
EXPORT_TIMEOUT_SECONDS = 2.0  # the README: "each export waits at most 2 s"
MANIFEST = Path("demo/data_engineering/dbt/manifest.json")


def _run(
    artifact: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, *, ok: bool = True
) -> float:
    """Materialize medallion_pipeline in-process; returns the wall time in seconds."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    defs = FloeDefinitions.from_compiled_artifacts(artifact, env=env)
    started = time.monotonic()
    result = defs.resolve_job_def("medallion_pipeline").execute_in_process(
        instance=DagsterInstance.get(), raise_on_error=False, tags=JANUARY
    )
    assert result.success is ok
    return time.monotonic() - started


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return demo_environment(tmp_path / "state", FLOE_DEMO_SCALE="0.1", **extra)


def _lineage_edges(events: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {
        (source["name"], target["name"])
        for event in events
        if event["eventType"] == "COMPLETE"
        for source in event["inputs"]
        for target in event["outputs"]
    }


def _manifest_edges() -> set[tuple[str, str]]:
    manifest = load_manifest(MANIFEST)
    edges = set()
    for model in manifest.models.values():
        for parent in model.parents:
            node = manifest.nodes[parent]
            source = f"bronze_{node.name}" if node.resource_type == "source" else node.name
            edges.add((source, model.name))
    return edges


def test_full_materialization_spans_and_lineage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with receivers() as (received, otlp, lineage_url):
        env = _env(tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT=otlp, OPENLINEAGE_URL=lineage_url)
        _run(ARTIFACT, env, monkeypatch)

    asset_spans = [s for s in received.spans if "dagster.asset_key" in s.attributes]
    assert Counter(s.attributes["dagster.asset_key"] for s in asset_spans) == Counter(ASSETS)
    steps = {s.name: s for s in received.spans if s.name in DBT_STEPS}
    assert set(steps) == set(DBT_STEPS)
    models = [s for s in asset_spans if "dbt.unique_id" in s.attributes]
    assert {s.name for s in models} == set(SILVER + GOLD)
    run_trace = {s.trace_id for s in received.spans}
    assert len(run_trace) == 1  # one Dagster run, one trace
    for span in models:
        [step] = [steps[n] for n, models in MODELS_OF_STEP.items() if span.name in models]
        assert span.parent_span_id == step.span_id
        assert step.start <= span.start <= span.end <= step.end
        assert span.status == 1
    by_name = {s.name: s for s in models}
    for earlier, later in pairwise(DBT_STEPS):  # each step's models
        for first in MODELS_OF_STEP[earlier]:  # end before the next step's begin
            for then in MODELS_OF_STEP[later]:
                assert by_name[first].end <= by_name[then].start, (first, then)
    for span in asset_spans:
        assert span.attributes["dagster.run_id"]
        assert span.attributes["dagster.step_key"]

    events = received.lineage
    asset_events = [e for e in events if e["job"]["name"] in ASSETS]
    states = Counter((e["job"]["name"], e["eventType"]) for e in asset_events)
    assert states == Counter({(a, s): 1 for a in ASSETS for s in ("START", "COMPLETE")})
    assert _lineage_edges(events) == _manifest_edges()
    trace_ids = {e["run"]["facets"]["floe_trace"]["traceId"] for e in asset_events}
    assert trace_ids == run_trace
    step_runs = {e["run"]["runId"] for e in events if e["job"]["name"] in DBT_STEPS}
    for event in asset_events:
        if event["job"]["name"] in SILVER + GOLD:
            assert event["run"]["facets"]["parent"]["run"]["runId"] in step_runs

    complete = {e["job"]["name"]: e for e in asset_events if e["eventType"] == "COMPLETE"}
    customers = complete["stg_customers"]["outputs"][0]["facets"]
    assert {f["name"] for f in customers["schema"]["fields"]} >= {"customer_id", "email"}
    statistics = complete["stg_customers"]["outputs"][0]["outputFacets"]["outputStatistics"]
    assert statistics["rowCount"] > 0  # the warehouse's count, as for a Python asset
    assert {(t["field"], t["value"]) for t in customers["tags"]["tags"]} == {
        ("first_name", "pii"),
        ("last_name", "pii"),
        ("email", "pii"),
    }
    assert customers["ownership"]["owners"] == [{"name": "team:data-engineering"}]
    assert {a["assertion"] for a in customers["dataQualityAssertions"]["assertions"]} == {
        "unique",
        "not_null",
    }
    assert "from" in complete["stg_orders"]["job"]["facets"]["sql"]["query"]
    bronze = complete["bronze_orders"]["outputs"][0]
    assert bronze["outputFacets"]["outputStatistics"]["rowCount"] > 0
    assert {f["name"] for f in bronze["facets"]["schema"]["fields"]} >= {"order_id", "status"}


def test_a_failing_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_demo(tmp_path / "root", "failing_model")
    sql = project / "dbt" / "models" / "staging" / "stg_orders.sql"
    sql.write_text(sql.read_text().replace("trim(latest.status)", "trim(latest.no_such_column)"))
    artifact = compile_project(project)
    with receivers() as (received, otlp, lineage_url):
        env = _env(tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT=otlp, OPENLINEAGE_URL=lineage_url)
        _run(artifact, env, monkeypatch, ok=False)

    orders = [e for e in received.lineage if e["job"]["name"] == "stg_orders"]
    assert [e["eventType"] for e in orders] == ["START", "FAIL"]
    assert "no_such_column" in orders[1]["run"]["facets"]["errorMessage"]["message"]
    [span] = [s for s in received.spans if s.name == "stg_orders"]
    assert span.status == 2
    assert "exception" in span.events
    completed = {e["job"]["name"] for e in received.lineage if e["eventType"] == "COMPLETE"}
    assert completed.isdisjoint({"stg_orders", *GOLD})  # downstream models did not run
    assert {"stg_customers", "stg_products", "stg_order_items"} <= completed
    [step] = [s for s in received.spans if s.name == "dbt_daily"]
    assert step.status == 2


def test_job_level_and_disabled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_demo(tmp_path / "root", "job_level")
    floe_yaml = project / "floe.yaml"
    floe_yaml.write_text(floe_yaml.read_text().replace("per_model", "job_level"))
    artifact = compile_project(project)
    with receivers() as (received, otlp, lineage_url):
        env = _env(tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT=otlp, OPENLINEAGE_URL=lineage_url)
        _run(artifact, env, monkeypatch)
    dbt_spans = [s for s in received.spans if s.name not in BRONZE]
    assert sorted(s.name for s in dbt_spans) == sorted(DBT_STEPS)
    dbt_events = [e for e in received.lineage if e["job"]["name"] not in BRONZE]
    assert [(e["job"]["name"], e["eventType"]) for e in dbt_events] == [
        (step, state) for step in DBT_STEPS for state in ("START", "COMPLETE")
    ]
    outputs = {e["job"]["name"]: {o["name"] for o in e["outputs"]} for e in dbt_events[1::2]}
    assert outputs == MODELS_OF_STEP

    with receivers() as (received, otlp, lineage_url):
        env = _env(
            tmp_path / "off",
            OTEL_EXPORTER_OTLP_ENDPOINT=otlp,
            OPENLINEAGE_URL=lineage_url,
            FLOE_TRACES_ENABLED="false",
            FLOE_LINEAGE_ENABLED="false",
        )
        _run(ARTIFACT, env, monkeypatch)
    assert received.spans == []
    assert received.lineage == []
    assert not (tmp_path / "off" / "state" / "observability").exists()


@contextmanager
def black_hole() -> Iterator[tuple[str, list[float], list[float]]]:
    """A server on 127.0.0.1 that accepts every request, reads it and never answers (a hung
    backend). Yields its URL, the arrival time of each connection, and how long each client
    waited before it gave up and closed the connection."""
    arrivals: list[float] = []
    waits: list[float] = []
    stop = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    held: list[socket.socket] = []

    def drain(connection: socket.socket, arrived: float) -> None:
        connection.settimeout(0.2)
        while not stop.is_set():
            try:
                if not connection.recv(65536):  # the client closed: it stopped waiting
                    waits.append(time.monotonic() - arrived)
                    return
            except TimeoutError:
                continue
            except OSError:
                return

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            arrived = time.monotonic()
            arrivals.append(arrived)
            held.append(connection)  # answer nothing
            threading.Thread(target=drain, args=(connection, arrived), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", arrivals, waits
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


def test_unreachable_backends_never_fail_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's promise: each export waits at most 2 s, then the backend is skipped.

    Measured where it happens, not as the run's wall time (a shared machine's load would
    drown it): the hung backend sees how long each client waited before giving up, and how
    many requests reached it; the breaker files show both backends were skipped after."""
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    baseline = _run(ARTIFACT, _env(tmp_path / "a"), monkeypatch)
    refused = _run(
        ARTIFACT,
        _env(tmp_path / "b", OTEL_EXPORTER_OTLP_ENDPOINT=closed, OPENLINEAGE_URL=closed),
        monkeypatch,
    )
    with black_hole() as (hung, arrivals, waits):
        hanging = _run(
            ARTIFACT,
            _env(tmp_path / "c", OTEL_EXPORTER_OTLP_ENDPOINT=hung, OPENLINEAGE_URL=hung),
            monkeypatch,
        )
        deadline = time.monotonic() + 10
        while len(waits) < len(arrivals) and time.monotonic() < deadline:
            time.sleep(0.1)
    print(f"wall time: files {baseline:.2f}s, refused {refused:.2f}s, hanging {hanging:.2f}s")
    print(f"the hung backend: {len(arrivals)} request(s), clients waited {waits}")
    assert 1 <= len(arrivals) <= 2, arrivals  # one per backend at most, then the breaker
    assert len(waits) == len(arrivals)
    assert all(wait < EXPORT_TIMEOUT_SECONDS + 3.0 for wait in waits), waits
    for state in ("b", "c"):
        breakers = list((tmp_path / state / "state" / "observability").glob("unreachable-*"))
        assert len(breakers) == 2, breakers  # both backends were judged unreachable


def test_the_default_writes_json_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = _env(tmp_path)
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    env.pop("OPENLINEAGE_URL", None)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OPENLINEAGE_URL", raising=False)
    _run(ARTIFACT, env, monkeypatch)
    folder = tmp_path / "state" / "observability"
    spans = [json.loads(line) for line in (folder / "traces.jsonl").read_text().splitlines()]
    events = [json.loads(line) for line in (folder / "lineage.jsonl").read_text().splitlines()]
    assert {s["attributes"].get("dagster.asset_key") for s in spans} >= ASSETS
    assert _lineage_edges(events) == _manifest_edges()
