"""Shared set-up for the demo's acceptance tests: state under a temporary directory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

DEMO = Path("demo/data_engineering")
ARTIFACT = DEMO / "compiled_artifacts.json"
MODULE = "demo.data_engineering.orchestration.definitions"
BRONZE = ["bronze_customers", "bronze_order_items", "bronze_orders", "bronze_products"]
SILVER = ["stg_customers", "stg_order_items", "stg_orders", "stg_products"]
GOLD = ["customer_orders", "revenue_by_product"]
DAILY = ["bronze_order_items", "bronze_orders", "stg_order_items", "stg_orders"]
"""The daily assets: orders and their lines (customers and products are dimensions, whole in
every run)."""
LOCATION = "ecommerce_demo"
"""The demo's code location as `floe dev` names it (floe.yaml's ``name``)."""
WHOLE_YEAR = {
    "dagster/asset_partition_range_start": "2024-01-01",
    "dagster/asset_partition_range_end": "2024-12-31",
}
"""Run tags for every day of the demo's data (its orders and order lines are daily)."""
JANUARY = {
    "dagster/asset_partition_range_start": "2024-01-01",
    "dagster/asset_partition_range_end": "2024-01-31",
}
"""Run tags for the first month: a shorter run where the year is not the point (Dagster records
a materialization per asset and day)."""

GOLD_PY = '''\
from dagster import asset


@asset(group_name="gold", deps=["customer_orders"], kinds={"python"})
def top_customers() -> None:
    """The ten best customers, by lifetime revenue."""
'''
"""A module a user adds to the demo: one gold asset downstream of a dbt model."""


def instance_yaml(*, max_concurrent_runs: int | None = None) -> str:
    """The tests' dagster.yaml: no telemetry, and the daemon takes queued runs every second
    (Dagster's default is every 5 s; a test waits for dozens of queued runs), at most
    ``max_concurrent_runs`` at a time when given."""
    run_queue = {"dequeue_interval_seconds": 1}
    if max_concurrent_runs is not None:
        run_queue["max_concurrent_runs"] = max_concurrent_runs
    queue = "".join(f"  {key}: {value}\n" for key, value in run_queue.items())
    return f"telemetry:\n  enabled: false\nrun_queue:\n{queue}"


def demo_environment(state: Path, **overrides: str) -> dict[str, str]:
    """The process environment with the demo's state under ``state``."""
    state.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        {
            "FLOE_STATE_DIR": str(state),
            "DAGSTER_HOME": str(state / "dagster"),
            "FLOE_CATALOG_URI": f"sqlite:///{state}/catalog.db",
            "FLOE_WAREHOUSE": str(state / "warehouse"),
            "FLOE_DUCKDB_PATH": str(state / "warehouse.duckdb"),
            "FLOE_INCOMING_DIR": str(state / "incoming"),
            "FLOE_READY_FLAG": str(state / "incoming" / "READY"),
        }
    )
    (state / "dagster").mkdir(exist_ok=True)
    (state / "incoming").mkdir(exist_ok=True)  # the folder the file watcher watches
    (state / "dagster" / "dagster.yaml").write_text(instance_yaml())
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def copy_demo(root: Path, package: str) -> Path:
    """A copy of the demo as importable package ``package`` under ``root``, with its manifest
    at floe.yaml's ``manifest_path`` (dbt/target/manifest.json). Returns the package folder."""
    import shutil  # noqa: PLC0415

    target = root / package
    shutil.copytree(
        DEMO,
        target,
        ignore=shutil.ignore_patterns("compiled_artifacts.json", "__pycache__", "BUILD.bazel"),
    )
    manifest = target / "dbt" / "target" / "manifest.json"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(target / "dbt" / "manifest.json", manifest)
    os.utime(manifest)  # parsed from these files: newer than any (copytree keeps their times)
    return target


def compile_project(project: Path) -> Path:
    """``floe compile`` of ``project/floe.yaml`` into ``project/compiled_artifacts.json``."""
    from floe_config import compile_artifacts, write_artifacts  # noqa: PLC0415

    artifact = project / "compiled_artifacts.json"
    return write_artifacts(compile_artifacts(project / "floe.yaml", output=artifact), artifact)


def floe(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The ``floe`` command as users run it: the console script's entry point, in its own
    process, with ``env`` (and this process's Python path)."""
    command = [
        sys.executable,
        "-c",
        "import sys; from floe_dagster import cli_main; sys.exit(cli_main())",
    ]
    env = dict(
        env, PYTHONPATH=os.pathsep.join(p for p in [env.get("PYTHONPATH", ""), *sys.path] if p)
    )
    return subprocess.run(
        [*command, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def floe_validate(floe_yaml: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``floe validate floe.yaml`` as users run it (see ``floe``)."""
    return floe(env, "validate", str(floe_yaml))


def expect_prefixed_dbt_keys(floe_yaml: Path, prefix: str) -> None:
    """Rewrite the demo's floe.yaml for a translator that keys dbt models ``<prefix>/<name>``
    and groups them by folder (``dbt_staging``): selections and patterns name the new keys."""
    floe_yaml.write_text(
        floe_yaml.read_text()
        .replace(
            '["+customer_orders", "+revenue_by_product"]',
            f'["+key:{prefix}/customer_orders", "+key:{prefix}/revenue_by_product"]',
        )
        .replace(
            '["customer_orders", "revenue_by_product"]',
            f'["key:{prefix}/customer_orders", "key:{prefix}/revenue_by_product"]',
        )
        .replace(
            "watched_assets: [stg_orders, stg_order_items]",
            f'watched_assets: ["{prefix}/stg_orders", "{prefix}/stg_order_items"]',
        )
        .replace('"group:silver"', '"group:dbt_staging"')
        .replace('"stg_order*":', f'"{prefix}/stg_order*":')
    )
