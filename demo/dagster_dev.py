"""`tools/bazel run //demo:dagster_dev`: the demo in the Dagster UI, offline, on one machine.

Starts `dagster dev` (webserver and daemon) on 127.0.0.1:3000 with every piece of state under
`.floe/` in the checkout: the Dagster instance (SQLite), the Iceberg catalog and warehouse,
DuckDB and dbt's target. Extra arguments go to `dagster dev` (e.g. `-- -p 3001`).
Ctrl-C stops the webserver, the daemon and the code server.
"""

import os
import signal
import sys
from pathlib import Path

HOST = "127.0.0.1"
PORT = "3000"
MODULE = "demo.data_engineering.orchestration.definitions"
DAGSTER_YAML = """\
# Written by //demo:dagster_dev. Local SQLite storage under this directory.
telemetry:
  enabled: false
"""


def demo_environment(state: Path) -> dict[str, str]:
    """The variables that put the demo's state under ``state`` (unless already set)."""
    return {
        "FLOE_STATE_DIR": str(state),
        "DAGSTER_HOME": str(state / "dagster"),
        "FLOE_CATALOG_URI": f"sqlite:///{state}/catalog.db",
        "FLOE_WAREHOUSE": str(state / "warehouse"),
        "FLOE_DUCKDB_PATH": str(state / "warehouse.duckdb"),
        "FLOE_INCOMING_DIR": str(state / "incoming"),
        "FLOE_READY_FLAG": str(state / "incoming" / "READY"),
    }


def main(argv: list[str]) -> int:
    checkout = Path(os.environ.get("BUILD_WORKSPACE_DIRECTORY") or os.getcwd())
    state = Path(os.environ.get("FLOE_STATE_DIR") or checkout / ".floe").absolute()
    env = dict(os.environ)
    for name, value in demo_environment(state).items():
        env.setdefault(name, value)
    dagster_home = Path(env["DAGSTER_HOME"])
    dagster_home.mkdir(parents=True, exist_ok=True)
    if not (dagster_home / "dagster.yaml").exists():
        (dagster_home / "dagster.yaml").write_text(DAGSTER_YAML)

    runfiles_root = Path(__file__).absolute().parents[1]
    paths = [str(runfiles_root), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    dagster = str(Path(sys.executable).parent / "dagster")
    port = argv[argv.index("-p") + 1] if "-p" in argv else PORT
    command = [dagster, "dev", "-m", MODULE, "--working-directory", str(runfiles_root)]
    command += [] if "-h" in argv else ["-h", HOST]
    command += [] if "-p" in argv else ["-p", PORT]
    command += argv
    print(f"floe demo: Dagster UI at http://{HOST}:{port}  (state in {state}; Ctrl-C stops it)")
    sys.stdout.flush()
    # A launcher that inherited ignored signals would pass them on; dagster dev must see them.
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    os.execve(dagster, command, env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
