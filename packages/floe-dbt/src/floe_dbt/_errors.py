"""The one error type of floe-dbt."""

from __future__ import annotations

from floe_config import IssueCode

REGENERATE_HINT = "regenerate it: `floe parse` next to floe.yaml, or `dbt parse` in the dbt project"
PARSE_FAILED_HINT = "fix the dbt project as dbt's output above says, then parse again"


class FloeDbtError(Exception):
    """A dbt manifest or dbt run that floe cannot use, with a stable code, the path, and how to
    fix it.

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
        self.code = code
        self.path = path
        self.hint = hint
        self.message = f"{path}: {message}" if path else message
        """What is wrong, with the file it is about."""
        text = f"{self.message} [{code}]"
        if hint:
            text += f"\n    fix: {hint}"
        super().__init__(text)
