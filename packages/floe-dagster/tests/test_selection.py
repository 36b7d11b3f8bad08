from __future__ import annotations

import pytest
from dagster import AssetKey, asset
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from floe_dagster import parse_selection
from floe_dagster._selection import SelectionError, normalize, resolve


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


@asset(group_name="silver", deps=[raw])
def clean() -> None: ...


@asset(group_name="gold", deps=[clean])
def report() -> None: ...


GRAPH = AssetGraph.from_assets([raw, clean, report])


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
    assert str(caught.value).startswith("item 1 'group:gold and' is not a valid asset selection")
