"""The Iceberg catalog survives being created, and written, by many processes at the same instant.

Real processes, a real PyIceberg SQL catalog on a fresh SQLite file, and a shared start time so
that they really collide (a first run's step processes otherwise start a few seconds apart and
only collide sometimes).
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pyarrow as pa
import pytest

from floe_dagster import IcebergCatalogResource

PROCESSES = 8


def _worker(index: int, uri: str, warehouse: str, start_at: float, results: object) -> None:
    resource = IcebergCatalogResource(
        name="floe", properties={"type": "sql", "uri": uri, "warehouse": warehouse}
    )
    time.sleep(max(0.0, start_at - time.time()))
    try:
        catalog = resource.namespace("bronze")  # creates the catalog tables and the namespace
        table = catalog.create_table(f"bronze.t{index}", schema=pa.schema([("x", pa.int64())]))
        for batch in range(3):  # commits from every process interleave
            table.append(pa.table({"x": pa.array([index * 10 + batch], pa.int64())}))
        results.put((index, "ok"))  # type: ignore[attr-defined]
    except Exception as error:
        results.put((index, f"{type(error).__name__}: {error}"))  # type: ignore[attr-defined]


@pytest.mark.parametrize("attempt", range(2))
def test_many_processes_open_an_empty_catalog_at_once(tmp_path: Path, attempt: int) -> None:
    uri = f"sqlite:///{tmp_path}/catalog.db?timeout=30"
    warehouse = (tmp_path / "warehouse").as_uri()
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 5.0  # every process is imported and waiting by then
    workers = [
        context.Process(target=_worker, args=(i, uri, warehouse, start_at, results))
        for i in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = dict(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    assert outcomes == dict.fromkeys(range(PROCESSES), "ok")
    catalog = IcebergCatalogResource(
        name="floe", properties={"type": "sql", "uri": uri, "warehouse": warehouse}
    ).load()
    assert len(catalog.list_tables("bronze")) == PROCESSES
    for index in range(PROCESSES):
        rows = catalog.load_table(f"bronze.t{index}").scan().to_arrow().column("x").to_pylist()
        assert sorted(rows) == [index * 10 + b for b in range(3)]
