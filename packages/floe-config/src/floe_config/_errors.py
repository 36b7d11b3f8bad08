"""The one error type of floe-config and the issues it carries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigIssue:
    """One problem found in a floe.yaml, located and explained.

    ``str(issue)`` is the line users read::

        floe.yaml:14:12 orchestration.schedules.nightly.job: unknown job 'x' [unknown_job]
            fix: did you mean 'y'?
    """

    code: str
    """A stable identifier of the check: an ``IssueCode`` (``unknown_key``, ``invalid_cron``)."""
    path: str
    """The dotted key path (``orchestration.jobs.gold.selection.0``); ``""`` for the root."""
    message: str
    """What is wrong and what was expected."""
    file: str = "floe.yaml"
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    """How to fix it."""

    @property
    def location(self) -> str:
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"

    def __str__(self) -> str:
        where = f"{self.location} {self.path}" if self.path else self.location
        text = f"{where}: {self.message} [{self.code}]"
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return text


class FloeConfigError(Exception):
    """Raised with every problem found in a floe.yaml (or a compiled artifact) at once.

    >>> issue = ConfigIssue(
    ...     code=IssueCode.UNKNOWN_KEY, path="nme", message="unknown key", line=1, column=1
    ... )
    >>> print(FloeConfigError([issue]))
    1 problem in floe.yaml:
    floe.yaml:1:1 nme: unknown key [unknown_key]
    """

    def __init__(self, issues: Iterable[ConfigIssue]) -> None:
        self.issues: tuple[ConfigIssue, ...] = tuple(
            sorted(issues, key=lambda i: (i.file, i.line or 0, i.column or 0, i.path, i.code))
        )
        super().__init__(self._render())

    @property
    def codes(self) -> list[str]:
        return [issue.code for issue in self.issues]

    def _render(self) -> str:
        count = len(self.issues)
        files = sorted({issue.file for issue in self.issues}) or ["floe.yaml"]
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count} {noun} in {', '.join(files)}:"]
        lines += [str(issue) for issue in self.issues]
        return "\n".join(lines)
