"""The main of every floe_py_test: pytest with warnings as errors, failing on zero tests.

Arguments: ``--ignore-warning=REGEX`` (repeatable) for exact third-party warnings to tolerate,
then the test files, then anything else for pytest.
"""

from __future__ import annotations

import os
import sys

import pytest


def main(argv: list[str]) -> int:
    ignored = [a.split("=", 1)[1] for a in argv if a.startswith("--ignore-warning=")]
    rest = [a for a in argv if not a.startswith("--ignore-warning=")]
    tmp = os.environ.get("TEST_TMPDIR", "")
    args = [
        "-p",
        "no:cacheprovider",
        "--rootdir=.",
        "--strict-markers",
        "-o",
        "xfail_strict=true",
        "-o",
        "console_output_style=classic",
        "-W",
        "error",
        *[f"-W=ignore:{message}" for message in ignored],
        "-ra",
    ]
    if tmp:
        args.append(f"--basetemp={os.path.join(tmp, 'pytest')}")
    junit = os.environ.get("XML_OUTPUT_FILE")
    if junit:
        args.append(f"--junitxml={junit}")
    # Bazel's stub puts the runfiles root first on sys.path; test modules are imported by
    # their file path, so nothing else is needed.
    code = int(pytest.main(args + rest))
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("floe_py_test: pytest collected no tests; a test target must test something.")
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
