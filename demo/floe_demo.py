"""`tools/bazel run //demo:validate` and `//demo:plan`: `floe validate` / `floe plan` on the
demo's floe.yaml, with the dbt manifest Bazel builds for it (so a fresh clone needs nothing
else), on the same state as `//demo:dagster_dev`. Extra arguments go to the command:
`tools/bazel run //demo:plan -- --json`."""

import os
import sys
from pathlib import Path

from dagster_dev import use_demo_state

from floe_dagster import cli_main

PROJECT = Path(__file__).absolute().parent / "data_engineering"


def main(argv: list[str]) -> int:
    command, *rest = argv
    use_demo_state()  # the state `//demo:dagster_dev` uses
    manifest = PROJECT / "dbt" / "manifest.json"  # built by Bazel, next to floe.yaml in runfiles
    checkout = os.environ.get("BUILD_WORKSPACE_DIRECTORY")  # `bazel run`: the user's own file
    source = Path(checkout) / "demo" / "data_engineering" if checkout else PROJECT
    return cli_main([command, str(source / "floe.yaml"), "--manifest", str(manifest), *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
