"""Collecting every problem found while building definitions, each tied to a floe.yaml line."""

from __future__ import annotations

from floe_config import FloeConfig
from floe_dagster._errors import FloeDagsterError


def render_path(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class Problems:
    """Problems found so far; ``raise_if_any`` reports them all at once."""

    def __init__(self) -> None:
        self.items: list[tuple[int, str]] = []

    def add(self, config: FloeConfig, path: tuple[str | int, ...], message: str) -> None:
        key = render_path(path)
        probe = key
        where = config.source.positions.get(probe)
        while where is None and ("." in probe or "[" in probe):
            probe = probe[: max(probe.rfind("."), probe.rfind("["))]
            where = config.source.positions.get(probe)
        name = config.source.file.name
        location = f"{name}:{where.line}:{where.column}" if where else name
        self.items.append((where.line if where else 0, f"{location} {key}: {message}"))

    def raise_if_any(self) -> None:
        if self.items:
            raise FloeDagsterError([text for _, text in sorted(self.items, key=lambda i: i[0])])
