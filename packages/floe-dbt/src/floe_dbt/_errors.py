"""The one error type of floe-dbt: a ``FloeError`` about one dbt file or run."""

from __future__ import annotations

from floe_config import ConfigIssue, FloeError, IssueCode

REGENERATE_HINT = "regenerate it: `floe parse` next to floe.yaml, or `dbt parse` in the dbt project"
PARSE_FAILED_HINT = "fix the dbt project as dbt's output above says, then parse again"


class FloeDbtError(FloeError):
    """A dbt manifest or dbt run that floe cannot use, with a stable code, the path, and how to
    fix it: one ``ConfigIssue`` whose ``file`` is the path.

    >>> error = FloeDbtError(
    ...     "no manifest", code=IssueCode.MANIFEST_NOT_FOUND, path="target/manifest.json",
    ...     hint="run dbt parse",
    ... )
    >>> print(error)
    target/manifest.json: no manifest [manifest_not_found]
        fix: run dbt parse
    >>> error.message
    'target/manifest.json: no manifest'
    """

    def __init__(
        self,
        message: str,
        *,
        code: IssueCode = IssueCode.DBT_ERROR,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.message = f"{path}: {message}" if path else message
        """What is wrong, with the file it is about."""
        issue = ConfigIssue(code=code, path="", message=message, file=path, hint=hint)
        super().__init__([issue])

    @property
    def code(self) -> IssueCode:
        return self.issue.code

    @property
    def hint(self) -> str | None:
        return self.issue.hint
