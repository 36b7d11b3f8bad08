"""Small floe projects written into a temporary folder, as importable packages."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

ASSETS = """\
from dagster import AssetCheckResult, AssetCheckSpec, MaterializeResult, asset, asset_check


@asset(
    group_name="raw",
    check_specs=[AssetCheckSpec("has_rows", asset="events")],
)
def events():
    yield MaterializeResult(metadata={"dagster/row_count": 3})
    yield AssetCheckResult(check_name="has_rows", passed=True)


@asset(group_name="marts", deps=[events])
def daily_counts() -> None: ...


@asset_check(asset=daily_counts)
def counts_are_fresh() -> AssetCheckResult:
    return AssetCheckResult(passed=False)
"""

OPS = """\
def tidy(retention_days: int = 7) -> int:
    return retention_days
"""

FLOE_YAML = """\
name: tiny
orchestration:
  asset_modules: [.assets]
  jobs:
    everything: {type: batch, selection: ["+daily_counts"]}
    tidy_up: {type: ops, target_function: .ops.tidy, args: {retention_days: 3}}
"""


def write_project(root: Path, package: str, *, floe_yaml: str = FLOE_YAML, **modules: str) -> Path:
    """A package ``package`` under ``root`` with floe.yaml and modules (default: assets, ops).
    ``root`` goes on sys.path. Returns the floe.yaml path."""
    folder = root / package
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    for name, text in ({"assets": ASSETS, "ops": OPS} | modules).items():
        (folder / f"{name}.py").write_text(textwrap.dedent(text))
    (folder / "floe.yaml").write_text(floe_yaml)
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return folder / "floe.yaml"


DBT_MODELS = {
    "stg_customers": "select id as customer_id, name from {{ ref('raw_customers') }}",
    "stg_orders": "select id as order_id, customer_id, amount from {{ ref('raw_orders') }}",
    "customer_totals": (
        "select c.customer_id, count(o.order_id) as orders, coalesce(sum(o.amount), 0) as total "
        "from {{ ref('stg_customers') }} as c left join {{ ref('stg_orders') }} as o "
        "using (customer_id) group by 1"
    ),
}
DBT_SEEDS = {
    "raw_customers": "id,name\n1,ann\n2,bob\n3,cy\n",
    "raw_orders": "id,customer_id,amount\n1,1,10\n2,1,5\n3,3,7\n",
}


def write_dbt_project(folder: Path, name: str = "tiny_shop") -> Path:
    """A dbt project of two seeds and three models (what ``dbt init`` and a user would add),
    with no floe file and no manifest. Returns its folder."""
    (folder / "models").mkdir(parents=True)
    (folder / "seeds").mkdir()
    (folder / "dbt_project.yml").write_text(
        f"name: {name}\nversion: '1.0.0'\nprofile: {name}\n"
        "model-paths: ['models']\nseed-paths: ['seeds']\n"
    )
    for model, sql in DBT_MODELS.items():
        (folder / "models" / f"{model}.sql").write_text(sql + "\n")
    for seed, csv in DBT_SEEDS.items():
        (folder / "seeds" / f"{seed}.csv").write_text(csv)
    return folder
