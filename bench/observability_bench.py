"""Benchmark: the demo pipeline with observability on vs off, measured in one run.

Run: tools/bazel run //bench:observability [-- --rounds 3]

Each round materializes ``medallion_pipeline`` for one day (its bronze and silver assets are
daily-partitioned; 4 bronze assets, 6 dbt models, 23 checks) in-process three ways, in
alternating order: observability off; on with the embedded JSON-lines default; on with both
backends unreachable (a closed port). Prints medians and ratios to "off".
Target: observability costs at most 5%.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from dagster import DagsterInstance

from floe_dagster import FloeDefinitions

ARTIFACT = (
    Path(__file__).absolute().parents[1] / "demo" / "data_engineering" / "compiled_artifacts.json"
)

DAY = "2024-01-15"
"""The partition each run materializes (the README's first run)."""


def _closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def demo_environment(state: Path, mode: str) -> dict[str, str]:
    """The demo's state under ``state``; traces and lineage ``off``, to ``files``, or to an
    ``unreachable`` port."""
    env = {
        "FLOE_STATE_DIR": str(state),
        "DAGSTER_HOME": str(state / "dagster"),
        "FLOE_CATALOG_URI": f"sqlite:///{state}/catalog.db",
        "FLOE_WAREHOUSE": str(state / "warehouse"),
        "FLOE_DUCKDB_PATH": str(state / "warehouse.duckdb"),
    }
    if mode == "off":
        env.update(FLOE_TRACES_ENABLED="false", FLOE_LINEAGE_ENABLED="false")
    if mode == "unreachable":
        closed = _closed_port()
        env.update(OTEL_EXPORTER_OTLP_ENDPOINT=closed, OPENLINEAGE_URL=closed)
    return env


def run_once(root: Path, mode: str, index: int) -> float:
    state = root / f"{mode}-{index}"
    (state / "dagster").mkdir(parents=True)
    (state / "dagster" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = demo_environment(state, mode)
    saved = dict(os.environ)
    os.environ.update(env)
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OPENLINEAGE_URL"):
        if name not in env:
            os.environ.pop(name, None)
    try:
        defs = FloeDefinitions.from_compiled_artifacts(ARTIFACT, env=dict(os.environ))
        job = defs.resolve_job_def("medallion_pipeline")
        started = time.perf_counter()
        result = job.execute_in_process(instance=DagsterInstance.get(), partition_key=DAY)
        elapsed = time.perf_counter() - started
        if not result.success:
            raise SystemExit(f"the pipeline failed in mode {mode}")
        return elapsed
    finally:
        os.environ.clear()
        os.environ.update(saved)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    warnings.simplefilter("ignore")
    modes = ["off", "files", "unreachable"]
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory(prefix="floe-bench-") as folder:
        run_once(Path(folder), "files", -1)  # warm-up: imports, dbt parse caches
        for index in range(options.rounds):
            order = modes if index % 2 == 0 else list(reversed(modes))
            for mode in order:
                times[mode].append(run_once(Path(folder), mode, index))
    off = statistics.median(times["off"])
    print(f"medallion_pipeline, {options.rounds} rounds (median wall time per run):")
    for mode in modes:
        median = statistics.median(times[mode])
        runs = ", ".join(f"{t:.2f}" for t in times[mode])
        print(f"  {mode:12s} {median:6.2f}s  ratio {median / off:5.3f}   ({runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
