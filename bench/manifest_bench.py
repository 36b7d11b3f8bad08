"""Benchmark: load a synthetic 10,000-model dbt manifest into floe-dbt's graph.

Run: tools/bazel run //bench:manifest

Reports wall time and peak Python memory (tracemalloc) of ``load_manifest`` against the floor
of plain ``json.load`` of the same file, measured in one run, as ratios.
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from manifests import dbt_test, manifest, model, source

from floe_dbt import load_manifest

MODELS = 10_000


def synthetic_manifest() -> dict[str, object]:
    sources = [source("raw", f"table_{i}") for i in range(100)]
    models = []
    for i in range(MODELS):
        if i < 100:
            deps = [f"source.shop.raw.table_{i}"]
        else:  # each model reads two earlier ones: a wide, deep DAG
            deps = [f"model.shop.m_{i // 2:05d}", f"model.shop.m_{i - 1:05d}"]
        models.append(model(f"m_{i:05d}", deps, folder=("staging", "marts")[i % 2]))
    tests = [dbt_test(f"unique_m_{i:05d}_id", f"model.shop.m_{i:05d}", "id") for i in range(MODELS)]
    return manifest(models, sources, tests)


def measure(fn: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """(median seconds, peak MiB): time without tracing, then one traced run for memory."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    result = fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    del result
    return statistics.median(times), peak


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "manifest.json"
        path.write_text(json.dumps(synthetic_manifest()))
        size = path.stat().st_size / 2**20

        def floor() -> object:
            with path.open() as handle:
                return json.load(handle)

        floor_time, floor_peak = measure(floor)
        graph_time, graph_peak = measure(lambda: load_manifest(path))
    print(f"manifest: {MODELS} models, {MODELS} tests, 100 sources, {size:.1f} MiB")
    print(f"json.load (floor):  {floor_time * 1000:7.0f} ms  peak {floor_peak:6.1f} MiB")
    print(f"load_manifest:      {graph_time * 1000:7.0f} ms  peak {graph_peak:6.1f} MiB")
    print(f"ratio time {graph_time / floor_time:.2f}x, peak memory {graph_peak / floor_peak:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
