"""One measurement of the load benchmark, in a fresh process (see load_bench.py).

python load_probe.py MODE FLOE_YAML  ->  one JSON line {"seconds": ..., "peak_mb": ...}

MODE is ``floe`` (FloeDefinitions from the compiled artifact), ``floe-layers`` (floe with the
dbt nodes in three multi-assets, three layers of the DAG), ``dagster-dbt`` (plain
``@dbt_assets`` with the same Python assets, jobs and schedule) or ``floor`` (the same graph as
plain AssetSpecs and check specs in one ``multi_asset``). Imports happen first; the time and
memory measured are those of building the definitions, resolving every job, and
``RepositorySnap.from_def``: what a code server does before it can serve the webserver.

No ``from __future__ import annotations``: Dagster checks the ``context`` annotation.
"""

import gc
import importlib
import json
import os
import resource
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import dagster as dg
import dagster_dbt
from dagster import AssetExecutionContext
from dagster._core.remote_representation.external_data import RepositorySnap

import floe_dagster
from floe_config import load_config, read_artifacts, resolve
from floe_dagster import FloeDefinitions


def _jobs_and_schedule(floe_yaml: Path) -> tuple[list[Any], list[Any]]:
    config = load_config(floe_yaml, env={})
    jobs = []
    for name, job in config.orchestration.jobs.items():
        selection = dg.AssetSelection.from_string(" or ".join(job.selection))  # type: ignore[union-attr]
        jobs.append(dg.define_asset_job(name, selection=selection))
    schedule = dg.ScheduleDefinition(name="nightly", job=jobs[0], cron_schedule="0 2 * * *")
    return jobs, [schedule]


def _python_assets(floe_yaml: Path) -> list[Any]:
    sys.path.insert(0, str(floe_yaml.parent.parent))
    module = importlib.import_module(f"{floe_yaml.parent.name}.assets")
    return [*module.raw, module.tiny]


def plain_dagster_dbt(floe_yaml: Path) -> dg.Definitions:
    manifest = floe_yaml.parent / "dbt" / "target" / "manifest.json"
    translator = dagster_dbt.DagsterDbtTranslator(
        settings=dagster_dbt.DagsterDbtTranslatorSettings(enable_asset_checks=True)
    )

    @dagster_dbt.dbt_assets(manifest=manifest, dagster_dbt_translator=translator)
    def models(context: AssetExecutionContext, dbt: dagster_dbt.DbtCliResource):  # type: ignore[no-untyped-def]
        yield from dbt.cli(["build"], context=context).stream()

    jobs, schedules = _jobs_and_schedule(floe_yaml)
    return dg.Definitions(
        assets=[*_python_assets(floe_yaml), models],
        jobs=jobs,
        schedules=schedules,
        resources={
            "dbt": dagster_dbt.DbtCliResource(
                project_dir=str(manifest.parent.parent),
                dbt_executable=str(Path(sys.executable).parent / "dbt"),
            )
        },
    )


def floor(floe_yaml: Path) -> dg.Definitions:
    manifest = json.loads((floe_yaml.parent / "dbt" / "target" / "manifest.json").read_text())
    nodes = manifest["nodes"]
    keys = {
        uid: dg.AssetKey(source["meta"]["dagster"]["asset_key"])
        for uid, source in manifest["sources"].items()
    }
    keys.update(
        {uid: dg.AssetKey(n["name"]) for uid, n in nodes.items() if n["resource_type"] == "model"}
    )
    specs = [
        dg.AssetSpec(
            keys[uid],
            deps=[keys[p] for p in n["depends_on"]["nodes"]],
            group_name=n["config"]["meta"]["dagster"]["group"],
            description=n["description"],
            skippable=True,
        )
        for uid, n in nodes.items()
        if n["resource_type"] == "model"
    ]
    checks = [
        dg.AssetCheckSpec(n["name"], asset=keys[n["attached_node"]])
        for n in nodes.values()
        if n["resource_type"] == "test"
    ]

    @dg.multi_asset(specs=specs, check_specs=checks, can_subset=True)
    def models():  # type: ignore[no-untyped-def]
        return None

    jobs, schedules = _jobs_and_schedule(floe_yaml)
    return dg.Definitions(
        assets=[*_python_assets(floe_yaml), models], jobs=jobs, schedules=schedules
    )


def build(mode: str, floe_yaml: Path) -> dg.Definitions:
    if mode == "floe":
        return FloeDefinitions.from_compiled_artifacts(floe_yaml.parent / "compiled_artifacts.json")
    if mode == "floe-layers":  # three groups of layers: layer_0-3, layer_4-6, layer_7-9
        artifacts = read_artifacts(floe_yaml.parent / "compiled_artifacts.json")
        return floe_dagster.build_definitions(
            resolve(artifacts, env=os.environ),
            manifest_path=artifacts.manifest_file,
            dbt_group_of=lambda props: int(props["fqn"][1].removeprefix("layer_")) * 3 // 10,
        )
    if mode == "dagster-dbt":
        return plain_dagster_dbt(floe_yaml)
    return floor(floe_yaml)


def main() -> int:
    mode, floe_yaml = sys.argv[1], Path(sys.argv[2]).absolute()
    warnings.simplefilter("ignore")
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    definitions = build(mode, floe_yaml)
    repository = definitions.get_repository_def()
    jobs = repository.get_all_jobs()
    RepositorySnap.from_def(repository)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(json.dumps({"seconds": seconds, "peak_mb": peak / 1024, "jobs": len(jobs)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
