"""The ``floe`` command: validate, plan, compile, dev, init, parse, backfill, schema.

floe --version
floe validate [floe.yaml] [--manifest PATH]
floe compile  [floe.yaml] [--output PATH] [--manifest PATH]
floe backfill NAME [floe.yaml] [--in-process] [--wait] [--manifest PATH]
floe run      JOB [floe.yaml] [--partition KEY | --partition-range A..B] [--in-process]
floe dev      [floe.yaml] [-p PORT] [--postgres URL] [--manifest PATH]
floe init     [DIR]
floe parse    [floe.yaml]
floe plan     [floe.yaml] [--json] [--manifest PATH] [--against ARTIFACT]
floe schema   [--artifacts]

Wherever a command takes floe.yaml, it takes the project's folder too (its floe.yaml).
Every error floe knows is printed as ``floe.yaml:LINE:COL key.path: message [code]`` with a
``fix:`` line, and exits 1; so does a path the machine refuses (a folder that cannot be made,
a file that cannot be written), named. An error floe did not expect prints one line that says
so (and the traceback only with ``FLOE_DEBUG=1``), and exits 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from floe_config import (
    DEFAULT_ARTIFACT_NAME,
    FloeError,
    artifacts_json_schema,
    compile_artifacts,
    floe_yaml_json_schema,
    load_config,
    write_artifacts,
)
from floe_dagster.cli._term import Style, coloured_report, progress


class _Version(argparse.Action):
    """``floe --version``: floe's packages and the stack under them (looked up when asked)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the versions and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        import importlib.metadata  # noqa: PLC0415

        import floe_config  # noqa: PLC0415
        import floe_dagster  # noqa: PLC0415
        import floe_dbt  # noqa: PLC0415

        def installed(name: str) -> str:
            try:
                return f"{name} {importlib.metadata.version(name)}"
            except importlib.metadata.PackageNotFoundError:
                return f"{name} not installed"

        stack = ", ".join(installed(n) for n in ("dagster", "dagster-dbt", "dbt-core"))
        print(
            f"floe {floe_dagster.__version__} (floe-config {floe_config.__version__}, "
            f"floe-dbt {floe_dbt.__version__}; {stack})"
        )
        parser.exit()


def _seconds(text: str) -> float:
    """A length of time in seconds, more than 0."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not seconds > 0:  # also NaN
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return seconds


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="floe", description="floe.yaml -> Dagster")
    parser.add_argument("--version", action=_Version)
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
    backfill = sub.add_parser(
        "backfill",
        help="run a named backfill: submit it to the Dagster instance ($DAGSTER_HOME) for the "
        "daemon, or run it here with --in-process",
    )
    backfill.add_argument("name", help="a key of orchestration.backfills")
    backfill.add_argument("config", nargs="?", default="floe.yaml", type=Path)
    backfill.add_argument("--manifest", type=Path, help="the dbt manifest (default: from config)")
    backfill.add_argument(
        "--in-process", action="store_true", help="run the batches here, one after another"
    )
    backfill.add_argument(
        "--wait", action="store_true", help="after submitting, follow the backfill to its end"
    )
    backfill.add_argument(
        "--timeout", type=_seconds, default=3600.0, help="seconds --wait waits (default 3600)"
    )
    backfill.add_argument(
        "--location",
        help="the code location the daemon serves the job from (default: floe.yaml's name, "
        "as `floe dev` names it)",
    )
    run = sub.add_parser(
        "run",
        help="run one job on the instance floe dev serves (a process per step, or --in-process)",
    )
    run.add_argument("job", help="a job of floe.yaml (orchestration.jobs)")
    run.add_argument("config", nargs="?", default="floe.yaml", type=Path)
    run.add_argument("--manifest", type=Path, help="the dbt manifest (default: from config)")
    which = run.add_mutually_exclusive_group()
    which.add_argument("--partition", metavar="KEY", help="the partition a partitioned job runs")
    which.add_argument(
        "--partition-range", metavar="FIRST..LAST", help="a range of partitions, in one run"
    )
    run.add_argument("--in-process", action="store_true", help="every step in this process")
    init = sub.add_parser("init", help="make the dbt project in DIR (default: here) a floe project")
    init.add_argument("folder", nargs="?", default=".", type=Path)
    init.add_argument(
        "--standalone",
        action="store_true",
        help="floe's own layout even inside a dg project (there, floe is a component)",
    )
    parse = sub.add_parser("parse", help="dbt parse with floe's profile; writes the manifest")
    parse.add_argument("config", nargs="?", default="floe.yaml", type=Path)
    plan = sub.add_parser("plan", help="what floe.yaml will do, without running anything")
    plan.add_argument("config", nargs="?", default="floe.yaml", type=Path)
    plan.add_argument("--manifest", type=Path, help="the dbt manifest (default: from config)")
    plan.add_argument("--json", action="store_true", help="the plan as JSON (docs/plan.md)")
    plan.add_argument(
        "--against",
        type=Path,
        metavar="ARTIFACT",
        help="show the changes since this compiled artifact, e.g. main's "
        f"(default: {DEFAULT_ARTIFACT_NAME} beside floe.yaml)",
    )
    from floe_dagster.cli._dev import add_arguments  # noqa: PLC0415

    add_arguments(
        sub.add_parser(
            "dev",
            help="the Dagster UI (webserver and daemon) for floe.yaml, state in .floe/ by it",
        )
    )
    schema = sub.add_parser("schema", help="print the JSON Schema of floe.yaml")
    schema.add_argument("--artifacts", action="store_true", help="CompiledArtifacts instead")
    return parser


def _validate(options: argparse.Namespace) -> int:
    from floe_dagster.cli._load import load_for_command  # noqa: PLC0415 - Dagster is slow
    from floe_dagster.cli._snapshot import snapshot  # noqa: PLC0415
    from floe_dagster.cli._summary import drift_lines, recorded_instance, summary  # noqa: PLC0415

    config, definitions = load_for_command(options.config, options.manifest, os.environ)
    instance = recorded_instance()
    described = snapshot(config, definitions, instance, env=os.environ)
    drift = drift_lines(definitions.resolve_asset_graph(), instance) if instance else []
    lines = summary(config, described, drift)
    print("\n".join([Style(sys.stdout).green(lines[0]), *lines[1:]]))
    return 0


def _compile(options: argparse.Namespace) -> int:
    source = options.config.absolute()
    output = options.output or source.parent / DEFAULT_ARTIFACT_NAME
    with progress(f"compiling {source.name}"):
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


def _project_command(options: argparse.Namespace) -> int:
    if options.command == "init":
        from floe_dagster.cli._init import init_command  # noqa: PLC0415

        return init_command(options.folder, os.environ, standalone=options.standalone)
    if options.command == "parse":
        from floe_dagster._project import parse  # noqa: PLC0415

        config = load_config(options.config, env=os.environ)
        with progress(f"dbt parse of {config.source.directory.name}"):
            manifest = parse(config, os.environ)
        print(f"wrote {manifest}")
        return 0
    from floe_dagster.cli._plan import plan_command  # noqa: PLC0415

    return plan_command(options)


def _backfill(options: argparse.Namespace) -> int:
    from floe_dagster.cli._backfill import backfill  # noqa: PLC0415 - Dagster is slow to import

    return backfill(options)


def main(argv: Sequence[str] | None = None) -> int:
    """The ``floe`` command; returns the exit code."""
    options = _parser().parse_args(argv)
    config = getattr(options, "config", None)
    if isinstance(config, Path) and config.is_dir():  # a project's folder: its floe.yaml
        options.config = config / "floe.yaml"
    try:
        if options.command == "validate":
            return _validate(options)
        if options.command == "backfill":
            return _backfill(options)
        if options.command == "run":
            from floe_dagster.cli._run import run_command  # noqa: PLC0415 - Dagster is slow

            return run_command(options)
        if options.command == "compile":
            return _compile(options)
        if options.command in ("init", "parse", "plan"):
            return _project_command(options)
        if options.command == "dev":
            from floe_dagster.cli._dev import dev  # noqa: PLC0415

            return dev(options)
        schema = artifacts_json_schema() if options.artifacts else floe_yaml_json_schema()
        print(json.dumps(schema, indent=2, sort_keys=True))
        return 0
    except FloeError as error:  # every floe error: its issues, with the fix
        print(coloured_report(str(error), Style(sys.stderr)), file=sys.stderr)
        return 1
    except OSError as error:
        if error.filename is None:
            return _internal_error(error)
        # the machine's, not floe's: a path that cannot be written or read here
        print(
            f"floe {options.command}: cannot use {error.filename}: {error.strerror or error} "
            f"[{type(error).__name__}]\n    fix: check that path: its folder must exist or be "
            "creatable, and writable by this user",
            file=sys.stderr,
        )
        return 1
    except Exception as error:
        return _internal_error(error)


def _internal_error(error: Exception) -> int:
    """A bug in floe: one clear line, the traceback on request."""
    print(
        f"floe: internal error ({type(error).__name__}: {error}); this is a bug in floe, "
        "please report it with the floe.yaml that caused it (FLOE_DEBUG=1 shows the "
        "traceback)",
        file=sys.stderr,
    )
    if os.environ.get("FLOE_DEBUG"):
        traceback.print_exc()
    return 2
