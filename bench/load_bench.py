"""Benchmark: how long a code location takes to load, floe against dagster-dbt and the floor.

Run: tools/bazel run //bench:load [-- --models 1000 2500 5000 10000 --jobs 2 20]

For each size it generates a synthetic dbt project (``synthetic_project.py``: layered models,
one documented column and one test each, 20 sources read by Python assets), runs ``dbt parse``
once (cached beside the project, under ``--cache``), and compiles floe.yaml. Then, in one run
and each in its own fresh process (``load_probe.py``), it times:

- ``floe``: ``FloeDefinitions.from_compiled_artifacts``;
- ``dagster-dbt``: plain ``@dbt_assets`` with the same Python assets, jobs and schedule;
- ``floor``: the same graph as plain AssetSpecs and check specs in one ``multi_asset``;
- ``floe-layers`` (10,000 models): floe with the dbt nodes in three multi-assets, three layers;
- at the largest size and fewest jobs, the same three on a deeper shape (``synthetic_project.DEEP``:
  more layers, more parents per model, three tests per model); ``--no-deep`` skips it.

Each time includes building the definitions, resolving every job and ``RepositorySnap.from_def``
(what a code server does before it serves the webserver); peak memory is the growth of the
process's peak RSS over the same span. It also times a run of one small Python asset in the
largest location (``dagster asset materialize``: a launcher process and a step process, each
loading the location). ``--write`` records the results in docs/performance.md and
docs/load_time.svg.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import report
import synthetic_project

from floe_config import compile_artifacts, write_artifacts

HERE = Path(__file__).absolute().parent
MODES = ("floe", "dagster-dbt", "floor")


def _environment() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))


def probe(mode: str, floe_yaml: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, str(HERE / "load_probe.py"), mode, str(floe_yaml)],
        capture_output=True,
        text=True,
        env=_environment(),
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{mode} failed on {floe_yaml}:\n{result.stderr[-3000:]}")
    measured: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return measured


def prepare(
    cache: Path, models: int, jobs: int, shape: synthetic_project.Shape = synthetic_project.WIDE
) -> Path:
    floe_yaml = synthetic_project.write_project(cache, models=models, jobs=jobs, shape=shape)
    started = time.perf_counter()
    synthetic_project.parse(floe_yaml)
    parsed = time.perf_counter() - started
    if parsed > 1:
        print(f"  dbt parse of {models} models: {parsed:.0f} s (cached from now on)", flush=True)
    artifact = floe_yaml.parent / "compiled_artifacts.json"
    write_artifacts(compile_artifacts(floe_yaml, output=artifact), artifact)
    return floe_yaml


def single_asset_run(floe_yaml: Path) -> float:
    """Wall time of `dagster asset materialize --select tiny` (a launcher and a step process)."""
    with tempfile.TemporaryDirectory(prefix="floe-bench-") as home:
        Path(home, "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        env = _environment()
        env["PYTHONPATH"] = os.pathsep.join([str(floe_yaml.parent.parent), env["PYTHONPATH"]])
        env.update(DAGSTER_HOME=home, FLOE_STATE_DIR=str(Path(home, "state")))
        module = f"{floe_yaml.parent.name}.definitions"
        dagster = str(Path(sys.executable).parent / "dagster")
        started = time.perf_counter()
        result = subprocess.run(
            [dagster, "asset", "materialize", "--select", "tiny", "-m", module],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        elapsed = time.perf_counter() - started
        if result.returncode != 0 or "RUN_SUCCESS" not in result.stdout + result.stderr:
            raise SystemExit(f"the single-asset run failed:\n{result.stderr[-3000:]}")
        return elapsed


def plot_load(rows: list[dict[str, object]], path: Path) -> None:
    """Load time against model count (the fewest jobs), one line per mode."""
    fewest = min(int(r["jobs"]) for r in rows)  # type: ignore[call-overload]
    lines = {
        mode: [
            (int(r["models"]), float(r[mode]["seconds"]))  # type: ignore[index, call-overload]
            for r in rows
            if r["jobs"] == fewest
        ]
        for mode in MODES
    }
    report.plot(path, [(f"{fewest} jobs", lines)], xlabel="dbt models", ylabel="load time (s)")


def measure(floe_yaml: Path, rounds: int) -> dict[str, object]:
    """Every mode on one project: median seconds and peak memory of ``rounds`` probes."""
    row: dict[str, object] = {}
    for mode in MODES:
        samples = [probe(mode, floe_yaml) for _ in range(rounds)]
        row[mode] = {
            "seconds": statistics.median(s["seconds"] for s in samples),
            "peak_mb": statistics.median(s["peak_mb"] for s in samples),
        }
        print(
            f"  {mode:12s} {row[mode]['seconds']:7.2f} s  {row[mode]['peak_mb']:6.0f} MB",  # type: ignore[index]
            flush=True,
        )
    return row


def table_row(label: str, row: dict[str, object]) -> str:
    f, d, fl = row["floe"], row["dagster-dbt"], row["floor"]  # type: ignore[misc]
    return (
        f"| {label} | {f['seconds']:.2f} s, {f['peak_mb']:.0f} MB "
        f"| {d['seconds']:.2f} s, {d['peak_mb']:.0f} MB | {fl['seconds']:.2f} s, "
        f"{fl['peak_mb']:.0f} MB | {f['seconds'] / d['seconds']:.2f} | "
        f"{f['seconds'] / fl['seconds']:.2f} | {f['peak_mb'] / d['peak_mb']:.2f} |"
    )


def markdown(
    rows: list[dict[str, object]],
    layers: dict[str, float] | None,
    run: float | None,
    deep: dict[str, object] | None = None,
    rounds: int = 1,
) -> str:
    each = f"the median of {rounds} fresh processes" if rounds > 1 else "each in a fresh process"
    command = f"--write --rounds {rounds}" if rounds > 1 else "--write"
    lines = [
        "## Loading a code location",
        "",
        f"Generated by `tools/bazel run //bench:load -- {command}`.",
        "",
        "Seconds (and peak memory growth) to build the definitions, resolve every job and make",
        f"the `RepositorySnap` a code server sends the webserver, {each} on the",
        "same machine in one run. The project is synthetic (`bench/synthetic_project.py`): one",
        "documented column and one test per model, 20 sources read by Python assets, one",
        "schedule. *floor* is the same graph as plain `AssetSpec`s in one `multi_asset`.",
        "",
        "| models, jobs | floe | dagster-dbt `@dbt_assets` | floor "
        "| floe / dagster-dbt | floe / floor | memory floe / dagster-dbt |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(table_row(f"{row['models']:,}, {row['jobs']}", row))
    lines += ["", "![load time against model count, 2 jobs](load_time.svg)", ""]
    if deep:
        lines += [
            f"A deeper shape at {deep['models']:,} models and {deep['jobs']} jobs "
            f"(`synthetic_project.DEEP`: {synthetic_project.DEEP.layers} layers, "
            f"{synthetic_project.DEEP.parents[0]}-{synthetic_project.DEEP.parents[1]} parents "
            f"from the {synthetic_project.DEEP.reach} layers before, "
            f"{len(synthetic_project.DEEP.tests)} tests per model):",
            "",
            "| models, jobs | floe | dagster-dbt `@dbt_assets` | floor "
            "| floe / dagster-dbt | floe / floor | memory floe / dagster-dbt |",
            "|---|---:|---:|---:|---:|---:|---:|",
            table_row(f"{deep['models']:,}, {deep['jobs']} (deep)", deep),
            "",
        ]
    if layers:
        lines += [
            f"Three multi-assets in three layers over {layers['models']:,.0f} models (what "
            f"partitions make): {layers['layers']:.2f} s against {layers['one']:.2f} s for one "
            f"({layers['layers'] / layers['one']:.2f}x).",
            "",
        ]
    if run:
        lines += [
            f"A run of one small Python asset in the {rows[-1]['models']:,} model location "
            f"(`dagster asset materialize`, a launcher and a step process, each loading the "
            f"location): {run:.1f} s end to end.",
            "",
        ]
    lines += [
        "Why floe is fast: it parses the manifest once (orjson), builds the specs from floe-dbt's",
        "graph with one translator call per node and question (no dbt selector, no recursive",
        "spec resolution), puts dagster-dbt's runtime metadata on one spec per multi-asset, pauses",
        "Python's cyclic garbage collector while it builds and freezes the result, and skips",
        "re-checking every job in run workers, which rebuild what the code server checked.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, nargs="+", default=[1000, 2500, 5000, 10000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[2, 20])
    parser.add_argument("--rounds", type=int, default=1, help="median of this many probes")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "floe" / "bench")
    parser.add_argument("--no-deep", dest="deep", action="store_false", help="skip the deep shape")
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    options = parser.parse_args()
    rows: list[dict[str, object]] = []
    for models in options.models:
        for jobs in options.jobs:
            if models not in (min(options.models), max(options.models)) and jobs != min(
                options.jobs
            ):
                continue  # the curve needs every size; the 20-job cases only the ends
            print(f"{models} models, {jobs} jobs", flush=True)
            floe_yaml = prepare(options.cache, models, jobs)
            row: dict[str, object] = {"models": models, "jobs": jobs}
            row.update(measure(floe_yaml, options.rounds))
            rows.append(row)
    deep = None
    if options.deep:
        largest_models, fewest_jobs = max(options.models), min(options.jobs)
        print(f"{largest_models} models, {fewest_jobs} jobs, the deep shape", flush=True)
        deep_yaml = prepare(options.cache, largest_models, fewest_jobs, synthetic_project.DEEP)
        deep = {"models": largest_models, "jobs": fewest_jobs, **measure(deep_yaml, options.rounds)}
    largest = prepare(options.cache, max(options.models), min(options.jobs))
    layers = {
        "models": max(options.models),
        "one": float(rows[-len(options.jobs)]["floe"]["seconds"]),  # type: ignore[index]
        "layers": probe("floe-layers", largest)["seconds"],
    }
    print(f"three layers: {layers['layers']:.2f} s against {layers['one']:.2f} s for one")
    run = single_asset_run(largest)
    print(f"one Python asset run in the {max(options.models)} model location: {run:.1f} s")
    for row in [*rows, *([deep] if deep else [])]:
        f, d, fl = row["floe"], row["dagster-dbt"], row["floor"]  # type: ignore[misc]
        shape = " (deep)" if row is deep else ""
        print(
            f"{row['models']:>6} models {row['jobs']:>2} jobs{shape}: floe/dagster-dbt "
            f"{f['seconds'] / d['seconds']:.2f}, floe/floor {f['seconds'] / fl['seconds']:.2f}, "
            f"memory floe/dagster-dbt {f['peak_mb'] / d['peak_mb']:.2f}"
        )
    if options.write:
        docs = report.docs_folder(HERE)
        report.write_section(
            docs / "performance.md", "load", markdown(rows, layers, run, deep, options.rounds)
        )
        plot_load(rows, docs / "load_time.svg")
        print(f"wrote {docs / 'performance.md'} and {docs / 'load_time.svg'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
