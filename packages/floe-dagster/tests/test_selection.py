"""Job selections (FR-018..023): floe's shorthands, Dagster's syntax, each item checked on its
own, and union, intersection and exclusion resolved against a location floe builds."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetKey, AssetSpec, Definitions, asset
from manifests import manifest, model, source
from projects import write_manifest_project, write_project

from floe_config import load_config
from floe_dagster import build_definitions
from floe_dagster._orchestration.selection import (
    SelectionError,
    normalize,
    parse_selection,
    resolve,
    unmatched_items,
)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("+customer_orders", "+key:customer_orders"),
        ("revenue_by_product+", "key:revenue_by_product+"),
        ("asset:bronze_orders", "key:bronze_orders"),
        ("group:gold and not key:tmp_*", "group:gold and not key:tmp_*"),
        ("bronze_a or bronze_b", "key:bronze_a or key:bronze_b"),
        ('tag:"team=data eng"', 'tag:"team=data eng"'),
        ("(stg_a or stg_b)+", "(key:stg_a or key:stg_b)+"),
    ],
    ids=[
        "upstream",
        "downstream",
        "asset-shorthand",
        "dagster-syntax",
        "bare-names",
        "quoted",
        "parens",
    ],
)
def test_shorthands_become_dagster_syntax(item: str, expected: str) -> None:
    assert normalize(item) == expected


@asset(group_name="bronze", kinds={"python"}, tags={"layer": "bronze"})
def raw() -> None: ...


landing = AssetSpec("landing", group_name="external")


@asset(group_name="silver", deps=[raw])
def clean() -> None: ...


@asset(group_name="gold", deps=[clean])
def report() -> None: ...


GRAPH = Definitions(assets=[landing, raw, clean, report]).resolve_asset_graph()


@pytest.mark.parametrize(
    ("items", "keys"),
    [
        (["group:bronze"], {"raw"}),
        (["+clean"], {"raw", "clean"}),
        (["clean+"], {"clean", "report"}),
        (["raw", "report"], {"raw", "report"}),
        (["group:gold or group:silver", "asset:raw"], {"raw", "clean", "report"}),
        (["not group:gold"], {"raw", "clean"}),
    ],
    ids=["group", "upstream", "downstream", "union", "or-and-shorthand", "not"],
)
def test_items_are_unioned(items: list[str], keys: set[str]) -> None:
    assert resolve(parse_selection(items), GRAPH) == {AssetKey(k) for k in keys}


def test_an_item_that_does_not_parse_is_named() -> None:
    with pytest.raises(SelectionError) as caught:
        parse_selection(["group:bronze", "group:gold and"])
    assert caught.value.index == 1
    assert str(caught.value).startswith("'group:gold and' is not a valid asset selection")


def test_every_item_must_match_on_its_own() -> None:
    items = ["+report", "+reprot", "group:bronze", "group:silvr", "key:zzz_*", "group:external"]
    found = [(u.index, u.item, u.hint) for u in unmatched_items(items, GRAPH)]
    assert found == [
        (1, "+reprot", "did you mean 'report'?"),
        (3, "group:silvr", "did you mean 'group:silver'?"),
        (
            4,
            "key:zzz_*",
            "no asset key is close to it; check the spelling (and the asset modules)",
        ),
        (
            5,
            "group:external",
            "group 'external' holds only external assets (AssetSpecs, dbt sources), which a "
            "job cannot materialize; select the assets that read them",
        ),
    ]


@pytest.mark.parametrize(
    ("item", "hint"),
    [
        ("tag:layr=bronze", "did you mean 'tag:layer=bronze'?"),
        ("tag:nightly", "the tags are: layer=bronze"),
        ("kind:pyton", "did you mean 'kind:python'?"),
        ("kind:spark", "the kinds are: python"),
        ('owner:"ops@example.com"', "no asset has owners; select by key or group"),
    ],
    ids=["tag-typo", "tag-unknown", "kind-typo", "kind-unknown", "no-owners"],
)
def test_a_tag_kind_or_owner_that_matches_nothing_names_what_there_is(item: str, hint: str) -> None:
    [found] = unmatched_items([item], GRAPH)
    assert found.hint == hint


@asset(key=["silver", "stg_orders"])
def prefixed_orders() -> None: ...


@asset(key=["silver", "stg_items"], deps=[prefixed_orders])
def prefixed_items() -> None: ...


PREFIXED = Definitions(assets=[prefixed_orders, prefixed_items]).resolve_asset_graph()


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("silver/stg_orders", {"silver/stg_orders"}),
        ("key:silver/stg_*", {"silver/stg_orders", "silver/stg_items"}),
        ("+silver/stg_items", {"silver/stg_orders", "silver/stg_items"}),
        ("asset:silver/stg_items", {"silver/stg_items"}),
    ],
    ids=["bare", "glob", "upstream", "asset-shorthand"],
)
def test_keys_of_several_parts_are_written_with_slashes(item: str, expected: set[str]) -> None:
    found = resolve(parse_selection([item]), PREFIXED)
    assert {k.to_user_string() for k in found} == expected
    assert unmatched_items([item], PREFIXED) == []


GOLD_ASSETS = """\
from dagster import AssetKey, asset


@asset(group_name="bronze")
def orders_raw() -> None: ...


@asset(group_name="gold", deps=[AssetKey("revenue_by_product")])
def gold_export() -> None: ...


@asset(group_name="gold", deps=[AssetKey("customer_orders")])
def tmp_export_check() -> None: ...
"""
GOLD_FLOE_YAML = """\
name: gold_shop
transforms:
  dbt: {project_dir: dbt}
orchestration:
  asset_modules: [.assets]
  dbt: {manifest_path: manifest.json}
  jobs:
    gold_only: {type: batch, selection: ["group:gold and not key:tmp_*"]}
    gold_pipeline:
      type: batch
      selection:
        - "+customer_orders"
        - "revenue_by_product+"
        - "group:gold and not key:tmp_*"
    silver_not_orders: {type: batch, selection: ["group:silver and not stg_orders"]}
"""


def test_intersection_and_exclusion_resolve_against_a_real_location(tmp_path: Path) -> None:
    """FR-019 on a location floe builds (dbt models and Python assets in one graph): the spec
    example's ``group:gold and not key:tmp_*`` keeps the gold assets of both kinds whose key
    does not start with ``tmp_``, and the spec's three-item job is exactly their union."""
    floe_yaml = write_project(
        tmp_path, "gold_shop_selection", floe_yaml=GOLD_FLOE_YAML, assets=GOLD_ASSETS
    )
    folder = floe_yaml.parent
    source_meta = {"dagster": {"asset_key": ["orders_raw"]}}
    content = manifest(
        [
            model("stg_orders", ["source.shop.raw.orders"], folder="silver"),
            model("stg_customers", ["source.shop.raw.orders"], folder="silver"),
            model(
                "customer_orders",
                ["model.shop.stg_orders", "model.shop.stg_customers"],
                folder="gold",
            ),
            model("revenue_by_product", ["model.shop.stg_orders"], folder="gold"),
            model("tmp_scratch", ["model.shop.customer_orders"], folder="gold"),
            model("tmp_revenue_diff", ["model.shop.revenue_by_product"], folder="gold"),
        ],
        [source("raw", "orders", source_meta)],
        [],
    )
    write_manifest_project(folder, content)
    config = load_config(floe_yaml, env={})
    definitions = build_definitions(
        config, manifest_path=folder / "manifest.json", env={"FLOE_STATE_DIR": str(tmp_path)}
    )

    def job_keys(name: str) -> set[str]:
        layer = definitions.resolve_job_def(name).asset_layer
        return {key.to_user_string() for key in layer.selected_asset_keys}

    gold = {"customer_orders", "revenue_by_product", "gold_export"}
    assert job_keys("gold_only") == gold
    upstream = {"orders_raw", "stg_orders", "stg_customers", "customer_orders"}
    downstream = {"revenue_by_product", "tmp_revenue_diff", "gold_export"}
    assert job_keys("gold_pipeline") == upstream | downstream | gold
    assert job_keys("silver_not_orders") == {"stg_customers"}
