"""floe's faster dbt spec builder cannot drift from dagster-dbt's own (STYLE 28).

For the same translator, floe's specs and checks equal what ``dagster_dbt.build_dbt_asset_specs``
and ``@dbt_assets`` build (keys, deps and their mappings, groups, descriptions, owners, tags,
kinds, code versions, and the metadata execution reads), on the demo's manifest, on a
jaffle-shaped project and on a project with custom schemas and explicit keys, in both key modes.
With ``asset_keys: dagster_dbt`` every key is exactly the one dagster-dbt's *default*
translator gives, so a project moving from dagster-dbt keeps its assets' history.

floe's own asset graph (its quick path skips Dagster's normalization when nothing needs it) is
the one ``AssetGraph.from_assets`` builds on the same assets.

The known differences are deliberate: dagster-dbt puts the manifest and the translator on every
spec, floe on each multi-asset's first (where dagster-dbt's runtime reads them), and floe
carries no ``dagster_dbt/project_id`` (docs/DECISIONS.md).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from dagster import AssetCheckSpec, AssetKey, AssetSpec
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    build_dbt_asset_specs,
    dbt_assets,
)
from projects import write_dbt_project, write_keyed_dbt_project

from floe_config import FloeConfig, load_config
from floe_dagster import FloeDbtTranslator
from floe_dagster._dagster_internals import (
    DAGSTER_DBT_MANIFEST_METADATA_KEY,
    DAGSTER_DBT_TRANSLATOR_METADATA_KEY,
    DAGSTER_DBT_UNIQUE_ID_METADATA_KEY,
    AssetGraph,
    asset_graph,
)
from floe_dagster._dbt.specs import build_dbt_specs
from floe_dbt import DbtManifest, DbtRunner, load_manifest

DEMO_MANIFEST = Path("demo/data_engineering/dbt/manifest.json")
RUNTIME_KEYS = {DAGSTER_DBT_MANIFEST_METADATA_KEY, DAGSTER_DBT_TRANSLATOR_METADATA_KEY}
"""Metadata floe puts on a multi-asset's first spec only (where dagster-dbt's runtime reads it)."""
MODES = ["name", "dagster_dbt"]


def _config(folder: Path, mode: str) -> FloeConfig:
    (folder / f"floe_{mode}.yaml").write_text(
        textwrap.dedent(
            f"""\
            name: parity
            transforms:
              dbt: {{project_dir: dbt}}
            orchestration:
              dbt: {{manifest_path: dbt/target/manifest.json, asset_keys: {mode}}}
            """
        )
    )
    return load_config(folder / f"floe_{mode}.yaml", env={})


def _parsed(folder: Path) -> Path:
    config = _config(folder, "name")
    return DbtRunner(project_dir=folder / "dbt", state_dir=folder / "state", config=config).parse()


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, DbtManifest]]:
    """Project name -> (the folder holding its floe.yaml and dbt/, its manifest)."""
    jaffle = tmp_path_factory.mktemp("jaffle")
    write_dbt_project(jaffle / "dbt", "jaffle_shop")
    keyed = tmp_path_factory.mktemp("keyed")
    (keyed / "dbt").mkdir()
    write_keyed_dbt_project(keyed / "dbt")
    demo = tmp_path_factory.mktemp("demo")
    return {
        "demo": (demo, load_manifest(DEMO_MANIFEST)),
        "jaffle": (jaffle, load_manifest(_parsed(jaffle))),
        "keyed": (keyed, load_manifest(_parsed(keyed))),
    }


def _translator(manifest: DbtManifest, folder: Path, mode: str) -> FloeDbtTranslator:
    return FloeDbtTranslator(manifest=manifest, config=_config(folder, mode))


def _asset(spec: AssetSpec) -> dict[str, Any]:
    metadata = {k: v for k, v in spec.metadata.items() if k not in RUNTIME_KEYS}
    metadata.pop("dagster_dbt/project_id", None)
    return {
        "deps": sorted(
            (d.asset_key.to_user_string(), type(d.partition_mapping).__name__) for d in spec.deps
        ),
        "group": spec.group_name,
        "description": spec.description,
        "owners": sorted(spec.owners),
        "tags": dict(spec.tags),
        "kinds": sorted(spec.kinds),
        "code_version": spec.code_version,
        "partitions": spec.partitions_def,
        "automation": spec.automation_condition,
        "metadata": sorted(metadata),
        "unique_id": spec.metadata[DAGSTER_DBT_UNIQUE_ID_METADATA_KEY],
        "storage_kind": spec.metadata.get("dagster/storage_kind"),
    }


def _check(check: AssetCheckSpec) -> dict[str, Any]:
    return {
        "asset": check.asset_key.to_user_string(),
        "deps": sorted(d.asset_key.to_user_string() for d in check.additional_deps),
        "blocking": check.blocking,
        "description": check.description,
    }


def _floe(manifest: DbtManifest, translator: FloeDbtTranslator) -> tuple[dict[str, Any], ...]:
    specs = build_dbt_specs(manifest, translator, list(manifest.executable))
    assets = {s.key.to_user_string(): _asset(s) for s in specs.assets}
    checks = {c.name: _check(c) for c in specs.checks}
    return assets, checks, {"runtime": set(specs.assets[0].metadata) & RUNTIME_KEYS}


def _dagster_dbt(
    manifest: DbtManifest, translator: DagsterDbtTranslator
) -> tuple[dict[str, Any], ...]:
    specs = build_dbt_asset_specs(manifest=dict(manifest.raw), dagster_dbt_translator=translator)
    assets = {s.key.to_user_string(): _asset(s) for s in specs}

    @dbt_assets(manifest=dict(manifest.raw), dagster_dbt_translator=translator)
    def everything():  # type: ignore[no-untyped-def]
        yield from ()

    checks = {c.name: _check(c) for c in everything.check_specs}
    return assets, checks, {"runtime": RUNTIME_KEYS}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("project", ["demo", "jaffle", "keyed"])
def test_floe_builds_what_dagster_dbt_builds(
    projects: dict[str, tuple[Path, DbtManifest]], project: str, mode: str
) -> None:
    folder, manifest = projects[project]
    ours = _floe(manifest, _translator(manifest, folder, mode))
    theirs = _dagster_dbt(manifest, _translator(manifest, folder, mode))
    assert ours[0] == theirs[0]  # every asset, field by field
    assert ours[1] == theirs[1]  # every check
    assert ours[2] == theirs[2]  # the runtime metadata rides on the first spec
    assert len(ours[0]) == len(manifest.executable)


@pytest.mark.parametrize("project", ["demo", "jaffle", "keyed"])
def test_dagster_dbt_keys_are_the_default_translators(
    projects: dict[str, tuple[Path, DbtManifest]], project: str
) -> None:
    folder, manifest = projects[project]
    ours = build_dbt_specs(
        manifest, _translator(manifest, folder, "dagster_dbt"), list(manifest.executable)
    ).assets
    theirs = build_dbt_asset_specs(manifest=dict(manifest.raw))
    assert {s.key for s in ours} == {s.key for s in theirs}
    assert {(s.key, d.asset_key) for s in ours for d in s.deps} == {
        (s.key, d.asset_key) for s in theirs for d in s.deps
    }


def test_the_keys_of_each_mode(projects: dict[str, tuple[Path, DbtManifest]]) -> None:
    folder, manifest = projects["keyed"]
    keys: dict[str, Any] = {}
    for mode in MODES:
        specs = build_dbt_specs(
            manifest, _translator(manifest, folder, mode), list(manifest.executable)
        )
        keys[mode] = {
            s.metadata[DAGSTER_DBT_UNIQUE_ID_METADATA_KEY].split(".")[-1]: s.key
            for s in specs.assets
        }
        deps = {d.asset_key for s in specs.assets for d in s.deps}
        keys[f"{mode} sources"] = deps - set(keys[mode].values())
    assert keys["name"]["stg_orders"] == AssetKey("stg_orders")
    assert keys["dagster_dbt"]["stg_orders"] == AssetKey(["staging", "stg_orders"])
    for mode in MODES:  # an explicit key wins in both modes
        assert keys[mode]["customer_totals"] == AssetKey(["analytics", "customer_totals"])
    assert keys["dagster_dbt"]["raw_customers"] == AssetKey(["raw", "raw_customers"])
    assert keys["name"]["raw_customers"] == AssetKey("raw_customers")
    for mode in MODES:  # each version of a versioned model: its relation's name (alias)
        assert keys[mode]["v1"] == AssetKey("dim_customers_v1")
        assert keys[mode]["v2"] == AssetKey("dim_customers")  # aliased to the model's name
    assert keys["name sources"] == {AssetKey(["ingest", "orders"]), AssetKey("payments")}
    assert keys["dagster_dbt sources"] == {
        AssetKey(["ingest", "orders"]),
        AssetKey(["shop_raw", "payments"]),
    }


def test_the_mode_is_validated(tmp_path: Path) -> None:
    from floe_config import FloeConfigError  # noqa: PLC0415

    (tmp_path / "floe.yaml").write_text(
        "name: p\norchestration:\n  dbt: {manifest_path: m.json, asset_keys: dagster}\n"
    )
    with pytest.raises(FloeConfigError) as caught:
        load_config(tmp_path / "floe.yaml", env={})
    [issue] = caught.value.issues
    assert (issue.code, issue.path, issue.line) == (
        "invalid_choice",
        "orchestration.dbt.asset_keys",
        3,
    )
    assert "dagster_dbt" in (issue.hint or "")


def _shape(graph: AssetGraph) -> dict[str, Any]:
    """Everything an asset graph answers about its nodes and checks."""
    return {
        "nodes": {
            key.to_user_string(): (
                sorted(k.to_user_string() for k in node.parent_keys),
                sorted(k.to_user_string() for k in node.child_keys),
                sorted(k.to_user_string() for k in node.check_keys),
                node.is_executable,
                node.partitions_def,
                sorted(
                    k.to_user_string() for k in graph.get_execution_set_asset_and_check_keys(key)
                ),
            )
            for key, node in graph._asset_nodes_by_key.items()
        },
        "checks": {
            key.to_user_string(): sorted(k.to_user_string() for k in node.parent_entity_keys)
            for key, node in graph._asset_check_nodes_by_key.items()
        },
    }


@dg.asset
def upstream() -> None: ...


def _location_assets(manifest: DbtManifest, *, with_sources: bool) -> list[Any]:
    """The project's dbt nodes as one multi-asset, a partitioned Python asset with a check
    that reads another asset, and (or not) the dbt sources as plain specs."""
    translator = DagsterDbtTranslator(DagsterDbtTranslatorSettings(enable_asset_checks=True))
    specs = build_dbt_specs(manifest, translator, list(manifest.executable))

    @dg.multi_asset(specs=specs.assets, check_specs=specs.checks, can_subset=True)
    def models():  # type: ignore[no-untyped-def]
        yield from ()

    check = dg.AssetCheckSpec("fresh", asset="events", additional_deps=[upstream])

    @dg.asset(partitions_def=dg.DailyPartitionsDefinition("2026-01-01"), check_specs=[check])
    def events():  # type: ignore[no-untyped-def]
        yield from ()

    sources = {d.asset_key for s in specs.assets for d in s.deps} - set(models.keys)
    plain = [AssetSpec(key) for key in sorted(sources)] if with_sources else []
    return [models, events, upstream, *plain]


@pytest.mark.parametrize("project", ["demo", "jaffle", "keyed"])
def test_floes_asset_graph_is_dagsters(
    projects: dict[str, tuple[Path, DbtManifest]], project: str
) -> None:
    """When every key the assets reference is defined, floe skips Dagster's normalization (which
    would change nothing, after reading every spec's table metadata) and builds the graph
    ``AssetGraph.from_assets`` builds; when one is not, it is Dagster's own path, stubs and all."""
    _, manifest = projects[project]
    for with_sources in (True, False):
        items = _location_assets(manifest, with_sources=with_sources)
        plain = [i for i in items if isinstance(i, AssetSpec)]  # one external definition
        assets = [i for i in items if not isinstance(i, AssetSpec)]
        assets += [dg.AssetsDefinition(specs=plain)] if plain else []
        assert _shape(asset_graph(items)) == _shape(AssetGraph.from_assets(assets))
    stubbed = asset_graph(_location_assets(manifest, with_sources=False))
    if manifest.raw.get("sources"):
        assert any(not node.is_executable for node in stubbed.asset_nodes)
