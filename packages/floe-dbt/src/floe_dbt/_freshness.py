"""Whether a manifest still describes its dbt project: the files dbt parses, against the
manifest's time.

dbt parses ``dbt_project.yml``, the package and selector files beside it, and the folders its
``*-paths`` name (dbt's defaults when they are not set). A file among them changed after the
manifest was written may add, drop or rewire a model that floe's assets, made from the
manifest, do not know of yet. Times, not contents: cheap enough to ask before every command,
and a false alarm (a file touched, not changed) costs one parse.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

PROJECT_FILES = ("dbt_project.yml", "packages.yml", "dependencies.yml", "selectors.yml")
RESOURCE_PATHS = {
    "model-paths": ["models"],
    "seed-paths": ["seeds"],
    "snapshot-paths": ["snapshots"],
    "macro-paths": ["macros"],
    "test-paths": ["tests"],
    "analysis-paths": ["analyses"],
}
"""dbt_project.yml's keys for the folders dbt parses, with dbt's defaults (``docs-paths``
defaults to these same folders)."""


def parsed_files(project_dir: Path) -> Iterator[Path]:
    """Every file dbt parses in ``project_dir`` (hidden files and folders aside)."""
    for name in PROJECT_FILES:
        if (project_dir / name).is_file():
            yield project_dir / name
    try:
        project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    except (OSError, yaml.YAMLError):
        project = None
    settings = project if isinstance(project, dict) else {}
    folders: set[Path] = set()
    for key, default in {**RESOURCE_PATHS, "docs-paths": []}.items():
        named = settings.get(key)
        paths = named if isinstance(named, list) else default
        folders.update((project_dir / p).resolve() for p in paths if isinstance(p, str))
    for folder in sorted(folders):
        for directory, subfolders, files in os.walk(folder):
            subfolders[:] = sorted(f for f in subfolders if not f.startswith("."))
            yield from (Path(directory, f) for f in sorted(files) if not f.startswith("."))


@dataclass(frozen=True)
class Staleness:
    """The files dbt parses that changed after a manifest was written."""

    newest: Path
    count: int

    def describe(self, manifest: Path, project_dir: Path) -> str:
        """``the dbt project's models/a.sql and 2 more of its files changed after
        target/manifest.json was written`` (paths inside the project relative to it)."""
        more = f" and {self.count - 1} more of its files" if self.count > 1 else ""
        return (
            f"the dbt project's {_within(self.newest, project_dir)}{more} changed after "
            f"{_within(manifest, project_dir)} was written"
        )


def _within(path: Path, project_dir: Path) -> Path:
    try:
        return path.resolve().relative_to(project_dir.resolve())
    except ValueError:
        return path


def manifest_staleness(manifest: Path, project_dir: Path) -> Staleness | None:
    """What changed in ``project_dir`` after ``manifest`` was written; None when nothing did
    (or there is no manifest, which is another error)."""
    try:
        written = manifest.stat().st_mtime
    except OSError:
        return None
    changed: list[tuple[float, Path]] = []
    for file in parsed_files(project_dir):
        try:
            modified = file.stat().st_mtime
        except OSError:
            continue
        if modified > written:
            changed.append((modified, file))
    if not changed:
        return None
    return Staleness(newest=max(changed)[1], count=len(changed))
