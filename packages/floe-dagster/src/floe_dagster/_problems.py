"""Collecting every problem found while building definitions, each tied to a floe.yaml line."""

from __future__ import annotations

from floe_config import ConfigIssue, FloeConfig, IssueCode, render_path
from floe_dagster._errors import FloeDagsterError

KeyPath = tuple[str | int, ...]


class Problems:
    """Problems found so far; ``raise_if_any`` reports them all at once."""

    def __init__(self) -> None:
        self.issues: list[ConfigIssue] = []

    def __bool__(self) -> bool:
        return bool(self.issues)

    def add(
        self,
        config: FloeConfig,
        path: KeyPath,
        code: IssueCode,
        message: str,
        hint: str | None = None,
    ) -> None:
        """A problem at ``path`` of floe.yaml (located at the nearest known key). Secret values
        from the environment never reach the text: they show as their placeholder."""
        key = render_path(path)
        where = None
        for depth in range(len(path), -1, -1):
            where = config.source.positions.get(render_path(path[:depth]))
            if where is not None:
                break
        issue = ConfigIssue(
            code=code,
            path=key,
            message=message,
            file=config.source.file.name,
            line=where.line if where else None,
            column=where.column if where else None,
            hint=hint,
        )
        self.issues.append(config.source.redact(issue))

    def raise_if_any(self) -> None:
        if self.issues:
            raise FloeDagsterError(self.issues)
