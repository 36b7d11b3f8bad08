"""floe's one error model: ``FloeError`` and the ``ConfigIssue`` records every floe error carries.

Every error any floe package raises for a user is a ``FloeError`` (floe-config's
``FloeConfigError``, floe-dbt's ``FloeDbtError``, floe-dagster's ``FloeDagsterError`` and the
lake's errors). Each carries one or more ``ConfigIssue`` records: a code from the one registry
(``IssueCode``), where it is (a floe.yaml line and column and key path, or the file it is
about) and how to fix it. Tools and tests read the records; the text is for people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from floe_config._codes import IssueCode


@dataclass(frozen=True)
class ConfigIssue:
    """One problem, located and explained.

    ``str(issue)`` is the line users read::

        floe.yaml:14:12 orchestration.schedules.nightly.job: unknown job 'x' [unknown_job]
            fix: did you mean 'y'?
    """

    code: IssueCode
    """The check that failed, from the one registry (``unknown_key``, ``invalid_cron``)."""
    path: str
    """The dotted key path (``orchestration.jobs.gold.selection[0]``); ``""`` for none."""
    message: str
    """What is wrong and what was expected."""
    file: str | None = "floe.yaml"
    """The file the issue is in or about (None: the issue is about no file)."""
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    """How to fix it."""

    def __post_init__(self) -> None:
        if not isinstance(self.code, IssueCode) and self.code in IssueCode._value2member_map_:
            object.__setattr__(self, "code", IssueCode(self.code))  # a code's text: its member

    @property
    def location(self) -> str:
        """``file:line:col``, the file alone when there is no line, or ``""``."""
        if not self.file:
            return ""
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"

    def __str__(self) -> str:
        where = " ".join(part for part in (self.location, self.path) if part)
        text = f"{where}: {self.message}" if where else self.message
        text += f" [{self.code}]"
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return text


def _order(issue: ConfigIssue) -> tuple[str, int, int, str, str]:
    return (issue.file or "", issue.line or 0, issue.column or 0, issue.path, issue.code)


class FloeError(Exception):
    """The root of every floe error: every problem found, at once, as ``ConfigIssue`` records.

    >>> error = FloeError([ConfigIssue(code=IssueCode.UNKNOWN_JOB, path="", message="no job")])
    >>> error.codes
    [<IssueCode.UNKNOWN_JOB: 'unknown_job'>]
    """

    def __init__(self, issues: Iterable[ConfigIssue]) -> None:
        self.issues: tuple[ConfigIssue, ...] = tuple(sorted(issues, key=_order))
        super().__init__(self.render())

    @property
    def codes(self) -> list[IssueCode]:
        """The code of each issue, in the order they are reported."""
        return [issue.code for issue in self.issues]

    @property
    def issue(self) -> ConfigIssue:
        """The first issue (an error about one thing has exactly one)."""
        return self.issues[0]

    def heading(self) -> str | None:
        """The line above the issues (None: the issues alone)."""
        return None

    def counted(self) -> str:
        """``1 problem`` / ``3 problems``, for a heading."""
        return f"{len(self.issues)} {'problem' if len(self.issues) == 1 else 'problems'}"

    def render(self) -> str:
        lines = [str(issue) for issue in self.issues]
        heading = self.heading()
        return "\n".join([heading, *lines] if heading else lines)


class FloeConfigError(FloeError):
    """Raised with every problem found in a floe.yaml (or a compiled artifact) at once.

    >>> issue = ConfigIssue(
    ...     code=IssueCode.UNKNOWN_KEY, path="nme", message="unknown key", line=1, column=1
    ... )
    >>> print(FloeConfigError([issue]))
    1 problem in floe.yaml:
    floe.yaml:1:1 nme: unknown key [unknown_key]
    """

    def heading(self) -> str:
        files = sorted({issue.file for issue in self.issues if issue.file}) or ["floe.yaml"]
        return f"{self.counted()} in {', '.join(files)}:"
