"""The one error type of floe-dbt."""

from __future__ import annotations

REGENERATE_HINT = (
    "regenerate it with `dbt parse` in the dbt project "
    "(for the demo: `tools/bazel build //demo/data_engineering/dbt:manifest`)"
)


class FloeDbtError(Exception):
    """A dbt manifest or dbt run that floe cannot use, with the path and how to fix it.

    >>> print(FloeDbtError("no manifest", path="target/manifest.json", hint="run dbt parse"))
    target/manifest.json: no manifest
        fix: run dbt parse
    """

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None) -> None:
        self.message = message
        self.path = path
        self.hint = hint
        text = f"{path}: {message}" if path else message
        if hint:
            text += f"\n    fix: {hint}"
        super().__init__(text)
