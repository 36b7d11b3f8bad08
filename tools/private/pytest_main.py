"""The main of every floe_py_test: pytest with warnings as errors, failing on zero tests.

Arguments: ``--ignore-warning=REGEX`` (repeatable) for exact third-party warnings to tolerate,
then the test files, then anything else for pytest. A target with ``shard_count`` runs each
collected test in exactly one of its shards.
"""

from __future__ import annotations

import os
import sys

import pytest


class Shard:
    """Bazel's test sharding (``shard_count``): this shard runs every ``total``-th collected
    test from ``index``, so the shards of a target together run each test once."""

    def __init__(self, index: int, total: int) -> None:
        self.index, self.total = index, total

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        kept = items[self.index :: self.total]
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def _shard() -> Shard | None:
    total = int(os.environ.get("TEST_TOTAL_SHARDS", "0") or 0)
    if total <= 1:
        return None
    status = os.environ.get("TEST_SHARD_STATUS_FILE")
    if status:  # tells Bazel this runner shards
        with open(status, "a"):
            pass
    return Shard(int(os.environ["TEST_SHARD_INDEX"]), total)


def main(argv: list[str]) -> int:
    ignored = [a.split("=", 1)[1] for a in argv if a.startswith("--ignore-warning=")]
    rest = [a for a in argv if not a.startswith("--ignore-warning=")]
    tmp = os.environ.get("TEST_TMPDIR", "")
    args = [
        # only the plugins a target names (floe_py_test's pytest_plugins, `-p MODULE`): an
        # installed plugin is otherwise loaded by every test process, used or not
        "--disable-plugin-autoload",
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
    shard = _shard()
    code = int(pytest.main(args + rest, plugins=[shard] if shard else []))
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("floe_py_test: pytest collected no tests; a test target must test something.")
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
