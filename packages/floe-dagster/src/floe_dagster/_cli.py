"""The ``floe`` command: validate, compile, schema.

floe validate [floe.yaml] [--manifest PATH]
floe compile  [floe.yaml] [--output PATH] [--manifest PATH]
floe schema   [--artifacts]

Every error floe knows is printed as ``floe.yaml:LINE:COL key.path: message [code]`` with a
``fix:`` line, and exits 1. An error floe did not expect prints one line that says so (and the
traceback only with ``FLOE_DEBUG=1``), and exits 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from croniter import croniter

from floe_config import (
    DEFAULT_ARTIFACT_NAME,
    BatchJob,
    FloeConfig,
    FloeConfigError,
    artifacts_json_schema,
    compile_artifacts,
    floe_yaml_json_schema,
    load_config,
    write_artifacts,
)
from floe_dagster._errors import FloeDagsterError
from floe_dagster._observability.settings import observability_settings
from floe_dagster._pending import not_yet_built
from floe_dagster._state import state_directory
from floe_dbt import FloeDbtError

if TYPE_CHECKING:
    from dagster import Definitions


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="floe", description="floe.yaml -> Dagster")
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check everything without running anything")
    validate.add_argument("config", nargs="?", default="floe.yaml", type=Path)
    validate.add_argument("--manifest", type=Path, help="the dbt manifest (default: from config)")
    compile_ = sub.add_parser("compile", help="write compiled_artifacts.json")
    compile_.add_argument("config", nargs="?", default="floe.yaml", type=Path)
    compile_.add_argument("--output", type=Path, help=f"default: {DEFAULT_ARTIFACT_NAME} beside it")
    compile_.add_argument("--manifest", type=Path, help="the dbt manifest (default: from config)")
    compile_.add_argument("--source-as", help="record floe.yaml under this path (build systems)")
    compile_.add_argument("--manifest-as", help="record the manifest under this path")
    schema = sub.add_parser("schema", help="print the JSON Schema of floe.yaml")
    schema.add_argument("--artifacts", action="store_true", help="CompiledArtifacts instead")
    return parser


def _next_tick(cron: str, timezone: str) -> str:
    now = datetime.now(ZoneInfo(timezone))
    tick: datetime = croniter(cron, now).get_next(datetime)
    return tick.strftime("%Y-%m-%d %H:%M %Z")


def summary(config: FloeConfig, definitions: Definitions) -> list[str]:
    """The one-screen summary ``floe validate`` prints: what is built, what is validated only,
    and where traces and lineage go."""
    graph = definitions.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    checks = graph.asset_check_keys
    orchestration = config.orchestration
    batch = sum(isinstance(j, BatchJob) for j in orchestration.jobs.values())
    lines = [
        f"{config.source.file.name} OK: {config.name}",
        f"  assets:       {len(keys)}   asset checks: {len(checks)}",
        f"  jobs:         {len(orchestration.jobs)} ({batch} batch, "
        f"{len(orchestration.jobs) - batch} ops)",
        f"  schedules:    {len(orchestration.schedules)}",
    ]
    for name, schedule in orchestration.schedules.items():
        status = "RUNNING" if schedule.enabled else "STOPPED"
        next_tick = _next_tick(schedule.cron_schedule, schedule.timezone)
        lines.append(
            f"    {name}: {schedule.job} {status} '{schedule.cron_schedule}' "
            f"{schedule.timezone}, next {next_tick}"
        )
    settings = observability_settings(
        config, env=os.environ, state_dir=state_directory(config, os.environ)
    )
    traces, lineage = settings.destinations()
    lines.append(f"  traces:       {traces}")
    lines.append(f"  lineage:      {lineage}")
    pending = not_yet_built(config)
    if pending:
        lines.append(f"  not built yet (validated only): {', '.join(pending)}")
    return lines


def _validate(options: argparse.Namespace) -> int:
    config = load_config(options.config, env=os.environ)
    from floe_dagster._definitions import build_definitions  # noqa: PLC0415 - Dagster is slow to import

    manifest = options.manifest.absolute() if options.manifest else None
    definitions = build_definitions(config, manifest_path=manifest, env=os.environ)
    print("\n".join(summary(config, definitions)))
    return 0


def _compile(options: argparse.Namespace) -> int:
    source = options.config.absolute()
    output = options.output or source.parent / DEFAULT_ARTIFACT_NAME
    artifacts = compile_artifacts(
        source,
        output=output,
        manifest=options.manifest,
        source_as=options.source_as,
        manifest_as=options.manifest_as,
    )
    write_artifacts(artifacts, output)
    print(f"wrote {output}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """The ``floe`` command (validate, compile, schema); returns the exit code."""
    options = _parser().parse_args(argv)
    try:
        if options.command == "validate":
            return _validate(options)
        if options.command == "compile":
            return _compile(options)
        schema = artifacts_json_schema() if options.artifacts else floe_yaml_json_schema()
        print(json.dumps(schema, indent=2, sort_keys=True))
        return 0
    except (FloeConfigError, FloeDagsterError, FloeDbtError) as error:
        print(str(error), file=sys.stderr)
        return 1
    except Exception as error:  # a bug in floe: one clear line, the traceback on request
        print(
            f"floe: internal error ({type(error).__name__}: {error}); this is a bug in floe, "
            "please report it with the floe.yaml that caused it (FLOE_DEBUG=1 shows the "
            "traceback)",
            file=sys.stderr,
        )
        if os.environ.get("FLOE_DEBUG"):
            traceback.print_exc()
        return 2
