"""``floe init [DIR]``: a floe project from a dbt project.

Run where ``dbt_project.yml`` is, it writes a commented ``floe.yaml`` (the manifest path, one
batch job over every model, a nightly schedule that starts disabled, the observability
defaults), a one-line ``definitions.py`` and ``.gitignore`` entries for ``.floe/``, ``target/``
and the compiled artifact, and ``macros/floe_partitions.sql`` (the macros a partitioned model
filters with); it names a ``profiles.yml`` dbt would use by hand; then it
parses the dbt project when there is no manifest yet. It never overwrites a file.

Inside a ``dg`` project it stops and names the ``dg scaffold defs floe_dagster.FloeComponent``
command that adds the same floe.yaml as a component (``--standalone`` writes floe's own layout
there anyway).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from floe_config import ConfigIssue, FloeError, IssueCode, load_config
from floe_dagster._project import (
    STARTER_DEFINITIONS,
    dg_project_of,
    ignore_state,
    parse,
    project_name,
    starter_floe_yaml,
    write_partition_macros,
)
from floe_dagster.cli._term import progress


class InitError(FloeError):
    """``floe init`` cannot go on: the folder is no dbt project, or would lose a file."""

    def __init__(self, code: IssueCode, message: str, hint: str) -> None:
        super().__init__([ConfigIssue(code=code, path="", message=message, file=None, hint=hint)])


def in_dg_project(root: Path, folder: Path, what: str, fix: str) -> InitError:
    """The error that says ``folder`` is in the ``dg`` project ``root``, where a FloeComponent
    serves floe."""
    return InitError(
        IssueCode.IN_DG_PROJECT,
        f"{what}: {folder} is inside the dg project {root}, where floe is a Dagster component "
        "(floe_dagster.FloeComponent) and `dg dev` serves it",
        fix,
    )


def init(folder: Path, env: Mapping[str, str], *, standalone: bool = False) -> list[str]:
    """Write a floe project into the dbt project ``folder``; returns what it did, line by line."""
    folder = folder.absolute()
    root = None if standalone else dg_project_of(folder)
    if root is not None:
        raise in_dg_project(
            root,
            folder,
            "floe init",
            f"in {root}, run `dg scaffold defs floe_dagster.FloeComponent "
            f"{project_name(folder / 'dbt_project.yml')} --dbt-project "
            f"{folder.relative_to(root).as_posix() or '.'}` (it writes defs/<name>/), then "
            "`dg check defs` and `dg dev` (or pass --standalone for floe's own layout)",
        )
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
    floe_yaml.write_text(starter_floe_yaml(project_name(dbt_project)), encoding="utf-8")
    definitions.write_text(STARTER_DEFINITIONS, encoding="utf-8")
    done = [f"wrote {floe_yaml}", f"wrote {definitions}"]
    macros = write_partition_macros(folder)
    written = [floe_yaml, definitions, *([macros] if macros is not None else [])]
    if macros is not None:
        done.append(f"wrote {macros} (in_partition, partition_replace: for partitioned models)")
    gitignore, added = ignore_state(folder)
    if added:
        done.append(f"added {', '.join(added)} to {gitignore}")
    done += _own_profile(folder, env)
    config = load_config(floe_yaml, env=env)
    manifest = config.path(config.dbt_manifest_path or "target/manifest.json")
    if manifest.is_file():
        done.append(f"the manifest is there already: {manifest}")
    else:
        try:
            with progress(f"dbt parse of {folder.name}"):
                done.append(f"wrote {parse(config, env)}")
        except FloeError as error:  # the files are written: a second init would refuse them
            raise FloeError(
                replace(
                    issue,
                    hint=f"{issue.hint or 'fix it'}; floe init has written "
                    f"{', '.join(str(p) for p in written)}: once "
                    "fixed, `floe parse` writes the manifest (floe init again would refuse to "
                    "overwrite them)",
                )
                for issue in error.issues
            ) from None
    done.append("next: floe validate, floe plan, floe dev")
    return done


def _own_profile(folder: Path, env: Mapping[str, str]) -> list[str]:
    """A line on the profiles.yml dbt would use by hand, when there is one: floe writes its
    own DuckDB profile from ``storage`` unless floe.yaml names that folder."""
    candidates = (
        [folder, Path(env["DBT_PROFILES_DIR"])] if env.get("DBT_PROFILES_DIR") else [folder]
    )
    candidates.append(Path(env.get("HOME", "~")).expanduser() / ".dbt")
    found = next((c for c in candidates if (c / "profiles.yml").is_file()), None)
    if found is None:
        return []
    return [
        f"dbt runs with the DuckDB profile floe writes from floe.yaml's storage; to use "
        f"{found / 'profiles.yml'} instead, set transforms.dbt.profiles_dir: {found} "
        "(and transforms.dbt.target: <one of its targets>) in floe.yaml"
    ]


def init_command(folder: Path, env: Mapping[str, str], *, standalone: bool = False) -> int:
    """``floe init [DIR]``: what it did, a line each (a ``FloeError`` says why it could not)."""
    print("\n".join(init(folder, env, standalone=standalone)))
    return 0
