"""One start-up measurement, in a fresh process (see startup_bench.py).

python startup_probe.py MODE ARTIFACT  ->  one JSON line {"import_s", "total_s", "peak_mb"}

MODE ``floe`` imports ``floe_dagster`` and builds the location from the compiled artifact;
``dagster-dbt`` imports ``dagster`` and ``dagster_dbt`` and builds plain ``@dbt_assets`` on the
same manifest. Both then resolve every job, as a code server does. The clock starts before the
first import; peak memory is the process's ``VmHWM`` at the end.

No ``from __future__ import annotations``: Dagster checks the ``context`` annotation.
"""

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    mode, artifact = sys.argv[1], Path(sys.argv[2])
    warnings.simplefilter("ignore")
    if mode == "floe":
        from floe_dagster import FloeDefinitions  # noqa: PLC0415  (the import floe defers to)

        imported = time.perf_counter()
        defs = FloeDefinitions.from_compiled_artifacts(artifact, env=dict(os.environ))
    else:
        import dagster as dg  # noqa: PLC0415
        import dagster_dbt  # noqa: PLC0415

        imported = time.perf_counter()
        relative = json.loads(artifact.read_text())["dbt_manifest"]["path"]
        manifest = Path(os.path.normpath(artifact.parent / relative))
        project = next(p for p in manifest.parents if (p / "dbt_project.yml").is_file())
        dbt = str(Path(sys.executable).parent / "dbt")
        translator = dagster_dbt.DagsterDbtTranslator(
            settings=dagster_dbt.DagsterDbtTranslatorSettings(enable_asset_checks=True)
        )

        @dagster_dbt.dbt_assets(manifest=manifest, dagster_dbt_translator=translator)
        def models(context: dg.AssetExecutionContext, dbt: dagster_dbt.DbtCliResource):  # type: ignore[no-untyped-def]
            yield from dbt.cli(["build"], context=context).stream()

        defs = dg.Definitions(
            assets=[models],
            resources={"dbt": dagster_dbt.DbtCliResource(project_dir=project, dbt_executable=dbt)},
        )
    defs.get_repository_def().get_all_jobs()
    total = time.perf_counter() - STARTED
    print(json.dumps({"import_s": imported - STARTED, "total_s": total, "peak_mb": peak_mb()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
