"""The one place that decides where dbt runs: project, manifest, profiles, target, state.

``orchestration.dbt`` wins over ``transforms.dbt`` key by key. Every path is checked here, at
load time, so that a wrong folder is a floe.yaml error at its line, never a failure inside
dagster-dbt's resource or a run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from floe_config import FloeConfig, IssueCode, render_path
from floe_dagster._problems import KeyPath, Problems
from floe_dagster._state import state_directory


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


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long, or with a NUL byte
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _setting(config: FloeConfig, key: str) -> tuple[str | None, KeyPath]:
    """A dbt setting and the floe.yaml key it came from (orchestration.dbt first)."""
    orchestration = config.orchestration.dbt
    value = getattr(orchestration, key, None) if orchestration else None
    if value:
        return value, ("orchestration", "dbt", key)
    transforms = config.transforms.dbt
    value = getattr(transforms, key, None) if transforms else None
    return value, ("transforms", "dbt", key)


def dbt_settings(
    config: FloeConfig,
    *,
    manifest_path: Path,
    env: Mapping[str, str],
    problems: Problems,
) -> DbtSettings:
    """The dbt settings of ``config``; every folder that is not what it should be is a problem."""
    project, project_key = _setting(config, "project_dir")
    if project:
        project_dir = config.path(project)
    else:
        project_dir, project_key = manifest_path.parent.parent, ("orchestration", "dbt")
    if not _is_file(project_dir / "dbt_project.yml"):
        problems.add(
            config,
            project_key,
            IssueCode.DBT_PROJECT_NOT_FOUND,
            f"no dbt project at {project_dir} (no dbt_project.yml)",
            "point project_dir at the folder that holds dbt_project.yml",
        )
    profiles, profiles_key = _setting(config, "profiles_dir")
    profiles_dir = config.path(profiles) if profiles else None
    if profiles_dir is not None:
        if not _is_dir(profiles_dir):
            problems.add(
                config,
                profiles_key,
                IssueCode.PROFILES_DIR_NOT_FOUND,
                f"profiles_dir {profiles!r} is not a folder ({profiles_dir})",
                "point it at the folder that holds profiles.yml, or remove it to let floe "
                "generate the profile from `storage`",
            )
        elif not _is_file(profiles_dir / "profiles.yml"):
            problems.add(
                config,
                profiles_key,
                IssueCode.PROFILES_YML_NOT_FOUND,
                f"{profiles_dir} holds no profiles.yml",
                "add profiles.yml there, or remove profiles_dir to let floe generate it",
            )
    target, target_key = _setting(config, "target")
    return DbtSettings(
        project_dir=project_dir,
        manifest_path=manifest_path,
        state_dir=state_directory(config, env) / "dbt",
        profiles_dir=profiles_dir,
        target=target,
        target_key=render_path(target_key) if target else None,
    )
