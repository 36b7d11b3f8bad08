"""A synthetic dbt project and floe.yaml of any size, for the load benchmark.

``write_project(root, models=10_000, jobs=2)`` writes a real dbt project (layered models, one
documented column and tests on it, 20 sources read by Python assets), a floe.yaml with ``jobs``
batch jobs and one schedule, a Python asset module, and a code-location module. Its ``shape``
is ``WIDE`` (10 layers, 1-3 parents from the layer before, one ``not_null`` test per model) or
``DEEP`` (25 layers, 2-5 parents from the two layers before, three tests per model).
``parse(root)`` runs ``dbt parse`` (offline) through floe-dbt and caches the manifest next to
the project: a project is generated and parsed once per size and shape.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

from floe_config import load_config
from floe_dbt import DbtRunner, load_manifest

SOURCES = 20
VERSION = "2"  # bump when the generated project changes, to invalidate caches


@dataclass(frozen=True)
class Shape:
    name: str
    layers: int
    parents: tuple[int, int]
    """How many parents a model of a later layer has (fewest, most)."""
    reach: int
    """How many layers back its parents come from."""
    tests: tuple[str, ...]
    """The tests on each model's documented column."""


WIDE = Shape("wide", layers=10, parents=(1, 3), reach=1, tests=("not_null",))
DEEP = Shape("deep", layers=25, parents=(2, 5), reach=2, tests=("not_null", "unique",
             "accepted_values"))  # fmt: skip
SHAPES = {shape.name: shape for shape in (WIDE, DEEP)}
LAYERS = WIDE.layers

DBT_PROJECT = """\
name: synth
version: "1.0.0"
config-version: 2
profile: synth
model-paths: ["models"]
flags:
  send_anonymous_usage_stats: false
models:
  synth:
    +materialized: view
"""
LAYER_CONFIG = """\
    layer_{layer}:
      +meta: {{dagster: {{group: layer_{layer}}}}}
"""

ASSETS = '''\
"""The Python side of the synthetic project: the assets its dbt sources read, and one more."""

from dagster import AssetSpec, asset

raw = [AssetSpec(f"raw_{i:02d}", group_name="raw") for i in range({sources})]


@asset(group_name="python")
def tiny() -> None:
    """One small Python asset: what a run of it costs in a big code location."""
'''

DEFINITIONS = '''\
"""The synthetic code location: everything comes from floe.yaml."""

from floe_dagster import FloeDefinitions

defs = FloeDefinitions.from_compiled_artifacts()
'''


def model_name(index: int) -> str:
    return f"m_{index:05d}"


def layer_of(index: int, models: int, shape: Shape = WIDE) -> int:
    return min(shape.layers - 1, index * shape.layers // models)


def parents(index: int, models: int, shape: Shape = WIDE) -> list[str]:
    """Deterministic dependencies: the first models read sources, the others some models of
    the layers just before theirs (``shape``)."""
    rng = random.Random(index)
    layer = layer_of(index, models, shape)
    if layer == 0:
        return [f"source:{index % SOURCES}"]
    first_of_layer = layer * models // shape.layers
    first_of_pool = max(0, layer - shape.reach) * models // shape.layers
    pool = range(first_of_pool, first_of_layer)
    count = min(len(pool), rng.randint(*shape.parents))
    return [model_name(i) for i in sorted(set(rng.sample(pool, k=count)))]


def job_selections(jobs: int, models: int) -> dict[str, list[str]]:
    """``jobs`` batch jobs of the kinds users write: upstream of a leaf, a group, downstream."""
    rng = random.Random(jobs)
    selections: dict[str, list[str]] = {"everything": ["*"]}
    for index in range(1, jobs):
        kind = index % 4
        leaf = model_name(rng.randrange(models - models // LAYERS, models))
        middle = model_name(rng.randrange(models // 2, models // 2 + models // LAYERS))
        if kind == 0:
            selections[f"job_{index:02d}"] = [f"+key:{leaf}"]
        elif kind == 1:
            selections[f"job_{index:02d}"] = [f"group:layer_{index % LAYERS}"]
        elif kind == 2:
            selections[f"job_{index:02d}"] = [f"key:{middle}+"]
        else:
            selections[f"job_{index:02d}"] = [f"+key:{leaf}", "group:python"]
    return dict(list(selections.items())[:jobs])


def floe_yaml_head(name: str) -> list[str]:
    """floe.yaml up to ``orchestration``'s dbt manifest: DuckDB, no traces or lineage."""
    return [
        f"name: {name}",
        "transforms:",
        "  dbt: {project_dir: dbt}",
        "storage:",
        "  compute: {type: duckdb, path: .floe/warehouse.duckdb}",
        "observability:",
        "  traces: {enabled: false}",
        "  lineage: {enabled: false}",
        "orchestration:",
        "  asset_modules: [.assets]",
        "  dbt: {manifest_path: dbt/target/manifest.json}",
    ]


def floe_yaml(jobs: int, models: int) -> str:
    lines = [*floe_yaml_head("synth"), "  jobs:"]
    for name, selection in job_selections(jobs, models).items():
        lines.append(f"    {name}: {{type: batch, selection: {json.dumps(selection)}}}")
    lines += [
        "  schedules:",
        "    nightly: {job: everything, cron_schedule: '0 2 * * *', enabled: false}",
    ]
    return "\n".join(lines) + "\n"


def _column_tests(shape: Shape) -> list[object]:
    tests: list[object] = []
    for test in shape.tests:
        if test == "accepted_values":
            tests.append({"accepted_values": {"arguments": {"values": [1, 2, 3]}}})
        else:
            tests.append(test)
    return tests


def _write_dbt(dbt: Path, models: int, shape: Shape) -> None:
    (dbt / "models").mkdir(parents=True, exist_ok=True)
    layers = "".join(LAYER_CONFIG.format(layer=layer) for layer in range(shape.layers))
    (dbt / "dbt_project.yml").write_text(DBT_PROJECT + layers)
    sources = {
        "version": 2,
        "sources": [
            {
                "name": "raw",
                "schema": "raw",
                "tables": [
                    {"name": f"t_{i:02d}", "meta": {"dagster": {"asset_key": [f"raw_{i:02d}"]}}}
                    for i in range(SOURCES)
                ],
            }
        ],
    }
    (dbt / "models" / "sources.yml").write_text(json.dumps(sources))
    by_layer: dict[int, list[dict[str, object]]] = {}
    for index in range(models):
        name = model_name(index)
        layer = layer_of(index, models, shape)
        folder = dbt / "models" / f"layer_{layer}"
        folder.mkdir(exist_ok=True)
        refs = [
            f"select * from {{{{ source('raw', 't_{int(p.split(':')[1]):02d}') }}}}"
            if p.startswith("source:")
            else f"select * from {{{{ ref('{p}') }}}}"
            for p in parents(index, models, shape)
        ]
        (folder / f"{name}.sql").write_text("\nunion all\n".join(refs) + "\n")
        by_layer.setdefault(layer, []).append(
            {
                "name": name,
                "description": f"Synthetic model {index} of layer {layer}.",
                "columns": [
                    {"name": "id", "description": "the key", "tests": _column_tests(shape)}
                ],
            }
        )
    for layer, entries in by_layer.items():
        schema = {"version": 2, "models": entries}
        (dbt / "models" / f"layer_{layer}" / "schema.yml").write_text(json.dumps(schema))


def write_project(root: Path, *, models: int, jobs: int, shape: Shape = WIDE) -> Path:
    """The project ``synth_<models>`` (``synth_deep_<models>`` for ``DEEP``) under ``root`` (a
    Python package); returns floe.yaml. The dbt part is written once per size and shape;
    floe.yaml follows ``jobs``."""
    package = root / (f"synth_{models}" if shape == WIDE else f"synth_{shape.name}_{models}")
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "assets.py").write_text(ASSETS.replace("{sources}", str(SOURCES)))
    (package / "definitions.py").write_text(DEFINITIONS)
    stamp = package / "dbt" / ".generated"
    if not stamp.is_file() or stamp.read_text() != VERSION:
        _write_dbt(package / "dbt", models, shape)
        stamp.write_text(VERSION)
    (package / "floe.yaml").write_text(floe_yaml(jobs, models))
    return package / "floe.yaml"


def parse(floe_yaml_path: Path) -> Path:
    """``dbt parse`` of the project (once: cached by a digest of its files); the manifest."""
    dbt = floe_yaml_path.parent / "dbt"
    digest = hashlib.sha256(VERSION.encode())
    for path in sorted((dbt / "models").rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    manifest = dbt / "target" / "manifest.json"
    saved = manifest.with_name("partial_parse.msgpack")  # what dbt steps start from
    stamp = dbt / "target" / ".digest"
    fresh = stamp.is_file() and stamp.read_text() == digest.hexdigest()
    if manifest.is_file() and saved.is_file() and fresh:
        return manifest
    config = load_config(floe_yaml_path, env={})
    runner = DbtRunner(
        project_dir=dbt, state_dir=floe_yaml_path.parent / ".floe" / "dbt", config=config
    )
    parsed = runner.parse()
    manifest.parent.mkdir(parents=True, exist_ok=True)
    saved.write_bytes(parsed.with_name(saved.name).read_bytes())
    manifest.write_bytes(parsed.read_bytes())
    load_manifest(manifest)
    stamp.write_text(digest.hexdigest())
    return manifest
