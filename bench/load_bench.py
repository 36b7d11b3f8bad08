"""Benchmark: how long a code location takes to load, floe against dagster-dbt and the floor.

Run: tools/bazel run //bench:load [-- --models 1000 2500 5000 10000 --jobs 2 20]

For each size it generates a synthetic dbt project (``synthetic_project.py``: layered models,
one documented column and one test each, 20 sources read by Python assets), runs ``dbt parse``
once (cached beside the project, under ``--cache``), and compiles floe.yaml. Then, in one run
and each in its own fresh process (``load_probe.py``), it times:

- ``floe``: ``FloeDefinitions.from_compiled_artifacts``;
- ``dagster-dbt``: plain ``@dbt_assets`` with the same Python assets, jobs and schedule;
- ``floor``: the same graph as plain AssetSpecs and check specs in one ``multi_asset``;
- ``floe-layers`` (10,000 models): floe with the dbt nodes in three multi-assets, three layers.

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

import synthetic_project

from floe_config import compile_artifacts, write_artifacts

HERE = Path(__file__).absolute().parent
MODES = ("floe", "dagster-dbt", "floor")
COLORS = {"floe": "#2563eb", "dagster-dbt": "#ea580c", "floor": "#6b7280"}


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


def prepare(cache: Path, models: int, jobs: int) -> Path:
    floe_yaml = synthetic_project.write_project(cache, models=models, jobs=jobs)
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


def svg_plot(rows: list[dict[str, object]]) -> str:
    """Load time against model count (2 jobs), one line per mode: a small hand-made SVG."""
    points = {mode: [] for mode in MODES}  # type: dict[str, list[tuple[int, float]]]
    for row in rows:
        if row["jobs"] == min(r["jobs"] for r in rows):  # type: ignore[type-var]
            for mode in MODES:
                points[mode].append((int(row["models"]), float(row[mode]["seconds"])))  # type: ignore[index, arg-type]
    width, height, left, bottom, top, right = 640, 380, 60, 50, 20, 130
    xmax = max(x for line in points.values() for x, _ in line)
    ymax = max(y for line in points.values() for _, y in line) * 1.1

    def sx(x: float) -> float:
        return left + (width - left - right) * x / xmax

    def sy(y: float) -> float:
        return height - bottom - (height - bottom - top) * y / ymax

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<line x1="{left}" y1="{sy(0)}" x2="{width - right}" y2="{sy(0)}" stroke="black"/>',
        f'<line x1="{left}" y1="{sy(0)}" x2="{left}" y2="{top}" stroke="black"/>',
        f'<text x="{(width - right + left) / 2}" y="{height - 12}" text-anchor="middle">'
        "dbt models</text>",
        f'<text x="16" y="{(height - bottom + top) / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {(height - bottom + top) / 2})">load time (s)</text>',
    ]
    for tick in range(0, int(ymax) + 1, max(1, int(ymax) // 6 or 1)):
        parts.append(f'<text x="{left - 8}" y="{sy(tick) + 4}" text-anchor="end">{tick}</text>')
    for x, _ in points["floe"]:
        parts.append(f'<text x="{sx(x)}" y="{sy(0) + 16}" text-anchor="middle">{x:,}</text>')
    for index, mode in enumerate(MODES):
        line = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points[mode])
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{COLORS[mode]}" stroke-width="2"/>'
        )
        for x, y in points[mode]:
            parts.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{COLORS[mode]}"/>')
        ly = top + 16 * index + 10
        parts.append(
            f'<line x1="{width - right + 10}" y1="{ly}" x2="{width - right + 30}" y2="{ly}" '
            f'stroke="{COLORS[mode]}" stroke-width="2"/>'
        )
        parts.append(f'<text x="{width - right + 36}" y="{ly + 4}">{mode}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def markdown(
    rows: list[dict[str, object]], layers: dict[str, float] | None, run: float | None
) -> str:
    lines = [
        "# floe's load time",
        "",
        "Generated by `tools/bazel run //bench:load -- --write`; do not edit by hand.",
        "",
        "Seconds (and peak memory growth) to build the definitions, resolve every job and make",
        "the `RepositorySnap` a code server sends the webserver, each in a fresh process on the",
        "same machine in one run. The project is synthetic (`bench/synthetic_project.py`): one",
        "documented column and one test per model, 20 sources read by Python assets, one",
        "schedule. *floor* is the same graph as plain `AssetSpec`s in one `multi_asset`.",
        "",
        "| models | jobs | floe | dagster-dbt `@dbt_assets` | floor "
        "| floe / dagster-dbt | floe / floor |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        f, d, fl = row["floe"], row["dagster-dbt"], row["floor"]  # type: ignore[misc]
        lines.append(
            f"| {row['models']:,} | {row['jobs']} | {f['seconds']:.2f} s, {f['peak_mb']:.0f} MB "
            f"| {d['seconds']:.2f} s, {d['peak_mb']:.0f} MB | {fl['seconds']:.2f} s, "
            f"{fl['peak_mb']:.0f} MB | {f['seconds'] / d['seconds']:.2f} | "
            f"{f['seconds'] / fl['seconds']:.2f} |"
        )
    lines += ["", "![load time against model count, 2 jobs](load_time.svg)", ""]
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
            for mode in MODES:
                samples = [probe(mode, floe_yaml) for _ in range(options.rounds)]
                row[mode] = {
                    "seconds": statistics.median(s["seconds"] for s in samples),
                    "peak_mb": statistics.median(s["peak_mb"] for s in samples),
                }
                print(
                    f"  {mode:12s} {row[mode]['seconds']:7.2f} s  {row[mode]['peak_mb']:6.0f} MB",
                    flush=True,
                )  # type: ignore[index]
            rows.append(row)
    largest = prepare(options.cache, max(options.models), min(options.jobs))
    layers = {
        "models": max(options.models),
        "one": float(rows[-len(options.jobs)]["floe"]["seconds"]),  # type: ignore[index]
        "layers": probe("floe-layers", largest)["seconds"],
    }
    print(f"three layers: {layers['layers']:.2f} s against {layers['one']:.2f} s for one")
    run = single_asset_run(largest)
    print(f"one Python asset run in the {max(options.models)} model location: {run:.1f} s")
    for row in rows:
        f, d, fl = row["floe"], row["dagster-dbt"], row["floor"]  # type: ignore[misc]
        print(
            f"{row['models']:>6} models {row['jobs']:>2} jobs: floe/dagster-dbt "
            f"{f['seconds'] / d['seconds']:.2f}, floe/floor {f['seconds'] / fl['seconds']:.2f}, "
            f"memory floe/dagster-dbt {f['peak_mb'] / d['peak_mb']:.2f}"
        )
    if options.write:
        docs = Path(os.environ.get("BUILD_WORKSPACE_DIRECTORY", HERE.parent)) / "docs"
        (docs / "performance.md").write_text(markdown(rows, layers, run))
        (docs / "load_time.svg").write_text(svg_plot(rows))
        print(f"wrote {docs / 'performance.md'} and {docs / 'load_time.svg'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
