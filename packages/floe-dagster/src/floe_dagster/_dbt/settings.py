"""Where dbt runs for one code location: the project (dagster-dbt's ``DbtProject``), manifest,
profiles, target and floe's dbt state, each checked at load time.

floe-config decides which floe.yaml key each setting comes from (``orchestration.dbt`` over
``transforms.dbt``, key by key: ``FloeConfig.dbt_setting``). dagster-dbt's ``DbtProject``
reads the project (its folder, ``dbt_project.yml``, its name); floe adds what it does not
check: that ``profiles_dir`` is a folder holding ``profiles.yml``. A wrong folder is a floe.yaml
error at its line, never a failure inside dagster-dbt's resource or a run.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dagster_dbt import DbtProject
from dagster_dbt.errors import DagsterDbtProjectNotFoundError, DagsterDbtProjectYmlFileNotFoundError

from floe_config import FloeConfig, IssueCode, KeyPath, render_path, state_directory
from floe_dagster._errors import Problems
from floe_dbt import copy_atomically


@dataclass(frozen=True)
class DbtSettings:
    """Where the dbt project, its manifest and floe's dbt state live for one code location."""

    project_dir: Path
    manifest_path: Path
    state_dir: Path
    """floe's dbt state: ``target/<invocation>``, ``logs/`` and the generated ``profiles/``."""
    profiles_dir: Path | None = None
    """The user's profiles folder; None when floe generates the profile from ``storage``."""
    target: str | None = None
    target_key: str | None = None
    """The floe.yaml key the target came from (``orchestration.dbt.target``)."""
    project: DbtProject | None = None
    """dagster-dbt's view of the project (None when it cannot be read: a problem says why)."""


def dbt_state_dir(config: FloeConfig, env: Mapping[str, str]) -> Path:
    """Where floe's dbt invocations keep their profile, targets and saved parse."""
    return state_directory(config, env) / "dbt"


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):  # a name too long, or with a NUL byte
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _project(
    config: FloeConfig, project_dir: Path, key: KeyPath, target: str | None, problems: Problems
) -> DbtProject | None:
    """dagster-dbt's ``DbtProject`` of ``project_dir``, or None and a problem at ``key``."""
    try:
        return DbtProject(project_dir, target=target)
    except (DagsterDbtProjectNotFoundError, DagsterDbtProjectYmlFileNotFoundError, OSError):
        problems.append(
            config.source.issue(
                key,
                IssueCode.DBT_PROJECT_NOT_FOUND,
                f"no dbt project at {project_dir} (no dbt_project.yml)",
                "point project_dir at the folder that holds dbt_project.yml",
            )
        )
    except Exception as error:  # dbt_project.yml is there, but not a project dagster-dbt reads
        problems.append(
            config.source.issue(
                key,
                IssueCode.DBT_PROJECT_UNREADABLE,
                f"{project_dir / 'dbt_project.yml'} cannot be read: "
                f"{type(error).__name__}: {error}",
                "fix dbt_project.yml (dbt parse says what dbt thinks of it)",
            )
        )
    return None


def _check_profiles(
    config: FloeConfig, profiles: str, profiles_dir: Path, key: KeyPath, problems: Problems
) -> None:
    if not _is_dir(profiles_dir):
        problems.append(
            config.source.issue(
                key,
                IssueCode.PROFILES_DIR_NOT_FOUND,
                f"profiles_dir {profiles!r} is not a folder ({profiles_dir})",
                "point it at the folder that holds profiles.yml, or remove it to let floe "
                "generate the profile from `storage`",
            )
        )
    elif not _is_file(profiles_dir / "profiles.yml"):
        problems.append(
            config.source.issue(
                key,
                IssueCode.PROFILES_YML_NOT_FOUND,
                f"{profiles_dir} holds no profiles.yml",
                "add profiles.yml there, or remove profiles_dir to let floe generate it",
            )
        )


def own_warehouse(config: FloeConfig, settings: DbtSettings) -> Path | None:
    """floe's DuckDB file when floe generates the dbt profile (and so owns the warehouse)."""
    if settings.profiles_dir is not None or config.storage.compute.type != "duckdb":
        return None
    return config.path(config.storage.compute.path)


def table_metadata_on(config: FloeConfig) -> bool:
    """Whether a dbt step records its models' row counts and columns
    (``orchestration.dbt.table_metadata``, on by default)."""
    dbt = config.orchestration.dbt
    return dbt is None or dbt.table_metadata


def metadata_through_adapter(config: FloeConfig, settings: DbtSettings) -> bool:
    """Whether a dbt step reads its models' row counts and columns through dbt's adapter in
    its own process (dagster-dbt's fetches): only for a warehouse floe does not own, with
    ``table_metadata`` on. floe reads its own DuckDB file without one."""
    return table_metadata_on(config) and own_warehouse(config, settings) is None


PARTIAL_PARSE = "partial_parse.msgpack"
"""dbt's saved parse, kept beside the manifest it wrote: a dbt step that starts from it parses
only what changed since (dbt checks that it may: same dbt, profile, vars and files)."""


FAST_TEST_EDGES = "DBT_USE_FAST_TEST_EDGES"
"""dbt's own switch for how ``dbt build`` orders tests before the models downstream of them.
dbt's default adds an edge from every test to every node whose upstream holds the test's nodes,
which costs 35 s at 10,000 models and 10,000 tests for a step that builds one model; its faster
method orders the same nodes the same way with fewer edges (dbt's ``_get_test_edges_2``). floe's
dbt steps use it unless the environment sets the variable itself (``false`` restores dbt's
default)."""


def build_flags(environment: Mapping[str, str]) -> list[str]:
    """The flags floe adds to each dbt step's ``dbt build``."""
    return [] if FAST_TEST_EDGES in environment else ["--use-fast-test-edges"]


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def seed_partial_parse(manifest_path: Path, target_path: Path, state_dir: Path) -> None:
    """Give a dbt step's own target folder a saved parse (a 10,000 model project otherwise
    parses from scratch in every dbt step): the newer of the one beside ``manifest_path`` and
    the one the last dbt step without vars left in ``state_dir`` (``keep_partial_parse``). That
    one was parsed with this machine's profile, which the parse of an image build or CI may not
    share (dbt keeps a saved parse only when profile, vars and files match)."""
    seeded = target_path / PARTIAL_PARSE
    found = [
        (mtime, path)
        for path in (manifest_path.with_name(PARTIAL_PARSE), state_dir / PARTIAL_PARSE)
        if (mtime := _mtime(path)) is not None
    ]
    if found and not seeded.exists():
        target_path.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(max(found)[1], seeded)
        except OSError:  # replaced meanwhile: dbt parses in full, as without one
            return


def keep_partial_parse(target_path: Path, state_dir: Path) -> None:
    """Keep the parse a dbt step without vars wrote, for the next steps (written aside, then
    renamed: steps finishing together never leave half a file)."""
    made = target_path / PARTIAL_PARSE
    if not made.is_file():
        return
    try:
        copy_atomically(made, state_dir / PARTIAL_PARSE)
    except OSError:  # a full disk or a removed state folder: the next step parses in full
        return


def dbt_settings(
    config: FloeConfig,
    *,
    manifest_path: Path,
    env: Mapping[str, str],
    problems: Problems,
) -> DbtSettings:
    """The dbt settings of ``config``; every folder that is not what it should be is a problem."""
    project, project_key = config.dbt_setting("project_dir")
    if project:
        project_dir = config.path(project)
    else:
        project_dir, project_key = manifest_path.parent.parent, ("orchestration", "dbt")
    target, target_key = config.dbt_setting("target")
    read = _project(config, project_dir, project_key, target, problems)
    profiles, profiles_key = config.dbt_setting("profiles_dir")
    profiles_dir = config.path(profiles) if profiles else None
    if profiles and profiles_dir is not None:
        _check_profiles(config, profiles, profiles_dir, profiles_key, problems)
    return DbtSettings(
        project_dir=project_dir,
        manifest_path=manifest_path,
        state_dir=dbt_state_dir(config, env),
        profiles_dir=profiles_dir,
        target=target,
        target_key=render_path(target_key) if target else None,
        project=read,
    )
