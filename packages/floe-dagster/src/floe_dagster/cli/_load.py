"""floe.yaml and its definitions for a ``floe`` command that describes them (validate, plan)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dagster import Definitions

from floe_config import (
    ConfigIssue,
    FloeConfig,
    FloeConfigError,
    FloeError,
    IssueCode,
    load_config,
    locate_manifest,
    salvage_config,
)
from floe_dagster._definitions import build_definitions
from floe_dagster._errors import FloeDagsterError, warn, warnings_collected
from floe_dagster._project import stale_manifest
from floe_dagster.cli._term import progress


def load_for_command(
    path: Path, manifest: Path | None, env: Mapping[str, str]
) -> tuple[FloeConfig, Definitions]:
    """floe.yaml at ``path`` and its definitions (every problem at once), with progress.

    When floe.yaml has problems of its own, the rest of it (``salvage_config``) is built too,
    so that what only the built assets show (a selection or a pattern that matches nothing, a
    dbt source) is reported in the same round: one ``FloeConfigError`` lists them all."""
    manifest_path = manifest.absolute() if manifest else None
    try:
        config = load_config(path, env=env)
    except FloeConfigError as error:
        more = _more_problems(path, manifest_path, env, error)
        raise FloeConfigError([*error.issues, *more]) from None
    located = locate_manifest(config) if manifest_path is None else None
    stale = stale_manifest(config, located) if located is not None else None
    if stale is not None:
        warn(stale)
    with progress("loading the code location"):
        definitions = build_definitions(config, manifest_path=manifest_path, env=env)
    return config, definitions


def _more_problems(
    path: Path, manifest: Path | None, env: Mapping[str, str], error: FloeConfigError
) -> list[ConfigIssue]:
    """What building the rest of floe.yaml finds, besides ``error``'s problems."""
    rest = salvage_config(path, env=env, issues=error.issues)
    if rest is None:
        return []
    with warnings_collected() as salvaged:
        try:
            with progress("checking the rest against the code location"):
                build_definitions(rest, manifest_path=manifest, env=env)
        except FloeDagsterError as more:  # only what leaving entries out cannot have caused
            found = [i for i in more.issues if i.code in INDEPENDENT]
        except FloeError as more:  # the manifest's or the dbt project's
            known = {(i.path, i.code, i.message) for i in error.issues}
            found = [i for i in more.issues if (i.path, i.code, i.message) not in known]
        else:
            found = []
    for issue in salvaged:  # partitions no asset has: the patterns that gave them may be left out
        if issue.code is not IssueCode.PARTITIONS_UNUSED:
            warn(issue)
    return found


INDEPENDENT = frozenset(
    {
        IssueCode.INVALID_SELECTION,
        IssueCode.SELECTION_MATCHES_NOTHING,
        IssueCode.UNKNOWN_ASSET,
        IssueCode.MISSING_MODULE,
        IssueCode.MODULE_IMPORT_ERROR,
        IssueCode.MODULE_SYNTAX_ERROR,
        IssueCode.MODULE_REJECTED,
        IssueCode.DUPLICATE_ASSET,
        IssueCode.DUPLICATE_MODULE,
        IssueCode.DBT_PROJECT_NOT_FOUND,
        IssueCode.DBT_PROJECT_UNREADABLE,
        IssueCode.PROFILES_DIR_NOT_FOUND,
        IssueCode.PROFILES_YML_NOT_FOUND,
    }
)
"""What a build of the salvaged rest of floe.yaml reports: problems of the assets themselves
(selections against them, modules, the dbt project), which no entry left out can cause. A
problem between entries (a backfill of a job whose partitions were left out) may only echo
the first round's, so it waits for the next."""
