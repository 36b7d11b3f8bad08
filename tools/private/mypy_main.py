"""The main of every floe_mypy_test: ``mypy --strict -p PACKAGE`` on the runfiles tree.

The package and the floe packages it imports are found through the library's ``imports``
entries on ``sys.path``; third-party packages through the toolchain's site-packages.
"""

from __future__ import annotations

import argparse
import os
import sys

from mypy import api


def _floe_paths() -> list[str]:
    here = os.getcwd()
    return [p for p in sys.path if p.startswith(here + os.sep) and "site-packages" not in p]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--package", action="append", required=True)
    options = parser.parse_args()
    cache = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "mypy_cache")
    os.environ["MYPYPATH"] = os.pathsep.join(_floe_paths())
    args = ["--strict", "--cache-dir", cache, "--show-error-codes", "--pretty"]
    for package in options.package:
        args += ["-p", package]
    stdout, stderr, code = api.run(args)
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
