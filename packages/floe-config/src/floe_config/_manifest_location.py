"""Where floe.yaml's dbt manifest is, and the command that makes one when it is not there.

The manifest is ``orchestration.dbt.manifest_path`` (default ``<project_dir>/target/manifest.json``,
where ``dbt parse`` writes it). In a Bazel workspace a build rule may write it to ``bazel-bin/``
instead, mirroring the dbt project's folder: floe looks there too, so that ``floe validate``
works after ``tools/bazel build`` without a ``--manifest``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from floe_config._model import FloeConfig

WORKSPACE_FILES = ("WORKSPACE", "WORKSPACE.bazel", "MODULE.bazel")


def workspace_root(start: Path) -> Path | None:
    """The Bazel workspace holding ``start`` (None outside one)."""
    for folder in [start, *start.parents]:
        if any((folder / name).is_file() for name in WORKSPACE_FILES):
            return folder
    return None


def _bazel_candidates(config: FloeConfig, configured: Path) -> list[Path]:
    root = workspace_root(config.source.directory)
    if root is None:
        return []
    candidates = []
    folders = [configured.parent]
    if config.dbt_project_dir:
        folders.append(config.path(config.dbt_project_dir))
    for folder in folders:
        try:
            relative = Path(os.path.normpath(folder)).relative_to(root)
        except ValueError:
            continue
        candidates.append(root / "bazel-bin" / relative / "manifest.json")
    return list(dict.fromkeys(candidates))


def locate_manifest(config: FloeConfig) -> Path | None:
    """The manifest floe.yaml means: its configured path when that file exists, else a Bazel
    build's copy of it, else the configured path (so that errors name it). None without dbt."""
    if not config.dbt_manifest_path:
        return None
    configured = config.path(config.dbt_manifest_path)
    if configured.is_file():
        return configured
    for candidate in _bazel_candidates(config, configured):
        if candidate.is_file():
            return candidate
    return configured


def _bazel_manifest_target(config: FloeConfig) -> str | None:
    """``//pkg:manifest`` when the dbt project's Bazel package defines a ``manifest`` target."""
    if not config.dbt_project_dir:
        return None
    project = config.path(config.dbt_project_dir)
    root = workspace_root(project)
    build = next((project / n for n in ("BUILD.bazel", "BUILD") if (project / n).is_file()), None)
    if root is None or build is None:
        return None
    if not re.search(r"""name\s*=\s*["']manifest["']""", build.read_text(errors="replace")):
        return None
    return f"//{Path(os.path.normpath(project)).relative_to(root).as_posix()}:manifest"


def manifest_fix(config: FloeConfig) -> str:
    """The command that writes the missing manifest, as a ``fix:`` line."""
    here = Path.cwd()
    source = config.source.file
    try:
        shown = source.relative_to(here)
    except ValueError:
        shown = source
    fix = f"run `floe parse {shown}` (dbt parse with floe's profile; it writes the manifest)"
    target = _bazel_manifest_target(config)
    if target:
        fix += f", or build it with `tools/bazel build {target}`"
    return fix
