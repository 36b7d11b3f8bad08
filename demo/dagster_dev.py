"""`tools/bazel run //demo:dagster_dev`: the demo in the Dagster UI, offline, on one machine.

A thin call to `floe dev` (floe_dagster's launcher): the webserver and daemon on 127.0.0.1:3000,
with every piece of state under `.floe/` in the checkout: the Dagster instance, the Iceberg
catalog and warehouse, DuckDB, dbt's target, the observability files and the folder the
`incoming_orders` sensor watches. Arguments go to `floe dev`: `-- -p 3001`, or
`-- --postgres postgresql://postgres@/?host=/tmp/pg` for the instance and the catalog on
PostgreSQL. Ctrl-C stops the webserver, the daemon and the code server.
"""

import os
import sys
from pathlib import Path

from floe_dagster import cli_main

PROJECT = Path(__file__).absolute().parent / "data_engineering"


def demo_environment(state: Path) -> dict[str, str]:
    """The variables that put the demo's state under ``state`` (unless already set)."""
    return {
        "FLOE_STATE_DIR": str(state),
        "FLOE_CATALOG_URI": f"sqlite:///{state}/catalog.db",
        "FLOE_WAREHOUSE": str(state / "warehouse"),
        "FLOE_DUCKDB_PATH": str(state / "warehouse.duckdb"),
        "FLOE_INCOMING_DIR": str(state / "incoming"),
        "FLOE_READY_FLAG": str(state / "incoming" / "READY"),
    }


def use_demo_state() -> Path:
    """Point this process at the demo's state (``.floe/`` in the checkout unless
    ``FLOE_STATE_DIR`` says otherwise), with the folder its file watcher watches."""
    checkout = Path(os.environ.get("BUILD_WORKSPACE_DIRECTORY") or os.getcwd())
    state = Path(os.environ.get("FLOE_STATE_DIR") or checkout / ".floe").absolute()
    for name, value in demo_environment(state).items():
        os.environ.setdefault(name, value)
    Path(os.environ["FLOE_INCOMING_DIR"]).mkdir(parents=True, exist_ok=True)
    return state


def main(argv: list[str]) -> int:
    use_demo_state()
    manifest = PROJECT / "dbt" / "manifest.json"  # built by Bazel, next to floe.yaml in runfiles
    return cli_main(["dev", str(PROJECT / "floe.yaml"), "--manifest", str(manifest), *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
