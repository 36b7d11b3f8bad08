"""``floe plan``: what floe.yaml will do, before it runs anything.

It builds the code location as the webserver would (imports the asset modules, reads the dbt
manifest) and runs no asset and no dbt. The plan is the snapshot of what was built
(``_snapshot``, the one ``floe validate`` renders too) and the changes since the last compile:
one JSON-able document (``--json``; its format is documented in ``docs/plan.md`` and versioned
by ``plan_version``), which the text output renders:

- the warnings a load gives (a pattern that matches nothing, partitions no asset has, a
  schedule that leaves out what automation owns), each once: the load's log does not repeat them;
- each ``assets:`` pattern and the assets it matched;
- each asset: group, kinds, partitions, automation condition, upstream assets;
- each job and its assets; each schedule with its next 3 ticks in its own timezone;
- each sensor and what it watches; each partitions definition with its first and last keys and
  how many there are; each named backfill with its batches;
- the changes since the compiled artifact next to floe.yaml (``floe compile`` wrote it): assets,
  jobs, schedules, sensors and partitions added, removed or changed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from floe_config import (
    DEFAULT_ARTIFACT_NAME,
    ConfigIssue,
    FloeConfig,
    FloeConfigError,
    read_artifacts,
    resolve,
    state_directory,
)
from floe_dagster._definitions import build_definitions
from floe_dagster._errors import FloeDagsterError, warnings_collected
from floe_dagster.cli._load import load_for_command
from floe_dagster.cli._snapshot import snapshot, status
from floe_dagster.cli._summary import recorded_instance
from floe_dagster.cli._term import Style
from floe_dbt import FloeDbtError

if TYPE_CHECKING:
    from dagster import Definitions

PLAN_VERSION = 1
COMPARED = {
    "assets": ("group", "kinds", "partitions", "automation", "upstream"),
    "jobs": ("type", "assets", "partitions", "target_function"),
    "schedules": ("job", "cron_schedule", "timezone", "enabled"),
    "sensors": ("type", "job", "enabled", "watches"),
    "partitions": ("description", "first"),
}
"""What a change is, per section. Time moves the rest (next ticks, the newest partition)."""


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Per section: the names added, removed and changed (in the fields ``COMPARED`` names)."""
    result = {}
    for section, fields in COMPARED.items():
        old, new = before.get(section, {}), after.get(section, {})

        def view(entry: Mapping[str, Any], fields: tuple[str, ...] = fields) -> dict[str, Any]:
            return {f: entry.get(f) for f in fields}

        result[section] = {
            "added": sorted(set(new) - set(old)),
            "removed": sorted(set(old) - set(new)),
            "changed": sorted(k for k in set(old) & set(new) if view(old[k]) != view(new[k])),
        }
    return result


def compiled_artifacts_of(config: FloeConfig, env: Mapping[str, str]) -> list[Path]:
    """Where a compiled artifact of this floe.yaml may be, newest first: beside it (``floe
    compile``), in Bazel's ``bazel-bin`` (a build of the checkout holding it) and in the state
    directory (what ``floe dev`` last served). Only those that exist."""
    folder = config.source.directory
    places = [folder / DEFAULT_ARTIFACT_NAME, state_directory(config, env) / DEFAULT_ARTIFACT_NAME]
    root = next((d for d in [folder, *folder.parents] if (d / "WORKSPACE").is_file()), None)
    if root is not None and (root / "bazel-bin").is_dir():
        places.append(root / "bazel-bin" / folder.relative_to(root) / DEFAULT_ARTIFACT_NAME)
    found = [p for p in places if p.is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def _previous(
    config: FloeConfig, env: Mapping[str, str], instance: Any = None, against: Path | None = None
) -> tuple[str | None, Any, str | None]:
    """(artifact path, its snapshot, why there is none) for ``against`` (a compiled artifact,
    say main's), else the newest artifact of floe.yaml (``compiled_artifacts_of``).

    ``against`` was named on purpose (a CI job comparing with main's): when it is not there or
    is not a compiled artifact, that is an error, not a plan without changes. An artifact floe
    found itself that no longer reads, or whose floe.yaml no longer builds, is a note."""
    if against is not None:  # read as if beside floe.yaml: its paths resolve from there
        artifact = against
        artifacts = read_artifacts(
            against, placed_at=config.source.directory / DEFAULT_ARTIFACT_NAME
        )
    else:
        found = next(iter(compiled_artifacts_of(config, env)), None)
        if found is None:
            return (
                None,
                None,
                f"no {DEFAULT_ARTIFACT_NAME} beside floe.yaml, in bazel-bin or in the state "
                "directory (`floe compile`, a Bazel build or `floe dev` writes one)",
            )
        artifact = found
        try:  # where it was written, as its paths were recorded
            artifacts = read_artifacts(found)
        except FloeConfigError as error:
            return str(found), None, _stale(error)
    try:
        old = resolve(artifacts, env=env)
        manifest = artifacts.manifest_file
        definitions = build_definitions(
            old,
            manifest_path=manifest if manifest is not None and manifest.is_file() else None,
            env=env,
        )
        return str(artifact), snapshot(old, definitions, instance, env=env), None
    except (FloeConfigError, FloeDagsterError, FloeDbtError) as error:
        return str(artifact), None, _stale(error)


def _stale(error: Exception) -> str:
    return f"the compiled artifact does not load any more: {str(error).strip().splitlines()[0]}"


def build_plan(
    config: FloeConfig,
    definitions: Definitions,
    env: Mapping[str, str],
    instance: Any = None,
    against: Path | None = None,
    warnings: Sequence[ConfigIssue] = (),
) -> dict[str, Any]:
    """The whole plan document (see ``docs/plan.md``); changes since ``against`` (a compiled
    artifact), else since the artifact next to floe.yaml. ``warnings``: what the load of
    ``definitions`` warned of (``warnings_collected``): what floe.yaml says that does nothing,
    a schedule that leaves out the assets automation owns, a watched folder not there yet."""
    current = snapshot(config, definitions, instance, env=env)
    compared_with, before, note = _previous(config, env, instance, against)
    return {
        "plan_version": PLAN_VERSION,
        "project": config.name,
        "floe_yaml": str(config.source.file),
        "warnings": [str(issue) for issue in warnings],
        **current,
        "changes": {
            "compared_with": compared_with if before is not None else None,
            "note": note,
            **(changes(before, current) if before is not None else {}),
        },
    }


def _list(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" (+{len(names) - limit} more)" if len(names) > limit else "")


def _job_lines(name: str, job: Mapping[str, Any]) -> list[str]:
    if job["type"] == "ops":
        return [f"  {name}: ops -> {job['target_function']}"]
    if "error" in job:
        return [f"  {name}: {job['error']}"]
    parts = f", partitions {job['partitions']}" if job["partitions"] else ""
    if job["type"] == "python" and not job["assets"]:
        return [f"  {name}: a Python module's job of ops"]
    where = " (a Python module's)" if job["type"] == "python" else ""
    return [f"  {name}{where}: {len(job['assets'])} assets{parts}: {_list(job['assets'])}"]


def _schedule_lines(name: str, schedule: Mapping[str, Any]) -> list[str]:
    return [
        f"  {name}: {schedule['job']} '{schedule['cron_schedule']}' {schedule['timezone']} "
        f"{status(schedule)}",
        f"    next: {', '.join(schedule['next_ticks'])}",
    ]


def _sensor_lines(name: str, sensor: Mapping[str, Any]) -> list[str]:
    return [
        f"  {name}: {sensor['type']} -> {sensor['job']} {status(sensor)}, every "
        f"{sensor['interval_seconds']} s, {sensor['watches']}"
    ]


def _partition_lines(name: str, entry: Mapping[str, Any]) -> list[str]:
    span = (
        "keys added at run time"
        if entry["count"] is None
        else f"{entry['first']} .. {entry['last']}, {entry['count']} keys"
    )
    return [f"  {name}: {entry['description']}; {span}; {len(entry['assets'])} assets"]


def _backfill_lines(name: str, backfill: Mapping[str, Any]) -> list[str]:
    return [
        f"  {name}: job {backfill['job']}, {backfill['partitions']} partitions "
        f"{backfill['first']} .. {backfill['last']} in {backfill['runs']} run(s)",
        *(f"    {b['first']} .. {b['last']} ({b['partitions']})" for b in backfill["batches"]),
    ]


def _asset_lines(name: str, asset: Mapping[str, Any]) -> list[str]:
    extras = [f"group {asset['group']}"]
    if asset["kinds"]:
        extras.append("/".join(asset["kinds"]))
    if asset["partitions"]:
        extras.append(f"partitions {asset['partitions']}")
    if asset["automation"]:
        extras.append(f"automation {asset['automation']['type']}")
    if not asset.get("materializable", True):
        extras.append("external: nothing in this code location materializes it")
    return [f"  {name}  ({', '.join(extras)})"]


SECTIONS: tuple[tuple[str, Callable[[str, Mapping[str, Any]], list[str]]], ...] = (
    ("assets", _asset_lines),
    ("jobs", _job_lines),
    ("schedules", _schedule_lines),
    ("sensors", _sensor_lines),
    ("partitions", _partition_lines),
    ("backfills", _backfill_lines),
)


def render(plan: Mapping[str, Any], style: Style) -> list[str]:
    """The plan as text for a terminal or a log."""
    lines = [style.bold(f"floe plan: {plan['project']}  ({plan['floe_yaml']})")]
    for warning in plan["warnings"]:
        lines += style.yellow(f"warning: {warning}").splitlines()
    if plan["patterns"]:
        lines += ["", style.bold("asset patterns")]
        for entry in plan["patterns"]:
            if entry["assets"]:
                matched = f"{len(entry['assets'])} assets: {_list(entry['assets'])}"
                lines.append(f"  {entry['pattern']!r}: {matched}")
            else:
                lines.append(style.yellow(f"  {entry['pattern']!r}: no asset (see the warning)"))
    for section, describe_entry in SECTIONS:
        entries = plan[section]
        if entries or section in ("assets", "jobs"):
            lines += ["", style.bold(f"{section} ({len(entries)})")]
            for name, entry in entries.items():
                lines += describe_entry(name, entry)
    found = plan["changes"]
    lines += ["", style.bold("changes since the last `floe compile`")]
    if found["compared_with"] is None:
        return [*lines, f"  {found['note']}"]
    colours = {"added": style.green, "removed": style.red, "changed": style.yellow}
    changed = [
        colours[what](f"  {section} {what}: {_list(found[section][what], 20)}")
        for section in COMPARED
        for what in ("added", "removed", "changed")
        if found[section][what]
    ]
    return [*lines, *(changed or ["  none"])]


def plan_command(options: argparse.Namespace) -> int:
    """``floe plan [floe.yaml] [--json] [--manifest PATH] [--against ARTIFACT]``."""
    with warnings_collected() as loaded:  # the plan lists them, once
        config, definitions = load_for_command(options.config, options.manifest, os.environ)
    against = options.against.absolute() if options.against else None
    plan = build_plan(config, definitions, os.environ, recorded_instance(), against, loaded)
    if options.json:
        print(json.dumps(plan, indent=2))
    else:
        print("\n".join(render(plan, Style(sys.stdout))))
    return 0
