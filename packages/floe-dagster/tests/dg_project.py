"""A ``dg`` project in a folder of its own, laid out as ``create-dagster project`` lays one out,
with floe installed from its wheels into the project's ``.venv``, and the ``dg`` command.

- ``.venv``: a virtual environment whose site-packages reaches the locked toolchain's (a
  ``.pth``), with the three floe wheels installed by pip (so ``dg`` finds FloeComponent
  through the wheel's entry point), and the project's ``src`` on its path as an editable
  install puts it. ``.venv/bin/dbt`` counts every dbt command it runs, and who ran it.
- ``pyproject.toml`` with ``[tool.dg]``, ``src/shop_project/definitions.py`` and ``defs/``:
  ``defs/shop`` (a FloeComponent over the dbt project ``dbt/shop``) and ``defs/reports.py``
  (plain ``@dg.asset`` functions: one downstream of a floe dbt model, one upstream of one).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from floe_dagster._dagster_internals import WEBSERVER_GRPC_SERVER_HEARTBEAT_TTL

PACKAGES = ("floe-config", "floe-dbt", "floe-dagster")
PACKAGE = "shop_project"

PYPROJECT = """\
[project]
name = "shop-project"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["floe-dagster"]

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.dg]
directory_type = "project"

[tool.dg.project]
root_module = "shop_project"
registry_modules = ["shop_project.components.*"]
"""

DEFINITIONS = """\
from pathlib import Path

import dagster as dg


@dg.definitions
def defs():
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
"""

REPORTS = '''\
"""Plain Dagster assets beside the floe component: one reads a dbt model, one feeds one."""

from pathlib import Path

import dagster as dg
import duckdb

WAREHOUSE = Path(__file__).parent / "shop" / ".floe" / "warehouse.duckdb"


@dg.asset(deps=[dg.AssetKey("customer_totals")], group_name="reports")
def order_summary() -> dg.MaterializeResult:
    """Reads the dbt model customer_totals, so it runs after it."""
    with duckdb.connect(str(WAREHOUSE), read_only=True) as connection:
        (customers,) = connection.execute("select count(*) from customer_totals").fetchone()
    return dg.MaterializeResult(metadata={"customers": customers})


@dg.asset(group_name="lake")
def payments() -> None:
    """What the dbt source lake.payments reads (the dbt model stg_payments depends on it)."""
'''

DEFS_YAML = """\
type: floe_dagster.FloeComponent
attributes:
  config: floe.yaml
"""

FLOE_YAML = """\
name: shop
version: "1.0"
transforms:
  dbt:
    project_dir: ../../../../dbt/shop
storage:
  catalog:
    type: sql
    uri: sqlite:///.floe/catalog.db
    warehouse: .floe/warehouse
  compute:
    type: duckdb
    path: ${SHOP_DUCKDB:.floe/warehouse.duckdb}
observability:
  service_name: shop
  traces: {enabled: true}
  lineage: {enabled: true, namespace: shop, transport: file}
orchestration:
  dbt:
    manifest_path: ../../../../dbt/shop/target/manifest.json
  jobs:
    shop_daily:
      type: batch
      selection: ["+order_summary"]
      description: Seeds, staging and marts, then the report
    marts:
      type: batch
      selection: ["customer_totals"]
  schedules:
    nightly:
      job: shop_daily
      cron_schedule: "0 2 * * *"
      timezone: UTC
  sensors:
    marts_after_report:
      type: asset_sensor
      job: marts
      watched_assets: [order_summary]
      enabled: false
"""

DBT_PROJECT = """\
name: shop
version: "1.0.0"
config-version: 2
profile: shop
model-paths: [models]
seed-paths: [seeds]
"""
DBT_FILES = {
    "seeds/raw_customers.csv": "id,name\n1,ann\n2,bob\n3,cy\n",
    "seeds/raw_orders.csv": "id,customer_id,amount\n1,1,10\n2,1,5\n3,3,7\n",
    "models/sources.yml": (
        "version: 2\nsources:\n  - name: lake\n    schema: main\n    tables:\n"
        "      - name: payments\n"
    ),
    "models/stg_customers.sql": "select id as customer_id, name from {{ ref('raw_customers') }}",
    "models/stg_orders.sql": (
        "select id as order_id, customer_id, amount from {{ ref('raw_orders') }}"
    ),
    "models/stg_payments.sql": "select * from {{ source('lake', 'payments') }}",
    "models/customer_totals.sql": (
        "select c.customer_id, count(o.order_id) as orders, coalesce(sum(o.amount), 0) as total "
        "from {{ ref('stg_customers') }} as c left join {{ ref('stg_orders') }} as o "
        "using (customer_id) group by 1"
    ),
}

DBT_SHIM = """\
#!/bin/sh
# Every dbt command this project runs, and the command line of the process that ran it.
printf '%s\\t%s\\n' "$*" "$(tr '\\0' ' ' < /proc/$PPID/cmdline)" >> "{log}"
exec "{python}" -c "import sys; from dbt.cli.main import cli; sys.exit(cli())" "$@"
"""


def build_wheels(repository: Path, out: Path) -> list[Path]:
    """The three floe wheels, built offline from a copy of each package's sources."""
    out.mkdir(parents=True, exist_ok=True)
    for name in PACKAGES:
        source = out / "src" / name
        shutil.copytree(
            repository / "packages" / name,
            source,
            ignore=shutil.ignore_patterns("__pycache__", "tests"),
        )
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
             "--wheel-dir", str(out), str(source)], env=pip_env())  # fmt: skip
    return sorted(out.glob("*.whl"))


def pip_env() -> dict[str, str]:
    env = clean_env()
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_CACHE_DIR="1")
    return env


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a user's shell would have: no test PYTHONPATH, no Bazel runfiles."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONSAFEPATH", "DAGSTER_HOME", "DAGSTER_IS_DEV_CLI")
        and not k.startswith(("RUNFILES", "BAZEL", "FLOE_"))
    }
    env.update(extra or {})
    return env


def run(
    command: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    timeout: float = 600,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        list(command),
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} exited {done.returncode}\n--- stdout\n{done.stdout}\n"
            f"--- stderr\n{done.stderr}"
        )
    return done


@dataclass(frozen=True)
class DgProject:
    """A ``dg`` project and the commands a user types in it."""

    root: Path
    home: Path

    @property
    def python(self) -> Path:
        return self.root / ".venv" / "bin" / "python"

    @property
    def defs(self) -> Path:
        return self.root / "src" / PACKAGE / "defs"

    @property
    def dbt_log(self) -> Path:
        return self.root / "dbt-calls.log"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a shell with the project's venv activated."""
        venv = self.root / ".venv"
        path = f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
        return clean_env(
            {
                "DAGSTER_HOME": str(self.home),
                "NO_COLOR": "1",
                "VIRTUAL_ENV": str(venv),
                "PATH": path,
            }
            | extra
        )

    def dg(self, *args: str, check: bool = True, **extra: str) -> subprocess.CompletedProcess[str]:
        """``dg ARGS`` in the project, as a user runs it."""
        command = [str(self.python), "-m", "dagster_dg_cli.cli", *args]
        return run(command, env=self.env(**extra), cwd=self.root, check=check)

    def dagster(
        self, *args: str, check: bool = True, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        command = [str(self.python), "-m", "dagster", *args]
        return run(command, env=self.env(**extra), cwd=self.root, check=check)

    def dbt_calls(self) -> list[tuple[str, str]]:
        """(dbt command, the command line of the process that ran it), in order."""
        if not self.dbt_log.is_file():
            return []
        calls = []
        for line in self.dbt_log.read_text().splitlines():
            args, _, parent = line.partition("\t")
            command = next((a for a in args.split() if not a.startswith("-")), "")
            calls.append((command, parent))
        return calls

    def parses(self) -> int:
        return sum(1 for command, _ in self.dbt_calls() if command == "parse")

    def state_files(self) -> list[Path]:
        return sorted((self.defs / ".local_defs_state").glob("*/*"))


def make_venv(root: Path, wheels: Sequence[Path]) -> Path:
    """``root/.venv`` with the toolchain's packages, floe's wheels and a counting ``dbt``."""
    venv = root / ".venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], env=clean_env())
    site = Path(
        run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            env=clean_env(),
        ).stdout.strip()
    )  # fmt: skip
    (site / "toolchain.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
         "--no-deps", "-q", *map(str, wheels)], env=pip_env())  # fmt: skip
    (site / "shop_project.pth").write_text(str(root / "src") + "\n")  # as `pip install -e .`
    dbt = venv / "bin" / "dbt"
    dbt.write_text(DBT_SHIM.format(log=root / "dbt-calls.log", python=venv / "bin" / "python"))
    dbt.chmod(0o755)
    return venv


def write_dbt_project(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dbt_project.yml").write_text(DBT_PROJECT)
    for name, text in DBT_FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text + "\n")
    return folder


def write_project(root: Path, wheels: Sequence[Path], *, component: bool = True) -> DgProject:
    """The project of the module docstring (``component=False``: no ``defs/shop`` yet)."""
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    package = root / "src" / PACKAGE
    (package / "defs").mkdir(parents=True)
    (package / "components").mkdir()
    for init in (package, package / "defs", package / "components"):
        (init / "__init__.py").write_text("")
    (package / "definitions.py").write_text(DEFINITIONS)
    (package / "defs" / "reports.py").write_text(REPORTS)
    write_dbt_project(root / "dbt" / "shop")
    if component:
        shop = package / "defs" / "shop"
        shop.mkdir()
        (shop / "defs.yaml").write_text(DEFS_YAML)
        (shop / "floe.yaml").write_text(FLOE_YAML)
    make_venv(root, wheels)
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return DgProject(root, home)


def list_defs(project: DgProject) -> dict[str, list[dict[str, object]]]:
    """``dg list defs --json``, parsed."""
    out = project.dg("list", "defs", "--json").stdout
    loaded: dict[str, list[dict[str, object]]] = json.loads(out[out.index("{") :])
    return loaded


@contextmanager
def serving(
    project: DgProject, command: Sequence[str], *, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` in the project, in a process group of its own as a terminal gives it; on
    exit, Ctrl-C to the group (``leftovers`` then says what survived)."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(command),
            env=project.env(),
            cwd=project.root,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=30)


def leftovers(
    project: DgProject, seconds: float = WEBSERVER_GRPC_SERVER_HEARTBEAT_TTL + 15
) -> dict[int, str]:
    """The processes of this project (their environment names its DAGSTER_HOME) still alive
    after ``seconds``, pid -> command line; what is left is then killed.

    A code server whose webserver stopped without shutting it down (CI saw one right after a
    reload, on a loaded machine) exits by itself that long after its last heartbeat (45 s in
    Dagster 1.13; the daemon's code servers 20 s), so ``seconds`` waits past it."""
    deadline = time.monotonic() + seconds
    while (found := _ours(project.home)) and time.monotonic() < deadline:
        time.sleep(0.5)
    commands = {}
    for pid in found:
        try:
            commands[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            os.kill(pid, signal.SIGKILL)
        except OSError:
            continue
    return commands


def _ours(home: Path) -> list[int]:
    marker = f"DAGSTER_HOME={home}\0".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes():
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
