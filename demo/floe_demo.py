"""`tools/bazel run //demo:validate`, `//demo:plan`, `//demo:run -- JOB` and
`//demo:backfill -- NAME`: those floe commands on the demo's floe.yaml, with the dbt manifest
Bazel builds for it (so a fresh clone needs nothing else), on the same state as
`//demo:dagster_dev` (a backfill goes to its instance, for its daemon). Extra arguments go to
the command: `tools/bazel run //demo:plan -- --json`,
`tools/bazel run //demo:run -- medallion_pipeline --partition 2024-01-15`."""

import os
import sys
from pathlib import Path

from dagster_dev import use_demo_state

from floe_dagster import cli_main

PROJECT = Path(__file__).absolute().parent / "data_engineering"
COMMANDS = ("validate", "plan", "run", "backfill")
"""The floe commands this script runs (demo/BUILD.bazel gives each a target)."""


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:  # the binary run by hand, without its target's args
        given = f"got {argv[0]!r}" if argv else "got none"
        print(
            f"floe_demo.py: the first argument is the floe command, one of {', '.join(COMMANDS)} "
            f"({given}); `tools/bazel run //demo:COMMAND -- ARGS` gives it",
            file=sys.stderr,
        )
        return 2
    command, *rest = argv
    use_demo_state()  # the state `//demo:dagster_dev` uses
    manifest = PROJECT / "dbt" / "manifest.json"  # built by Bazel, next to floe.yaml in runfiles
    checkout = os.environ.get("BUILD_WORKSPACE_DIRECTORY")  # `bazel run`: the user's own file
    source = Path(checkout) / "demo" / "data_engineering" if checkout else PROJECT
    named = rest[:1] if command in ("run", "backfill") else []  # the job or the backfill
    given = rest[len(named) :]
    return cli_main(
        [command, *named, str(source / "floe.yaml"), "--manifest", str(manifest), *given]
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
