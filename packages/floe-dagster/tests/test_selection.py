from __future__ import annotations

import pytest
from dagster import AssetKey, AssetSpec, Definitions, asset

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


@asset(group_name="bronze")
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
