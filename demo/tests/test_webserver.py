"""The Dagster webserver on a free loopback port serves the demo; schedules follow the env.

SC-004: the same floe.yaml (the same compiled artifact) under two environments.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from dagster_processes import dagster_server, wait_for_repository
from demo_env import BRONZE, GOLD, MODULE, SILVER, demo_environment

from demo.data_engineering.orchestration.assets import bronze

QUERY = """
{
  assetNodes { assetKey { path } groupName dependencyKeys { path } partitionKeys }
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes { jobs { name } schedules { name scheduleState { status } } }
    }
  }
}
"""


WEEKLY_MAINTENANCE = {
    "weekly_vacuum": "STOPPED",
    "weekly_compaction": "STOPPED",
    "weekly_analyze": "STOPPED",
}
"""The maintenance schedules stay stopped in prod too (VACUUM_SCHEDULE_ENABLED turns them on)."""


def test_webserver_serves_the_assets_and_schedules_follow_the_environment(tmp_path: Path) -> None:
    statuses = {}
    for name, enabled in (("dev", "false"), ("prod", "true")):
        env = demo_environment(tmp_path / name, PIPELINE_SCHEDULE_ENABLED=enabled)
        with dagster_server(env, tmp_path / f"{name}.log", module=MODULE) as url:
            data = wait_for_repository(url, QUERY)
        nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
        assert set(nodes) == set(BRONZE + SILVER + GOLD)
        assert {d["path"][0] for d in nodes["customer_orders"]["dependencyKeys"]} == {
            "stg_customers",
            "stg_orders",
            "stg_order_items",
        }
        assert sorted(d["path"][0] for d in nodes["stg_orders"]["dependencyKeys"]) == [
            "bronze_orders",
            "stg_customers",  # the dimension a day's orders read
        ]
        assert nodes["stg_orders"]["groupName"] == "silver"
        # the partitions the UI offers are the days the data covers, not every day up to today
        days = [(bronze.EPOCH + timedelta(days=d)).date().isoformat() for d in range(bronze.DAYS)]
        for key in ["bronze_orders", "stg_orders"]:
            assert nodes[key]["partitionKeys"] == days
        assert nodes["customer_orders"]["partitionKeys"] == []
        [repository] = data["repositoriesOrError"]["nodes"]
        jobs = {job["name"] for job in repository["jobs"]}
        assert {"bronze_refresh", "medallion_pipeline", "vacuum_tables"} <= jobs
        statuses[name] = {s["name"]: s["scheduleState"]["status"] for s in repository["schedules"]}
    assert statuses == {
        "dev": {"nightly_pipeline": "STOPPED", **WEEKLY_MAINTENANCE},
        "prod": {"nightly_pipeline": "RUNNING", **WEEKLY_MAINTENANCE},
    }
