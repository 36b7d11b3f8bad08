"""Running dbt the floe way: a generated profile, state outside the project, no network but
the package installs a project declares."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from floe_config import FloeConfig, IssueCode
from floe_dbt._errors import PARSE_FAILED_HINT, FloeDbtError
from floe_dbt._profiles import duckdb_profile, project_profile_name, write_profiles

# Nothing dbt does here may reach for the network: no anonymous usage stats, no version check.
OFFLINE_ENV = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DBT_VERSION_CHECK": "false",
    "DO_NOT_TRACK": "1",
}


def step_target_path(state_dir: Path, run_id: str, step_key: str) -> Path:
    """dbt's target folder for one step of one orchestrator run, under floe's dbt state.

    Fixed per run and step, so that whoever observes the step finds its ``run_results.json``;
    distinct per step, so that parallel steps never share one.
    """
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in step_key)
    return state_dir / "target" / run_id / safe


DEPENDENCY_FILES = ("packages.yml", "dependencies.yml")
"""The files where a dbt project declares the packages ``dbt deps`` installs."""
DEPS_FAILED_HINT = (
    "fix packages.yml (or dependencies.yml) as dbt's output above says; a hub or git package "
    "needs the network: where it is out of reach, run `dbt deps` where it is not and copy "
    "dbt_packages/ over"
)


def _yaml_file(path: Path) -> dict[str, Any]:
    """A YAML mapping file, or {} when it is missing or not plain YAML (dbt reads it itself)."""
    try:
        loaded = yaml.safe_load(path.read_text()) if path.is_file() else None
    except (OSError, yaml.YAMLError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def packages_missing(project_dir: Path) -> bool:
    """Whether the project declares more dbt packages than its install folder holds: the count
    dbt makes before it refuses to parse ("Run dbt deps")."""
    declared = 0
    for name in DEPENDENCY_FILES:
        packages = _yaml_file(project_dir / name).get("packages")
        declared += len(packages) if isinstance(packages, list) else 0
    if not declared:
        return False
    folder = _yaml_file(project_dir / "dbt_project.yml").get("packages-install-path")
    install = project_dir / (folder if isinstance(folder, str) else "dbt_packages")
    installed = sum(1 for p in install.iterdir() if p.is_dir()) if install.is_dir() else 0
    return installed < declared


def dbt_said(output: str) -> str:
    """dbt's output for an error message: up to a Python traceback dbt prints after its own
    message (its last line, the exception, when dbt said nothing before it)."""
    lines = output.strip().splitlines()
    cut = next(
        (i for i, line in enumerate(lines) if "Traceback (most recent call last)" in line), None
    )
    if cut is None:
        return "\n".join(lines)
    said = "\n".join(lines[:cut]).strip()
    return said or lines[-1]


def install_packages(project_dir: Path, *, lock_dir: Path, env: Mapping[str, str]) -> None:
    """``dbt deps`` when the project declares packages that are not installed (as dagster-dbt's
    preparation does), one process at a time per ``lock_dir``; what dbt says when it cannot is
    the error. A parse runs it first; so does whatever fingerprints the project's files before
    parsing (``package-lock.yml`` is one of them)."""
    if not (project_dir / "dbt_project.yml").is_file() or not packages_missing(project_dir):
        return  # no project: the parse says so
    lock_dir.mkdir(parents=True, exist_ok=True)
    with (lock_dir / ".dbt-deps.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not packages_missing(project_dir):  # another process installed them meanwhile
            return
        command = [dbt_executable(), "--no-use-colors", "deps", "--project-dir", str(project_dir)]
        command += ["--log-path", str(lock_dir / "logs")]
        completed = subprocess.run(
            command,
            env={**env, **OFFLINE_ENV},
            cwd=lock_dir,
            capture_output=True,
            text=True,
            check=False,
        )
    if completed.returncode != 0:
        raise FloeDbtError(
            f"dbt deps failed (exit {completed.returncode}):\n"
            f"{dbt_said(completed.stdout + completed.stderr)}",
            code=IssueCode.DBT_DEPS_FAILED,
            path=str(project_dir),
            hint=DEPS_FAILED_HINT,
        )


def dbt_executable() -> str:
    """The ``dbt`` next to this interpreter (never a ``dbtf`` Fusion binary found on PATH)."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.is_file():
        return str(beside)
    found = shutil.which("dbt")
    if found is None:
        raise FloeDbtError(
            "no dbt executable",
            code=IssueCode.DBT_NOT_INSTALLED,
            hint="install dbt-core and dbt-duckdb",
        )
    return found


@dataclass(frozen=True)
class DbtResult:
    """One finished dbt invocation."""

    command: tuple[str, ...]
    returncode: int
    output: str
    target_path: Path

    @property
    def success(self) -> bool:
        return self.returncode == 0

    def run_results(self) -> dict[str, Any]:
        """``run_results.json`` of the invocation (empty when dbt wrote none)."""
        path = self.target_path / "run_results.json"
        if not path.is_file():
            return {}
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded


class DbtRunner:
    """Runs dbt for one project with every writable path under ``state_dir``.

    - ``profiles.yml`` is generated from ``config.storage`` (DuckDB + Iceberg plugin) into
      ``state_dir/profiles`` unless ``profiles_dir`` (or the project's own) is given;
    - ``target/`` and ``logs/`` go to ``state_dir/target`` and ``state_dir/logs``;
    - usage stats and the version check are off.

    ``env`` (default: the process environment) must be the environment ``config`` was resolved
    from: the generated profile reads values from the environment with ``env_var()`` rather
    than holding them.

    >>> runner = DbtRunner(project_dir="dbt", state_dir=".floe/dbt", config=cfg)  # doctest: +SKIP
    >>> runner.build(select=["stg_orders+"]).success  # doctest: +SKIP
    True
    """

    def __init__(
        self,
        *,
        project_dir: str | Path,
        state_dir: str | Path,
        config: FloeConfig | None = None,
        profiles_dir: str | Path | None = None,
        target: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.project_dir = Path(project_dir).absolute()
        self.state_dir = Path(state_dir).absolute()
        self.config = config
        self.target = target
        self._profiles_dir = Path(profiles_dir).absolute() if profiles_dir else None
        self._env = dict(os.environ if env is None else env)

    @property
    def target_path(self) -> Path:
        return self.state_dir / "target"

    @property
    def log_path(self) -> Path:
        return self.state_dir / "logs"

    def profiles_dir(self) -> Path:
        """The profiles directory dbt will use, generating profiles.yml when floe owns it."""
        if self._profiles_dir is not None:
            return self._profiles_dir
        if self.config is None:
            if (self.project_dir / "profiles.yml").is_file():
                return self.project_dir
            raise FloeDbtError(
                "no profiles.yml and no floe config to generate one from",
                code=IssueCode.PROFILES_YML_NOT_FOUND,
                path=str(self.project_dir),
                hint="pass the floe.yaml (its `storage` section describes the DuckDB target)",
            )
        profile = project_profile_name(self.project_dir)
        directory = self.state_dir / "profiles"
        write_profiles(directory, duckdb_profile(self.config, profile=profile, target=self.target))
        return directory

    def environment(self) -> dict[str, str]:
        """The environment dbt runs with (offline flags and floe's writable paths)."""
        env = dict(self._env)
        env.update(OFFLINE_ENV)
        env["DBT_TARGET_PATH"] = str(self.target_path)
        env["DBT_LOG_PATH"] = str(self.log_path)
        env["DBT_PROFILES_DIR"] = str(self.profiles_dir())
        return env

    def command(self, subcommand: str, *args: str) -> list[str]:
        command = [dbt_executable(), "--no-use-colors", subcommand]
        command += ["--project-dir", str(self.project_dir)]
        command += ["--profiles-dir", str(self.profiles_dir())]
        command += ["--target-path", str(self.target_path), "--log-path", str(self.log_path)]
        if self.target:
            command += ["--target", self.target]
        return command + list(args)

    def run(self, subcommand: str, *args: str) -> DbtResult:
        if not (self.project_dir / "dbt_project.yml").is_file():
            raise FloeDbtError(
                "not a dbt project (no dbt_project.yml)",
                code=IssueCode.DBT_PROJECT_NOT_FOUND,
                path=str(self.project_dir),
                hint="point transforms.dbt.project_dir at the folder that holds dbt_project.yml",
            )
        self.state_dir.mkdir(parents=True, exist_ok=True)
        command = self.command(subcommand, *args)
        completed = subprocess.run(
            command,
            env=self.environment(),
            cwd=self.state_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        return DbtResult(
            command=tuple(command),
            returncode=completed.returncode,
            output=completed.stdout + completed.stderr,
            target_path=self.target_path,
        )

    def parse(self) -> Path:
        """``dbt parse`` (after ``dbt deps`` when declared packages are missing); returns the
        path of the fresh manifest.json."""
        install_packages(self.project_dir, lock_dir=self.state_dir.parent, env=self._env)
        result = self.run("parse", "--no-partial-parse")
        manifest = self.target_path / "manifest.json"
        if not result.success or not manifest.is_file():
            raise FloeDbtError(
                f"dbt parse failed (exit {result.returncode}):\n{dbt_said(result.output)}",
                code=IssueCode.DBT_PARSE_FAILED,
                path=str(self.project_dir),
                hint=PARSE_FAILED_HINT,
            )
        return manifest

    def build(
        self,
        *,
        select: Sequence[str] = (),
        exclude: Sequence[str] = (),
        vars: Mapping[str, Any] | None = None,
    ) -> DbtResult:
        """``dbt build`` of the selection (all when empty) with ``--vars``."""
        args: list[str] = []
        if select:
            args += ["--select", *select]
        if exclude:
            args += ["--exclude", *exclude]
        if vars:
            args += ["--vars", json.dumps(dict(vars))]
        return self.run("build", *args)
