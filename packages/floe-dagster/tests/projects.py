"""Small floe projects written into a temporary folder, as importable packages."""

from __future__ import annotations

import json
import os
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from floe_config import FloeConfig, load_config

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


def config_of(folder: Path, floe_yaml: str, env: dict[str, str] | None = None) -> FloeConfig:
    """floe.yaml ``floe_yaml`` written into ``folder`` and loaded (no modules, no manifest)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "floe.yaml").write_text(textwrap.dedent(floe_yaml))
    return load_config(folder / "floe.yaml", env=env or {})


KEYED_MODELS = {
    "staging/stg_orders.sql": "select * from {{ source('shop_raw', 'orders') }}",
    "staging/stg_payments.sql": "select * from {{ source('shop_raw', 'payments') }}",
    "staging/stg_customers.sql": "select id as customer_id, name from {{ ref('raw_customers') }}",
    "marts/customer_totals.sql": (
        "{{ config(meta={'dagster': {'asset_key': ['analytics', 'customer_totals']}}) }}\n"
        "select c.customer_id, count(*) as orders from {{ ref('stg_customers') }} as c "
        "join {{ ref('stg_orders') }} as o on o.customer_id = c.customer_id group by 1"
    ),
    "marts/dim_customers_v1.sql": "select * from {{ ref('stg_customers') }}",
    "marts/dim_customers_v2.sql": "select customer_id from {{ ref('stg_customers') }}",
    "marts/order_counts.sql": (
        "{{ config(schema=none) }}select count(*) as n from {{ ref('stg_orders') }}"
    ),
}
KEYED_YML = """\
version: 2
sources:
  - name: shop_raw
    schema: raw
    tables:
      - name: orders
        meta: {dagster: {asset_key: ["ingest", "orders"]}}
      - name: payments
models:
  - name: stg_orders
    columns:
      - name: order_id
        data_tests: [unique, not_null]
  - name: dim_customers
    latest_version: 2
    columns:
      - name: customer_id
        data_tests: [not_null]
    versions:
      - v: 1
      - v: 2
        config: {alias: dim_customers}
"""


def write_keyed_dbt_project(folder: Path, name: str = "keyed_shop") -> Path:
    """A dbt project whose nodes dagster-dbt keys by more than their name: custom schemas
    (``staging``, ``marts``, a seed's ``raw``), explicit ``meta.dagster.asset_key`` on a model
    and a source, a versioned model of two versions (the second aliased to the model's name).
    Returns its folder (no manifest: parse it)."""
    for relative, sql in KEYED_MODELS.items():
        (folder / "models" / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / "models" / relative).write_text(sql + "\n")
    (folder / "models" / "schema.yml").write_text(KEYED_YML)
    (folder / "seeds").mkdir()
    (folder / "seeds" / "raw_customers.csv").write_text(DBT_SEEDS["raw_customers"])
    (folder / "dbt_project.yml").write_text(
        f"name: {name}\nversion: '1.0.0'\nconfig-version: 2\nprofile: {name}\n"
        "model-paths: ['models']\nseed-paths: ['seeds']\n"
        f"models:\n  {name}:\n    staging: {{+schema: staging}}\n    marts: {{+schema: marts}}\n"
        f"seeds:\n  {name}: {{+schema: raw}}\n"
    )
    return folder


def write_manifest_project(folder: Path, manifest: dict[str, Any]) -> Path:
    """A dbt project of only a ``manifest.json`` (as ``manifests.manifest`` builds one) and a
    ``dbt/dbt_project.yml`` beside it: enough for floe to build assets, not to run dbt."""
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "dbt").mkdir(exist_ok=True)
    (folder / "dbt" / "dbt_project.yml").write_text("name: shop\nprofile: shop\n")
    return folder


def project_processes(state: Path) -> list[int]:
    """Processes whose environment names this project's state directory."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if f"FLOE_STATE_DIR={state}\0".encode() in environ:
            found.append(int(entry.name))
    return found


def lingering(state: Path, seconds: float) -> dict[int, str]:
    """The project's processes still there after ``seconds`` (pid -> command line)."""
    deadline = time.monotonic() + seconds
    while (found := project_processes(state)) and time.monotonic() < deadline:
        time.sleep(0.5)
    commands = {}
    for pid in found:
        try:
            commands[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
    return commands
