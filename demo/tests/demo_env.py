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
        }
    )
    (state / "dagster").mkdir(exist_ok=True)
    (state / "dagster" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
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
    return target


def compile_project(project: Path) -> Path:
    """``floe compile`` of ``project/floe.yaml`` into ``project/compiled_artifacts.json``."""
    from floe_config import compile_artifacts, write_artifacts  # noqa: PLC0415

    artifact = project / "compiled_artifacts.json"
    return write_artifacts(compile_artifacts(project / "floe.yaml", output=artifact), artifact)


def floe_validate(floe_yaml: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``floe validate floe.yaml`` as users run it: the ``floe`` console script's entry point,
    in its own process, with ``env`` (and this process's Python path)."""
    command = [
        sys.executable,
        "-c",
        "import sys; from floe_dagster import cli_main; sys.exit(cli_main())",
    ]
    env = dict(
        env, PYTHONPATH=os.pathsep.join(p for p in [env.get("PYTHONPATH", ""), *sys.path] if p)
    )
    return subprocess.run(
        [*command, "validate", str(floe_yaml)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
