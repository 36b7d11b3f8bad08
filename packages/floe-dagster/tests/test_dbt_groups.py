"""Which dbt nodes share a multi-asset: groups by key, layers that never interleave, and a dbt
selection that names exactly each group's nodes."""

from __future__ import annotations

import json
from pathlib import Path

from manifests import dbt_test, manifest, model

from floe_dagster._dbt.groups import ALL_NODES, others_tests, plan_groups, selection
from floe_dbt import DbtManifest, load_manifest


def _chain(tmp_path: Path) -> DbtManifest:
    """daily_a -> monthly_b -> daily_c, and an unrelated daily_d (folder "daily")."""
    content = manifest(
        [
            model("daily_a", [], folder="daily"),
            model("monthly_b", ["model.shop.daily_a"], folder="monthly"),
            model("daily_c", ["model.shop.monthly_b"], folder="daily"),
            model("daily_d", [], folder="daily"),
        ]
    )
    (tmp_path / "manifest.json").write_text(json.dumps(content))
    return load_manifest(tmp_path / "manifest.json")


def test_one_group_is_one_multi_asset_over_everything(tmp_path: Path) -> None:
    [group] = plan_groups(_chain(tmp_path))
    assert (group.name, group.select, group.exclude) == ("dbt_models", ALL_NODES, "")
    assert len(group.unique_ids) == 4


def test_interleaved_groups_become_layers(tmp_path: Path) -> None:
    built = _chain(tmp_path)

    def key_of(uid: str) -> str:
        return uid.rsplit(".", maxsplit=1)[-1].split("_", maxsplit=1)[0]

    groups = plan_groups(built, key_of, lambda key: f"dbt_{key}")
    assert [(g.name, sorted(u.split(".")[-1] for u in g.unique_ids)) for g in groups] == [
        ("dbt_daily_1", ["daily_a", "daily_d"]),
        ("dbt_monthly", ["monthly_b"]),
        ("dbt_daily_2", ["daily_c"]),
    ]
    layers = {uid: index for index, g in enumerate(groups) for uid in g.unique_ids}
    for uid, parents in built.asset_parents.items():  # every edge goes to a later multi-asset
        assert all(layers[p] <= layers[uid] for p in parents if p in layers)


def test_a_selection_names_whole_folders_or_the_nodes(tmp_path: Path) -> None:
    built = _chain(tmp_path)
    assert selection(built, ["model.shop.monthly_b"]) == ("fqn:shop.monthly", "")
    assert selection(built, ["model.shop.daily_a", "model.shop.daily_c", "model.shop.daily_d"]) == (
        "fqn:shop.daily",
        "",
    )
    assert selection(built, ["model.shop.daily_a"]) == ("fqn:shop.daily.daily_a", "")


def test_a_test_runs_in_the_build_of_the_node_it_checks(tmp_path: Path) -> None:
    """A relationships test of a daily model reads an unpartitioned dimension: dbt's eager
    selection would run it in the dimension's build too, before the daily model exists. The
    dimension's group leaves it out; the daily model's group runs it."""
    relationship = dbt_test("relationships_orders_customer_id", "model.shop.orders", "customer_id")
    relationship["depends_on"] = {"nodes": ["model.shop.customers", "model.shop.orders"]}
    own = dbt_test("unique_customers_customer_id", "model.shop.customers", "customer_id")
    content = manifest(
        [
            model("customers", [], folder="dims"),
            model("orders", ["model.shop.customers"], folder="daily"),
        ],
        tests=[relationship, own],
    )
    (tmp_path / "manifest.json").write_text(json.dumps(content))
    built = load_manifest(tmp_path / "manifest.json")

    groups = plan_groups(built, lambda uid: "dims" if "customers" in uid else "daily")
    excluded = {g.unique_ids: g.exclude for g in groups}
    assert excluded == {
        ("model.shop.customers",): "relationships_orders_customer_id",
        ("model.shop.orders",): "",
    }
    assert others_tests(built, ["model.shop.customers", "model.shop.orders"]) == []
