"""A run's process builds only its run, and exactly what the code server would (issue 21).

For every job, and for single assets through Dagster's own asset job, the definitions a run
worker builds from the code server's run plan resolve to the same job as the code server's:
the same assets, parents, partitions, checks, metadata, ops and dbt selections
(``run_parity.py``). The real processes (a daemon's run worker, the multiprocess executor's
steps) are the demo's and the component's run tests; ``test_dagster_internals`` shows how a
process finds its run.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetKey, Definitions
from manifests import dbt_test, manifest, model, source
from projects import write_project
from run_parity import Location, Served

from floe_config import FloeConfig, compile_artifacts, load_config, write_artifacts

ORDERS_RAW = """

@asset(group_name="lake")
def orders_raw() -> None:
    \"\"\"What the dbt source raw.orders reads.\"\"\"
"""
ASSETS = (
    "from dagster import AssetCheckResult, AssetKey, asset, asset_check\n"
    + ORDERS_RAW
    + """

@asset(deps=[AssetKey("totals")], group_name="reports")
def report() -> None: ...


@asset_check(asset=AssetKey("stg_orders"))
def stg_orders_fresh() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


@asset(group_name="python")
def tiny() -> None: ...
"""
)

FLOE_YAML = """\
name: shop
transforms:
  dbt: {project_dir: dbt}
storage:
  compute: {path: warehouse.duckdb}
observability:
  traces: {enabled: true}
  lineage: {enabled: true}
orchestration:
  asset_modules: [.assets]
  dbt: {manifest_path: manifest.json}
  partitions:
    daily: {type: time_window, start: "2024-01-01", cron_schedule: "0 0 * * *"}
  assets:
    "daily_*": {partitions: daily}
  jobs:
    marts: {type: batch, selection: ["+totals"]}
    reports: {type: batch, selection: [report, tiny]}
    daily: {type: batch, selection: [daily_sales]}
"""


def _shop(root: Path, assets: str = ASSETS, package: str = "run_shop") -> tuple[FloeConfig, Path]:
    floe_yaml = write_project(root, package, floe_yaml=FLOE_YAML, assets=assets)
    folder = floe_yaml.parent
    ephemeral = model("orders_clean", ["source.shop.raw.orders"])
    ephemeral["config"] = {**ephemeral["config"], "materialized": "ephemeral"}
    enriched = model("items_enriched", ["model.shop.stg_items"])
    enriched["config"] = {**enriched["config"], "materialized": "ephemeral"}
    relationship = dbt_test("relationships_totals_items", "model.shop.totals", "id")
    relationship["depends_on"] = {"nodes": ["model.shop.totals", "model.shop.stg_items"]}
    content = manifest(
        [
            ephemeral,
            model("stg_orders", ["model.shop.orders_clean"]),
            model("stg_items", ["source.shop.raw.orders"]),
            model("totals", ["model.shop.stg_orders", "model.shop.stg_items"], folder="marts"),
            model("daily_sales", ["model.shop.stg_orders"], folder="marts"),
            enriched,
            model("item_totals", ["model.shop.items_enriched"], folder="marts"),
        ],
        [source("raw", "orders", {"dagster": {"asset_key": ["orders_raw"]}})],
        [
            dbt_test("not_null_stg_orders_id", "model.shop.stg_orders", "id"),
            dbt_test("not_null_totals_id", "model.shop.totals", "id"),
            relationship,
        ],
    )
    return load_config(floe_yaml, env={}), _manifest_project(folder, content)


def _manifest_project(folder: Path, content: dict[str, object]) -> Path:
    """A dbt project folder beside floe.yaml, parsed ahead of time into ``manifest.json``."""

    (folder / "manifest.json").write_text(json.dumps(content))
    (folder / "dbt").mkdir()
    (folder / "dbt" / "dbt_project.yml").write_text("name: shop\nprofile: shop\n")
    return folder / "manifest.json"


def test_every_job_and_asset_of_a_mixed_location(tmp_path: Path) -> None:
    config, manifest_path = _shop(tmp_path)
    env = {"FLOE_STATE_DIR": str(tmp_path / "state")}
    served = Location(config, manifest_path, env).serve()
    runs = 0
    for job in ["marts", "reports", "daily"]:
        runs += served.assert_same_run(job)
    served.assert_same_run("marts", [AssetKey("totals")])
    every = ["orders_raw", "report", "tiny", "stg_orders", "stg_items", "totals", "daily_sales"]
    every.append("item_totals")  # its parent stg_items through an ephemeral model
    for name in every:
        served.assert_same_run("__ASSET_JOB", [AssetKey(name)])
    assert runs == 4 + 2 + 1


def _layered(models: int) -> dict[str, object]:
    """``models`` models in ten layers, each reading one to three of the layer before, with a
    test each (the shape of bench/synthetic_project.py)."""
    rng = random.Random(7)
    nodes, tests = [], []
    per_layer = models // 10
    for index in range(models):
        layer = index // per_layer
        if layer == 0:
            parents = ["source.shop.raw.orders"]
        else:
            start = (layer - 1) * per_layer
            parents = [
                f"model.shop.m_{i:05d}"
                for i in sorted(
                    set(rng.sample(range(start, start + per_layer), k=rng.randint(1, 3)))
                )
            ]
        nodes.append(model(f"m_{index:05d}", parents, folder=f"layer_{layer}"))
        tests.append(dbt_test(f"not_null_m_{index:05d}_id", f"model.shop.m_{index:05d}", "id"))
    return manifest(nodes, [source("raw", "orders")], tests)


THOUSAND_YAML = """\
name: shop
transforms:
  dbt: {project_dir: dbt}
storage:
  compute: {path: warehouse.duckdb}
orchestration:
  asset_modules: [.assets]
  dbt: {manifest_path: manifest.json}
  jobs:
    everything: {type: batch, selection: ["*"]}
    upstream_of_a_leaf: {type: batch, selection: ["+key:m_00999"]}
    downstream_of_one: {type: batch, selection: ["key:m_00500+"]}
    python_and_a_leaf: {type: batch, selection: ["+key:m_00950", tiny]}
"""


@pytest.mark.parametrize("seed", [1])
def test_every_job_of_a_thousand_models(tmp_path: Path, seed: int) -> None:
    floe_yaml = write_project(
        tmp_path, "run_thousand", floe_yaml=THOUSAND_YAML, assets=ASSETS.split("@asset_check", maxsplit=1)[0]
        + '\n@asset(group_name="python")\ndef tiny() -> None: ...\n'
    )  # fmt: skip
    manifest_path = _manifest_project(floe_yaml.parent, _layered(1000))
    config = load_config(floe_yaml, env={})
    env = {"FLOE_STATE_DIR": str(tmp_path / "state")}
    served = Location(config, manifest_path, env).serve()
    for job in ["everything", "upstream_of_a_leaf", "downstream_of_one", "python_and_a_leaf"]:
        served.assert_same_run(job)
    rng = random.Random(seed)
    for index in rng.sample(range(1000), 12):
        key = AssetKey(f"m_{index:05d}")
        served.assert_same_run("__ASSET_JOB", [key])
        served.assert_same_run("everything", [key])
    # what it costs: a run of one model builds that model, its parents and one other node
    one = served.run("__ASSET_JOB", [AssetKey("m_00500")])
    graph = one.get_repository_def().asset_graph
    dbt_keys = {k for k in graph.executable_asset_keys if k.path[0].startswith("m_")}
    assert AssetKey("m_00500") in dbt_keys
    assert len(dbt_keys) <= 5, sorted(k.to_user_string() for k in dbt_keys)


def test_a_plan_of_another_location_or_changed_or_gone_is_not_used(tmp_path: Path) -> None:
    """The fallback is the whole location, never a wrong plan."""
    from floe_dagster._runs.plan import KEEP, RunPlan, pointer, read_plan, write_plan  # noqa: PLC0415

    plan = RunPlan("here", None, None, {}, {}, {"marts": ('["totals"]',)})
    path, sha = write_plan(tmp_path, plan)
    assert read_plan(pointer(path, sha), "here") == plan
    assert read_plan(pointer(path, sha), "elsewhere") is None  # another location's
    assert read_plan(pointer(tmp_path / "gone.json", sha), "here") is None
    assert read_plan("not json", "here") is None
    path.write_bytes(path.read_bytes().replace(b"totals", b"tatols"))
    assert read_plan(pointer(path, sha), "here") is None  # changed since it was named
    for index in range(KEEP["plan-*.json"] + 5):
        write_plan(tmp_path, RunPlan(f"l{index}", None, None, {}, {}, {}))
    assert len(list(tmp_path.glob("plan-*.json"))) == KEEP["plan-*.json"]


SITECUSTOMIZE = """\
import logging, os
handler = logging.FileHandler(os.environ["FLOE_TEST_LOG"])
handler.setFormatter(logging.Formatter("%(process)d %(message)s"))
logger = logging.getLogger("floe")
logger.addHandler(handler)
logger.setLevel(logging.DEBUG)
"""


def test_a_real_step_process_builds_only_its_run(tmp_path: Path) -> None:
    """``dagster asset materialize`` of one Python asset in a 1,000-model location: the
    launcher builds the location (and records the plan); the step process builds no dbt
    asset at all."""

    floe_yaml = write_project(
        tmp_path, "run_cli", floe_yaml=THOUSAND_YAML,
        assets='from dagster import asset\n\n\n@asset\ndef tiny() -> None: ...\n',
        definitions="from floe_dagster import FloeDefinitions\n\n"
        "defs = FloeDefinitions.from_compiled_artifacts()\n",
    )  # fmt: skip
    folder = floe_yaml.parent
    _manifest_project(folder, _layered(1000))
    artifact = folder / "compiled_artifacts.json"
    write_artifacts(compile_artifacts(floe_yaml, output=artifact), artifact)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(SITECUSTOMIZE)
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    log = tmp_path / "floe.log"
    paths = [str(tmp_path / "site"), str(tmp_path), *(p for p in sys.path if p)]
    env = {k: v for k, v in os.environ.items() if k != "FLOE_RUN_PLAN"}
    env.update(
        PYTHONPATH=os.pathsep.join(paths),
        FLOE_TEST_LOG=str(log),
        DAGSTER_HOME=str(tmp_path / "home"),
        FLOE_STATE_DIR=str(tmp_path / "state"),
    )
    command = [sys.executable, "-m", "dagster", "asset", "materialize", "--select", "tiny"]
    done = subprocess.run(
        [*command, "-m", "run_cli.definitions"], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "RUN_SUCCESS" in done.stdout + done.stderr
    said = log.read_text()
    assert "the run of __ASSET_JOB builds 0 of the location's 1000 dbt assets" in said, said


def _in_a_dg_project(
    root: Path, jobs: str, rest: Definitions, assets: str = ASSETS, package: str = "run_shop"
) -> Served:
    """The mixed project with ``jobs`` added to floe.yaml, served as a code server serves it
    beside ``rest`` (what the rest of a dg project defines)."""
    from floe_dagster._assets import Elsewhere  # noqa: PLC0415

    config, manifest_path = _shop(root, assets, package)
    text = config.source.file.read_text().replace(
        "    daily: {type: batch, selection: [daily_sales]}",
        "    daily: {type: batch, selection: [daily_sales]}\n" + jobs,
    )
    config.source.file.write_text(text)
    config = load_config(config.source.file, env={})
    env = {"FLOE_STATE_DIR": str(root / "state")}
    return Location(config, manifest_path, env, Elsewhere((rest,))).serve()


def test_a_job_that_selects_an_asset_of_the_rest_of_a_dg_project(tmp_path: Path) -> None:
    """In a dg project a floe job can select a plain ``@dg.asset`` of another component: the
    run's process keeps it in the job (Dagster merges it with floe's)."""
    from dagster import asset  # noqa: PLC0415

    @asset(deps=[AssetKey("totals")], group_name="reports")
    def summary() -> None: ...

    jobs = '    summary_job: {type: batch, selection: ["+summary"]}\n'
    jobs += "    only_outside: {type: batch, selection: [summary]}"
    served = _in_a_dg_project(tmp_path, jobs, Definitions(assets=[summary]))
    runs = served.assert_same_run("summary_job")
    assert runs == 5  # summary, totals, stg_orders, stg_items and orders_raw (the source)
    assert served.assert_same_run("only_outside") == 1


def test_a_job_of_the_python_asset_that_feeds_dbt_from_the_rest_of_a_dg_project(
    tmp_path: Path,
) -> None:
    """The Python asset a dbt source reads lives in the rest of the dg project (a plain
    ``defs/*.py``): floe's definitions alone know it only as the source, not executable, so a
    floe job that runs it loads only as the location Dagster loads (floe's and the rest)."""
    from dagster import asset  # noqa: PLC0415

    @asset(group_name="lake")
    def orders_raw() -> None: ...

    jobs = "    raw_and_staging: {type: batch, selection: [orders_raw, stg_orders]}"
    rest = Definitions(assets=[orders_raw])
    served = _in_a_dg_project(tmp_path, jobs, rest, ASSETS.replace(ORDERS_RAW, ""), "run_shop_fed")
    assert served.assert_same_run("raw_and_staging") == 2


def test_a_run_process_that_loads_the_location_again_builds_it_once(tmp_path: Path) -> None:
    """``dagster asset materialize`` loads the location three times in its launcher, and a dg
    project's ``@definitions`` function runs at every load: without a plan that covers the
    load, a run's process builds the whole location once and gives it again, also when its
    first load was an initialization; a code server (whose files change between loads) always
    builds."""
    from floe_dagster import build_definitions  # noqa: PLC0415
    from floe_dagster._dagster_internals import (  # noqa: PLC0415
        initialization_load,
        reconstruction_load,
    )
    from floe_dagster._runs.plan import PLAN_ENV  # noqa: PLC0415

    config, manifest_path = _shop(tmp_path, package="run_shop_again")
    env = {"FLOE_STATE_DIR": str(tmp_path / "state")}
    with reconstruction_load({}):
        first = build_definitions(config, manifest_path=manifest_path, env=env)
        assert build_definitions(config, manifest_path=manifest_path, env=env) is first
        other = {**env, "SHOP_REGION": "eu"}
        assert build_definitions(config, manifest_path=manifest_path, env=other) is not first
    with initialization_load():
        served = build_definitions(config, manifest_path=manifest_path, env=env)
        newest = build_definitions(config, manifest_path=manifest_path, env=env)
        assert newest is not served
    with reconstruction_load({}):  # the launcher: its first load initializes, the others do not
        assert build_definitions(config, manifest_path=manifest_path, env=env) is newest
        planned = {**env, PLAN_ENV: "the pointer the first build set for its steps"}
        assert build_definitions(config, manifest_path=manifest_path, env=planned) is newest
