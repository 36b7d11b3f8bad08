"""dbt build of the demo project through floe-dbt, on a temporary Iceberg catalog and DuckDB."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from pyiceberg.catalog.sql import SqlCatalog

from floe_config import load_config
from floe_dbt import DbtNodeResult, DbtRunner, FloeDbtError, read_run_results
from floe_dbt._runner import dbt_said

DEMO = Path("demo/data_engineering")


def _tree(root: Path) -> dict[str, tuple[int, float]]:
    listing = {}
    for folder, _, files in os.walk(root, followlinks=True):
        for name in files:
            path = Path(folder) / name
            stat = path.stat()
            listing[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime)
    return listing


def _seed_bronze(catalog: SqlCatalog) -> None:
    ts = datetime
    tables = {
        "customers": pa.table(
            {
                "customer_id": pa.array([1, 2, 3, 2], pa.int64()),
                "first_name": [" Ada", "Bob", "Cy", "Bob "],
                "last_name": ["Lovelace", "Builder", "Young", "Builder"],
                "email": [
                    "ADA@example.com",
                    "bob@old.example",
                    "cy@example.com",
                    " Bob@Example.COM ",
                ],
                "country": ["gb", "de", "us", "DE"],
                "signup_date": pa.array([date(2024, 1, 1)] * 4, pa.date32()),
                "updated_at": pa.array(
                    [ts(2024, 1, 1), ts(2024, 1, 1), ts(2024, 1, 1), ts(2024, 2, 1)],
                    pa.timestamp("us"),
                ),
            }
        ),
        "products": pa.table(
            {
                "product_id": pa.array([1, 2], pa.int64()),
                "name": ["Lamp", "Novel"],
                "category": ["Electronics", "books"],
                "price": [10.0, 5.5],
                "added_on": pa.array([date(2024, 1, 2)] * 2, pa.date32()),
            }
        ),
        "orders": pa.table(
            {
                "order_id": pa.array([1, 2, 3, 3], pa.int64()),
                "customer_id": pa.array([1, 1, 2, 2], pa.int64()),
                "status": ["completed", "cancelled", "placed", "SHIPPED"],
                "ordered_at": pa.array([ts(2024, 3, 1)] * 4, pa.timestamp("us")),
                "updated_at": pa.array(
                    [ts(2024, 3, 1), ts(2024, 3, 1), ts(2024, 3, 1), ts(2024, 3, 2)],
                    pa.timestamp("us"),
                ),
            }
        ),
        "order_items": pa.table(
            {
                "order_item_id": pa.array([1, 2, 3, 4], pa.int64()),
                "order_id": pa.array([1, 1, 2, 3], pa.int64()),
                "product_id": pa.array([1, 2, 1, 2], pa.int64()),
                "quantity": pa.array([2, 1, 5, 3], pa.int64()),
                "unit_price": [10.0, 5.5, 10.0, 5.5],
                "ordered_at": pa.array([ts(2024, 3, 1)] * 4, pa.timestamp("us")),
            }
        ),
    }
    catalog.create_namespace("bronze")
    for name, data in tables.items():
        catalog.create_table(f"bronze.{name}", schema=data.schema).append(data)


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    state = tmp_path / "state"
    state.mkdir()
    env = {
        "FLOE_CATALOG_URI": f"sqlite:///{state}/catalog.db",
        "FLOE_WAREHOUSE": str(state / "warehouse"),
        "FLOE_DUCKDB_PATH": str(state / "warehouse.duckdb"),
    }
    config = load_config(DEMO / "floe.yaml", env=env)
    _seed_bronze(SqlCatalog("floe", **config.iceberg_catalog_properties()))
    return env


def test_dbt_build_of_the_demo_writes_gold_and_nothing_in_the_source_tree(
    tmp_path: Path, environment: dict[str, str]
) -> None:
    before = _tree(DEMO)
    config = load_config(DEMO / "floe.yaml", env=environment)
    runner = DbtRunner(
        project_dir=DEMO / "dbt",
        state_dir=tmp_path / "dbt",
        config=config,
        env={**os.environ, **environment},  # the environment the config was resolved from
    )
    result = runner.build()
    assert result.success, result.output
    statuses = {r["unique_id"]: r["status"] for r in result.run_results()["results"]}
    assert set(statuses.values()) == {"success", "pass"}, statuses
    assert sum(1 for uid in statuses if uid.startswith("model.")) == 6

    with duckdb.connect(environment["FLOE_DUCKDB_PATH"], read_only=True) as db:
        customers = db.sql(
            "select customer_id, email, order_count, completed_order_count, lifetime_revenue "
            "from gold.customer_orders order by customer_id"
        ).fetchall()
        products = db.sql(
            "select product_id, category, units_sold, revenue from gold.revenue_by_product "
            "order by product_id"
        ).fetchall()
    assert [(c[0], c[1], c[2], c[3], float(c[4])) for c in customers] == [
        (1, "ada@example.com", 2, 1, 25.5),
        (2, "bob@example.com", 1, 0, 16.5),
        (3, "cy@example.com", 0, 0, 0.0),
    ]
    assert [(p[0], p[1], p[2], float(p[3])) for p in products] == [
        (1, "electronics", 2, 20.0),
        (2, "books", 4, 22.0),
    ]
    assert _tree(DEMO) == before
    assert (tmp_path / "dbt" / "target" / "run_results.json").is_file()
    assert (tmp_path / "dbt" / "logs" / "dbt.log").is_file()


def test_a_selection_and_vars_reach_dbt(tmp_path: Path, environment: dict[str, str]) -> None:
    config = load_config(DEMO / "floe.yaml", env=environment)
    runner = DbtRunner(
        project_dir=DEMO / "dbt",
        state_dir=tmp_path / "dbt",
        config=config,
        env={**os.environ, **environment},  # the environment the config was resolved from
    )
    assert runner.build().success
    result = runner.build(select=["stg_products"], vars={"run_date": "2024-03-01"})
    assert result.success, result.output
    ran = {r["unique_id"] for r in result.run_results()["results"]}
    assert "model.ecommerce.stg_products" in ran
    assert not any(uid.startswith("model.ecommerce.customer") for uid in ran)
    assert '--vars {"run_date": "2024-03-01"}' in " ".join(result.command)


def test_a_parse_installs_the_packages_the_project_declares(tmp_path: Path) -> None:
    """``dbt deps`` first when packages.yml lists a package that dbt_packages/ lacks; a package
    dbt cannot install is dbt's message, without the traceback dbt prints after it."""
    calendar = tmp_path / "calendar"
    (calendar / "models").mkdir(parents=True)
    (calendar / "dbt_project.yml").write_text("name: calendar\nversion: '1.0'\nprofile: shop\n")
    (calendar / "models" / "days.sql").write_text("select 1 as day\n")
    shop = tmp_path / "shop"
    (shop / "models").mkdir(parents=True)
    (shop / "dbt_project.yml").write_text("name: shop\nversion: '1.0'\nprofile: shop\n")
    (shop / "models" / "weeks.sql").write_text("select day from {{ ref('days') }}\n")
    (shop / "profiles.yml").write_text(
        f"shop:\n  target: dev\n  outputs:\n    dev: {{type: duckdb, path: '{tmp_path}/w.db'}}\n"
    )
    (shop / "packages.yml").write_text("packages:\n  - local: ../calendar\n")
    runner = DbtRunner(project_dir=shop, state_dir=tmp_path / "state" / "parse")
    manifest = runner.parse()
    assert (shop / "dbt_packages" / "calendar" / "dbt_project.yml").is_file()
    assert {"model.calendar.days", "model.shop.weeks"} <= set(
        json.loads(manifest.read_text())["nodes"]
    )

    (shop / "packages.yml").write_text("packages:\n  - local: ../calendar\n  - local: ../gone\n")
    with pytest.raises(FloeDbtError) as failed:
        runner.parse()
    [issue] = failed.value.issues
    assert issue.code == "dbt_deps_failed"
    assert "No dbt_project.yml found at expected path" in issue.message
    assert "Traceback" not in issue.message
    assert "dbt deps" in (issue.hint or "")


def test_what_dbt_said_stops_before_its_traceback() -> None:
    said = (
        "21:55:38  Running with dbt=1.11.16\n21:55:44  Encountered an error:\n"
        "External connection exception occurred: hub.getdbt.com unreachable\n"
        '21:55:44  Traceback (most recent call last):\n  File "x.py", line 1, in f\n'
        "ConnectionError: hub.getdbt.com unreachable\n"
    )
    assert dbt_said(said).splitlines()[-1] == (
        "External connection exception occurred: hub.getdbt.com unreachable"
    )
    assert dbt_said("Traceback (most recent call last):\n  ...\nKeyError: 'x'\n") == "KeyError: 'x'"
    assert dbt_said("  Compilation Error\n  bad ref\n") == "Compilation Error\n  bad ref"


def test_what_a_failed_build_failed_is_read_back_in_dbts_words(tmp_path: Path) -> None:
    """``read_run_results`` after a real build that fails three ways: a model's SQL, a Python
    model's exception (dbt puts its traceback in the message) and a test; what is downstream
    of them is skipped, and each failed node is one line that names it and says why."""
    shop = tmp_path / "shop"
    (shop / "models").mkdir(parents=True)
    (shop / "dbt_project.yml").write_text("name: shop\nversion: '1.0'\nprofile: shop\n")
    (shop / "profiles.yml").write_text(
        f"shop:\n  target: dev\n  outputs:\n    dev: {{type: duckdb, path: '{tmp_path}/w.db'}}\n"
    )
    models = shop / "models"
    (models / "orders.sql").write_text("select 1 as id\n")
    (models / "dupes.sql").write_text("select 1 as id union all select 1\n")
    (models / "broken.sql").write_text("select id frm {{ ref('orders') }}\n")
    (models / "after_broken.sql").write_text("select * from {{ ref('broken') }}\n")
    (models / "scored.py").write_text(
        "def model(dbt, session):\n    orders = dbt.ref('orders')\n"
        "    if orders is not None:\n        raise ValueError('no scores for 2026-12-05')\n"
        "    return orders\n"
    )
    (models / "schema.yml").write_text(
        "version: 2\nmodels:\n  - name: dupes\n    columns:\n"
        "      - name: id\n        data_tests: [unique]\n"
    )
    result = DbtRunner(project_dir=shop, state_dir=tmp_path / "state").build()
    assert not result.success
    nodes = read_run_results(result.target_path)
    assert nodes is not None
    failed = {n.label: n.failure() for n in nodes.values() if n.failed}
    assert failed == {
        "model broken": "Runtime Error in model broken (models/broken.sql): "
        'Parser Error: syntax error at or near ""w""',  # the relation after "frm": "w"."main"
        "model scored": "Runtime Error in model scored (models/scored.py): Python model "
        "failed: ValueError: no scores for 2026-12-05",
        "test unique_dupes_id": "test unique_dupes_id: Got 1 result, configured to fail if != 0",
    }
    assert {n.label for n in nodes.values() if n.status == "skipped"} == {"model after_broken"}
    assert read_run_results(tmp_path / "nowhere") is None
    hook = "shop.on-run-start.0 failed, error:\n Catalog Error: no table audit"  # dbt's words
    assert DbtNodeResult("operation.shop.shop-on-run-start-0", "error", message=hook).failure() == (
        "operation shop-on-run-start-0: shop.on-run-start.0 failed, error: Catalog Error: no "
        "table audit"
    )
