"""Benchmark: what ``orchestration.dbt.table_metadata`` costs a dbt step, measured in one run.

Run: tools/bazel run //bench:dbt_metadata [-- --models 1000 --rounds 1]

With ``table_metadata`` on (the default) floe asks the warehouse, after each dbt step, for every
table's row count and every model's columns (dagster-dbt's ``fetch_row_counts`` and
``fetch_column_metadata``). Two projects, each run in process from an empty warehouse with the
setting off and on, alternately:

- the demo: ``medallion_pipeline`` for one day (4 bronze assets, 6 dbt tables, 23 checks);
- a generated dbt project of ``--models`` table models (``floe init`` and ``floe parse``, as a
  user starts), ten layers, each model reading one or two of the layer before: ``all_models``.

Prints the median wall time of each run, the ratio on/off, and how many row counts and column
schemas the "on" runs carried; ``--write`` puts the table into docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import observability_bench
import report
from dagster import DagsterInstance

from floe_config import load_config
from floe_dagster import FloeDefinitions, build_definitions, cli_main

HERE = Path(__file__).absolute().parent
DEMO = HERE.parent / "demo" / "data_engineering" / "compiled_artifacts.json"
DAY = "2024-01-15"
LAYERS = 10
ROWS = 1000


def dbt_project(folder: Path, models: int) -> Path:
    """A dbt project of ``models`` table models in ``LAYERS`` layers, and floe.yaml from ``floe
    init``, parsed by ``floe parse`` (once per size). Returns floe.yaml."""
    floe_yaml = folder / "floe.yaml"
    if floe_yaml.is_file() and (folder / "target" / "manifest.json").is_file():
        return floe_yaml
    (folder / "models").mkdir(parents=True, exist_ok=True)
    (folder / "dbt_project.yml").write_text(
        "name: tables\nversion: '1.0.0'\nprofile: tables\nmodel-paths: ['models']\n"
        "models:\n  tables:\n    +materialized: table\n"
    )
    per_layer = max(1, models // LAYERS)
    for index in range(models):
        layer = min(index // per_layer, LAYERS - 1)
        if layer == 0:
            sql = f"select range as id, range % 7 as k, 'm{index}' as tag from range({ROWS})"
        else:
            first = (layer - 1) * per_layer + index % per_layer
            second = (layer - 1) * per_layer + (index * 7) % per_layer
            sql = (
                f"select a.id, a.k + b.k as k, a.tag from {{{{ ref('m_{first:05d}') }}}} as a "
                f"join {{{{ ref('m_{second:05d}') }}}} as b using (id)"
            )
        (folder / "models" / f"m_{index:05d}.sql").write_text(sql + "\n")
    if cli_main(["init", str(folder)]) != 0 or cli_main(["parse", str(floe_yaml)]) != 0:
        raise SystemExit(f"floe init or floe parse failed in {folder}")
    return floe_yaml


def _switched(floe_yaml: Path, on: bool) -> None:
    text = floe_yaml.read_text()
    for value in ("true", "false"):
        text = text.replace(
            f"    table_metadata: {value} ", f"    table_metadata: {str(on).lower()} "
        )
    floe_yaml.write_text(text)


def _counted(result: Any) -> tuple[int, int]:
    """(row counts, column schemas) the run's materializations carried."""
    rows = columns = 0
    for event in result.get_asset_materialization_events():
        metadata = event.step_materialization_data.materialization.metadata
        rows += "dagster/row_count" in metadata
        columns += "dagster/column_schema" in metadata
    return rows, columns


def _timed(run: Callable[[], Any]) -> tuple[float, tuple[int, int]]:
    started = time.perf_counter()
    result = run()
    elapsed = time.perf_counter() - started
    if not result.success:
        raise SystemExit("a run failed")
    return elapsed, _counted(result)


def run_demo(state: Path, on: bool) -> tuple[float, tuple[int, int]]:
    env = {
        **os.environ,
        **observability_bench.demo_environment(state, "off"),
        "FLOE_TABLE_METADATA": str(on).lower(),
    }
    (state / "dagster").mkdir(parents=True)
    (state / "dagster" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with _environment(env):
        job = FloeDefinitions.from_compiled_artifacts(DEMO, env=env).resolve_job_def(
            "medallion_pipeline"
        )
        with DagsterInstance.ephemeral() as instance:
            return _timed(lambda: job.execute_in_process(instance=instance, partition_key=DAY))


@contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """``env`` as the process's environment for the block: dbt reads the profile's values
    (the DuckDB path among them) from it, as in a step process."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_tables(floe_yaml: Path, state: Path, on: bool) -> tuple[float, tuple[int, int]]:
    _switched(floe_yaml, on)
    env = {
        "FLOE_STATE_DIR": str(state),
        "FLOE_DUCKDB_PATH": str(state / "warehouse.duckdb"),
        "FLOE_CATALOG_URI": f"sqlite:///{state}/catalog.db",
        "FLOE_WAREHOUSE": str(state / "warehouse"),
        "FLOE_TRACES_ENABLED": "false",
        "FLOE_LINEAGE_ENABLED": "false",
    }
    state.mkdir(parents=True)
    with _environment(env):
        config = load_config(floe_yaml, env=os.environ)
        manifest = floe_yaml.parent / "target" / "manifest.json"
        definitions = build_definitions(config, manifest_path=manifest, env=os.environ)
        job = definitions.resolve_job_def("all_models")
        with DagsterInstance.ephemeral() as instance:
            return _timed(lambda: job.execute_in_process(instance=instance))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "floe" / "bench")
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    options = parser.parse_args()
    warnings.simplefilter("ignore")
    floe_yaml = dbt_project(options.cache / f"dbt_tables_{options.models}", options.models)
    projects: dict[str, Callable[[Path, bool], tuple[float, tuple[int, int]]]] = {
        "the demo, medallion_pipeline for a day": run_demo,
        f"{options.models} dbt tables, all_models": lambda s, on: run_tables(floe_yaml, s, on),
    }
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="floe-dbt-metadata-") as scratch:
        for project, run in projects.items():
            times: dict[bool, list[float]] = {False: [], True: []}
            carried = (0, 0)
            for index in range(options.rounds):
                for on in (False, True) if index % 2 == 0 else (True, False):
                    elapsed, counted = run(
                        Path(scratch, f"{len(times[on])}-{on}-{project[:4]}"), on
                    )
                    times[on].append(elapsed)
                    carried = counted if on else carried
            off, on_ = statistics.median(times[False]), statistics.median(times[True])
            print(
                f"{project}: off {off:.1f} s, on {on_:.1f} s, ratio on/off {on_ / off:.2f} "
                f"({carried[0]} row counts, {carried[1]} column schemas)",
                flush=True,
            )
            rows.append(
                f"| {project} | {off:.1f} s | {on_:.1f} s | {on_ / off:.2f} | {carried[0]} "
                f"| {carried[1]} |"
            )
    if options.write:
        docs = report.docs_folder(HERE)
        report.write_section(docs / "performance.md", "dbt_metadata", markdown(rows, options))
        print(f"wrote {docs / 'performance.md'}")
    return 0


def markdown(rows: list[str], options: argparse.Namespace) -> str:
    lines = [
        "## Row counts and columns after a dbt step",
        "",
        f"Generated by `tools/bazel run //bench:dbt_metadata -- --write` ({options.rounds} "
        "round(s), medians).",
        "",
        "`orchestration.dbt.table_metadata` on (the default) against off, each run in process",
        "from an empty warehouse. On floe's own DuckDB file floe reads every model's columns in",
        "one query and every table's row count in a few, once dbt has exited.",
        "",
        "| project | off | on | ratio | row counts | column schemas |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
