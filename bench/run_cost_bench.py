"""Benchmark: what a run costs, process by process, as the location grows (issue 21).

Run: tools/bazel run //bench:run_cost [-- --models 100 1000 10000 --write]

For each size it generates the synthetic dbt project (``synthetic_project.py``, parsed once
and cached) and three locations over it (``run_cost_project.py``): floe, plain dagster-dbt
``@dbt_assets`` (the anchor) and the same graph as plain ``AssetSpec``s (the floor). In one
run, each from an empty Dagster instance and warehouse, it times:

- ``one asset``: ``dagster asset materialize --select tiny`` (the launcher loads the location
  and runs the step in a process of its own);
- ``five steps``: ``dagster job execute -j five_steps`` through the multiprocess executor
  (raw_00 -> the dbt model m_00000 -> report_a -> report_b, and tiny: five step processes).

Every Python process records its wall time and peak memory (``VmHWM``) when it exits
(``process_probe/sitecustomize.py``). The table gives the end-to-end seconds, the launcher's
seconds and memory, and the step processes' mean seconds and largest memory; then the growth
from the smallest to the largest size against the floor's (the target: floe's growth at most
1.2x the floor's) and the step processes' growth (the target: at most 1 s). ``--write``
records it in its section of docs/performance.md, with the plot docs/run_cost.svg.
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
import run_cost_project
import synthetic_project

from floe_config import compile_artifacts, write_artifacts

HERE = Path(__file__).absolute().parent
MODES = {
    "floe": "rc_floe",
    "floe-component": run_cost_project.COMPONENT,
    "dagster-dbt": "rc_dagster_dbt",
    "floor": "rc_floor",
}
COMMANDS = {
    "one asset": ["asset", "materialize", "--select", "tiny"],
    "five steps": ["job", "execute", "-j", "five_steps"],
}


def prepare(cache: Path, models: int) -> Path:
    floe_yaml = synthetic_project.write_project(cache, models=models, jobs=2)
    started = time.perf_counter()
    synthetic_project.parse(floe_yaml)
    if time.perf_counter() - started > 1:
        print(f"  dbt parse of {models} models (cached from now on)", flush=True)
    artifact = floe_yaml.parent / "compiled_artifacts.json"
    write_artifacts(compile_artifacts(floe_yaml, output=artifact), artifact)
    package = run_cost_project.write_locations(floe_yaml)
    with tempfile.TemporaryDirectory(prefix="floe-run-cost-") as scratch:
        run_cost_project.refresh_component(package, _environment(package, Path(scratch)))
    return package


def _environment(package: Path, scratch: Path) -> dict[str, str]:
    """A run's environment: the locations importable, an empty Dagster home and state, and the
    fixed warehouse (emptied first)."""
    home = scratch / "home"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    component = package / run_cost_project.COMPONENT / "src"
    paths = [str(HERE / "process_probe"), str(package.parent), str(component)]
    env = {k: v for k, v in os.environ.items() if k != "FLOE_RUN_PLAN"}
    warehouse = package / run_cost_project.WAREHOUSE  # fixed: the saved parses name it
    for stale in package.glob(f"{warehouse.name}*"):
        stale.unlink()
    env.update(
        PYTHONPATH=os.pathsep.join([*paths, *(p for p in sys.path if p)]),
        DAGSTER_HOME=str(home),
        FLOE_STATE_DIR=str(scratch / "state"),
        RC_WAREHOUSE=str(warehouse),
    )
    return env


def module(package: Path, mode: str) -> str:
    if mode == "floe-component":
        return f"{run_cost_project.COMPONENT_MODULE}.definitions"
    return f"{package.name}.{MODES[mode]}"


def measure(package: Path, mode: str, command: str) -> dict[str, float]:
    """One run of ``command`` on ``mode``'s location, from an empty instance and warehouse."""
    with tempfile.TemporaryDirectory(prefix="floe-run-cost-") as scratch:
        log = Path(scratch, "processes.jsonl")
        env = _environment(package, Path(scratch))
        env["FLOE_BENCH_PROCESS_LOG"] = str(log)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "dagster", *COMMANDS[command], "-m", module(package, mode)],
            capture_output=True, text=True, env=env, cwd=scratch, check=False,
        )  # fmt: skip
        wall = time.perf_counter() - started
        output = done.stdout + done.stderr
        if done.returncode != 0 or ("RUN_SUCCESS" not in output and "SUCCESS" not in output):
            raise SystemExit(f"{mode} {command} failed:\n{output[-4000:]}")
        records = [json.loads(line) for line in log.read_text().splitlines()]
    launcher = [r for r in records if r["role"] == "main" and "dagster" in " ".join(r["argv"])]
    steps = [r for r in records if r["role"] == "child"]
    return {
        "wall": wall,
        "launcher_s": max(r["seconds"] for r in launcher),
        "launcher_mb": max(r["hwm_mb"] for r in launcher),
        "step_s": statistics.mean(r["seconds"] for r in steps),
        "step_max_s": max(r["seconds"] for r in steps),
        "step_mb": max(r["hwm_mb"] for r in steps),
        "steps": len(steps),
    }


def markdown(rows: list[dict[str, object]], sizes: list[int]) -> str:
    lines = [
        "## What a run costs",
        "",
        "Generated by `tools/bazel run //bench:run_cost -- --write`.",
        "",
        "Each run from an empty Dagster instance and warehouse, in one run of the benchmark, on",
        "the synthetic project of `bench/synthetic_project.py`. *launcher*: the `dagster` command",
        "(it loads the location and runs the job); *steps*: the step processes (mean seconds,",
        "largest peak memory). *floor*: the same graph as plain `AssetSpec`s, no dbt.",
        "",
        "| models | command | location | end to end | launcher | steps | step memory |",
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['models']:,} | {row['command']} | {row['mode']} | {row['wall']:.1f} s "
            f"| {row['launcher_s']:.1f} s, {row['launcher_mb']:.0f} MB | {row['step_s']:.1f} s "
            f"({row['steps']}) | {row['step_mb']:.0f} MB |"
        )
    lines += [
        "",
        *growth(rows, sizes),
        "",
        "![seconds end to end against model count](run_cost.svg)",
    ]
    return "\n".join(lines)


def plot_runs(rows: list[dict[str, object]], path: Path) -> None:
    """End-to-end seconds against model count, one panel per command, one line per mode."""
    panels = []
    for command in COMMANDS:
        lines = {}
        for mode in MODES:
            points = [
                (int(r["models"]), float(r["wall"]))  # type: ignore[call-overload, arg-type]
                for r in rows
                if r["command"] == command and r["mode"] == mode
            ]
            if points:
                lines[mode] = sorted(points)
        panels.append((command, lines))
    report.plot(path, panels, xlabel="dbt models", ylabel="seconds, end to end", log_x=True)


def growth(rows: list[dict[str, object]], sizes: list[int]) -> list[str]:
    """Growth from the smallest to the largest size, floe against the floor and the anchor."""
    low, high = min(sizes), max(sizes)

    def at(models: int, command: str, mode: str) -> dict[str, float]:
        return next(
            r
            for r in rows
            if r["models"] == models and r["command"] == command and r["mode"] == mode
        )  # type: ignore[return-value]

    lines = [
        f"| command | location | end to end {low:,} -> {high:,} | growth | plain ratio "
        "| step growth | growth / floor's |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for command in COMMANDS:
        floor = at(high, command, "floor")["wall"] - at(low, command, "floor")["wall"]
        for mode in MODES:
            a, b = at(low, command, mode), at(high, command, mode)
            grown = b["wall"] - a["wall"]
            lines.append(
                f"| {command} | {mode} | {a['wall']:.1f} s -> {b['wall']:.1f} s | "
                f"{grown:+.1f} s | {b['wall'] / a['wall']:.2f}x | "
                f"{b['step_s'] - a['step_s']:+.2f} s | {grown / floor if floor > 0 else 0:.2f} |"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "floe" / "bench")
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    options = parser.parse_args()
    rows: list[dict[str, object]] = []
    for models in options.models:
        print(f"{models} models", flush=True)
        package = prepare(options.cache, models)
        for command in COMMANDS:
            for mode in options.modes:
                row = {"models": models, "command": command, "mode": mode}
                row.update(measure(package, mode, command))
                rows.append(row)
                print(
                    f"  {command:10s} {mode:12s} {row['wall']:6.1f} s  launcher "
                    f"{row['launcher_s']:5.1f} s {row['launcher_mb']:5.0f} MB  steps "
                    f"{row['step_s']:5.2f} s ({row['steps']}) {row['step_mb']:5.0f} MB",
                    flush=True,
                )
    if len(options.models) > 1 and "floor" in options.modes:
        print("\n".join(growth(rows, options.models)))
    if options.write:
        docs = report.docs_folder(HERE)
        report.write_section(docs / "performance.md", "run_cost", markdown(rows, options.models))
        plot_runs(rows, docs / "run_cost.svg")
        print(f"wrote {docs / 'performance.md'} and {docs / 'run_cost.svg'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
