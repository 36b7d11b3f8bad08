"""Where each key of floe.yaml stands: the one source map every floe stage locates issues with.

The YAML reader records it while it builds the tree; ``ConfigSource`` carries it on every
loaded ``FloeConfig``; the compiled artifact stores it, so a code location loaded from the
artifact names the same lines; floe-dagster's problems are located with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from floe_config._codes import IssueCode
from floe_config._errors import ConfigIssue

KeyPath = tuple[str | int, ...]
"""A key path into floe.yaml: ``("orchestration", "jobs", "gold", "selection", 0)``."""


def render_path(path: Iterable[str | int]) -> str:
    """``("jobs", "gold", "selection", 0)`` -> ``jobs.gold.selection[0]``.

    >>> render_path(("jobs", "gold", "selection", 0))
    'jobs.gold.selection[0]'
    """
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class Position:
    """A line and column in floe.yaml, both counted from 1."""

    line: int
    column: int


@dataclass(frozen=True)
class SourceEntry:
    """What the source map knows about one key path."""

    value: Position
    """Where the value starts."""
    key: Position | None = None
    """Where its key stands (None for list items and the document itself)."""
    container: bool = False
    """The value is a mapping or a list: an issue about it points at its key."""
    text: str | None = None
    """A plain (unquoted) scalar as written, so ``version: 1.10`` can stay ``"1.10"``."""


class SourceMap:
    """Key path -> where its value and its key stand in one file.

    >>> source = SourceMap("floe.yaml")
    >>> source.record(("jobs",), Position(2, 3), key=Position(1, 1), container=True)
    >>> source.locate(("jobs", "gold", "selection"))  # nearest known key: ``jobs``
    Position(line=1, column=1)
    """

    def __init__(self, file: str, entries: Mapping[KeyPath, SourceEntry] | None = None) -> None:
        self.file = file
        self._entries: dict[KeyPath, SourceEntry] = dict(entries or {})

    def __repr__(self) -> str:
        return f"SourceMap({self.file!r}, {len(self._entries)} keys)"

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[tuple[KeyPath, SourceEntry]]:
        return iter(self._entries.items())

    def record(
        self,
        path: KeyPath,
        value: Position,
        *,
        key: Position | None = None,
        container: bool = False,
        text: str | None = None,
    ) -> None:
        """Remember where the value at ``path`` (and its key) stands."""
        self._entries[path] = SourceEntry(value, key, container, text)

    def get(self, path: KeyPath) -> SourceEntry | None:
        return self._entries.get(path)

    def key_position(self, path: KeyPath) -> Position | None:
        entry = self._entries.get(path)
        return entry.key if entry is not None else None

    def value_position(self, path: KeyPath) -> Position | None:
        entry = self._entries.get(path)
        return entry.value if entry is not None else None

    def locate(self, path: KeyPath, *, at_key: bool = False) -> Position | None:
        """Where an issue about ``path`` points: the key of a mapping or list (or of any value
        with ``at_key``), the value of a scalar; for a path floe.yaml does not spell out (a
        missing key, a default), the key of the nearest mapping or list above it."""
        entry = self._entries.get(path)
        if entry is not None and (at_key or entry.container) and entry.key is not None:
            return entry.key
        probe = path
        while True:
            entry = self._entries.get(probe)
            if entry is not None:
                anchor = entry.container and probe != path
                return entry.key if anchor and entry.key is not None else entry.value
            if not probe:
                return None
            probe = probe[:-1]

    def issue(
        self,
        path: KeyPath,
        code: IssueCode,
        message: str,
        hint: str | None = None,
        *,
        at_key: bool = False,
    ) -> ConfigIssue:
        """An issue at ``path``, located by ``locate``."""
        where = self.locate(path, at_key=at_key)
        return ConfigIssue(
            code=code,
            path=render_path(path),
            message=message,
            file=self.file,
            line=where.line if where else None,
            column=where.column if where else None,
            hint=hint,
        )

    def texts(self) -> dict[KeyPath, str]:
        """Every plain scalar's text as written, by key path."""
        return {p: e.text for p, e in self._entries.items() if e.text is not None}

    # --- the compiled artifact's form ------------------------------------------------------------

    def to_records(self) -> list[dict[str, Any]]:
        """The map as JSON-able records (the artifact's ``source_map``)."""
        records = []
        for path, entry in self._entries.items():
            record: dict[str, Any] = {
                "path": list(path),
                "line": entry.value.line,
                "column": entry.value.column,
            }
            if entry.key is not None:
                record["key"] = [entry.key.line, entry.key.column]
            if entry.container:
                record["container"] = True
            if entry.text is not None:
                record["text"] = entry.text
            records.append(record)
        return records

    @classmethod
    def from_records(cls, file: str, records: Iterable[Mapping[str, Any]]) -> SourceMap:
        """The map ``to_records`` wrote."""
        source = cls(file)
        for record in records:
            key = record.get("key")
            source.record(
                tuple(record["path"]),
                Position(int(record["line"]), int(record["column"])),
                key=Position(int(key[0]), int(key[1])) if key else None,
                container=bool(record.get("container", False)),
                text=record.get("text"),
            )
        return source
