"""``floe-dbt``: run dbt the floe way (``//packages/floe-dbt:dbt``; Bazel genrules use it).

floe-dbt parse --project-dir DIR [--floe-yaml FILE] [--state-dir DIR] [--out manifest.json]
floe-dbt build --project-dir DIR [--floe-yaml FILE] [--state-dir DIR] [--select S ...]
               [--exclude S ...] [--vars JSON]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from floe_config import FloeConfigError, load_config
from floe_dbt._errors import FloeDbtError
from floe_dbt._manifest import load_manifest
from floe_dbt._runner import DbtRunner


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="floe-dbt", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("parse", "build"):
        command = sub.add_parser(name)
        command.add_argument("--project-dir", required=True, type=Path)
        command.add_argument("--floe-yaml", type=Path, help="generate the profile from storage")
        command.add_argument("--profiles-dir", type=Path)
        command.add_argument("--target")
        command.add_argument("--state-dir", type=Path, help="default: a temporary directory")
    parse = sub.choices["parse"]
    parse.add_argument("--out", type=Path, help="copy the manifest here")
    build = sub.choices["build"]
    build.add_argument("--select", nargs="*", default=[])
    build.add_argument("--exclude", nargs="*", default=[])
    build.add_argument("--vars", type=json.loads, default=None)
    return parser


def _run(options: argparse.Namespace, state_dir: Path) -> int:
    config = load_config(options.floe_yaml, env=os.environ) if options.floe_yaml else None
    runner = DbtRunner(
        project_dir=options.project_dir,
        state_dir=state_dir,
        config=config,
        profiles_dir=options.profiles_dir,
        target=options.target,
    )
    if options.command == "parse":
        manifest = runner.parse()
        load_manifest(manifest)  # the manifest floe will read must be one floe can read
        if options.out:
            options.out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(manifest, options.out)
        print(f"dbt parse: {options.out or manifest}")
        return 0
    result = runner.build(select=options.select, exclude=options.exclude, vars=options.vars)
    sys.stdout.write(result.output)
    return result.returncode


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    try:
        if options.state_dir:
            return _run(options, options.state_dir)
        with tempfile.TemporaryDirectory(prefix="floe-dbt-") as state:
            return _run(options, Path(state))
    except (FloeDbtError, FloeConfigError) as error:
        print(f"floe-dbt: {error}", file=sys.stderr)
        return 1
