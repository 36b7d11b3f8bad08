"""The one error type of floe-dagster: every problem found while building definitions."""

from __future__ import annotations

from collections.abc import Iterable

from floe_config import ConfigIssue


class FloeDagsterError(Exception):
    """Definitions that cannot be built from a floe.yaml, with every reason at once.

    Each reason is a ``ConfigIssue`` record (code, key path, floe.yaml line and column, fix),
    the same record floe-config's errors carry.

    >>> issue = ConfigIssue(code=IssueCode.MISSING_MODULE, path="orchestration.asset_modules[0]",
    ...                     message="no module named 'x'", line=3, column=5)
    >>> print(FloeDagsterError([issue]))
    1 problem building the Dagster definitions:
    floe.yaml:3:5 orchestration.asset_modules[0]: no module named 'x' [missing_module]
    """

    def __init__(self, issues: Iterable[ConfigIssue]) -> None:
        self.issues: tuple[ConfigIssue, ...] = tuple(
            sorted(issues, key=lambda i: (i.file, i.line or 0, i.column or 0, i.path, i.code))
        )
        noun = "problem" if len(self.issues) == 1 else "problems"
        lines = [f"{len(self.issues)} {noun} building the Dagster definitions:"]
        lines += [str(issue) for issue in self.issues]
        super().__init__("\n".join(lines))

    @property
    def codes(self) -> list[str]:
        return [issue.code for issue in self.issues]
