"""``floe init [DIR]``: a floe project from a dbt project.

Run where ``dbt_project.yml`` is, it writes a commented ``floe.yaml`` (the manifest path, one
batch job over every model, a nightly schedule that starts disabled, the observability
defaults), a one-line ``definitions.py`` and a ``.gitignore`` entry for ``.floe/``; then it
parses the dbt project when there is no manifest yet. It never overwrites a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from floe_config import ConfigIssue, FloeError, IssueCode, load_config
from floe_dagster._project import STARTER_DEFINITIONS, STARTER_FLOE_YAML, parse, project_name
from floe_dagster.cli._term import progress

IGNORED = ".floe/"


class InitError(FloeError):
    """``floe init`` cannot go on: the folder is no dbt project, or would lose a file."""

    def __init__(self, code: IssueCode, message: str, hint: str) -> None:
        super().__init__([ConfigIssue(code=code, path="", message=message, file=None, hint=hint)])


def init(folder: Path, env: Mapping[str, str]) -> list[str]:
    """Write a floe project into the dbt project ``folder``; returns what it did, line by line."""
    folder = folder.absolute()
    dbt_project = folder / "dbt_project.yml"
    if not dbt_project.is_file():
        raise InitError(
            IssueCode.NOT_A_DBT_PROJECT,
            f"floe init: no dbt_project.yml in {folder}",
            "run it in a dbt project's folder (or pass that folder: floe init path/to/dbt_project)",
        )
    floe_yaml, definitions = folder / "floe.yaml", folder / "definitions.py"
    existing = [p for p in (floe_yaml, definitions) if p.exists()]
    if existing:
        names = " and ".join(str(p) for p in existing)
        raise InitError(
            IssueCode.WOULD_OVERWRITE,
            f"floe init: {names} already exist(s); floe init never overwrites a file",
            "move it away, or edit it by hand",
        )
    floe_yaml.write_text(STARTER_FLOE_YAML.format(name=project_name(dbt_project)), encoding="utf-8")
    definitions.write_text(STARTER_DEFINITIONS, encoding="utf-8")
    done = [f"wrote {floe_yaml}", f"wrote {definitions}"]
    gitignore = folder / ".gitignore"
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.exists() else []
    if not {IGNORED, IGNORED.rstrip("/"), "/" + IGNORED} & {line.strip() for line in lines}:
        with gitignore.open("a", encoding="utf-8") as out:
            if lines and lines[-1].strip():
                out.write("\n")
            out.write("# floe's local state (Dagster instance, catalog, DuckDB, dbt target)\n")
            out.write(f"{IGNORED}\n")
        done.append(f"added {IGNORED} to {gitignore}")
    config = load_config(floe_yaml, env=env)
    manifest = config.path(config.dbt_manifest_path or "target/manifest.json")
    if manifest.is_file():
        done.append(f"the manifest is there already: {manifest}")
    else:
        with progress(f"dbt parse of {folder.name}"):
            done.append(f"wrote {parse(config, env)}")
    done.append("next: floe validate, floe plan, floe dev")
    return done


def init_command(folder: Path, env: Mapping[str, str]) -> int:
    """``floe init [DIR]``: what it did, a line each (a ``FloeError`` says why it could not)."""
    print("\n".join(init(folder, env)))
    return 0
