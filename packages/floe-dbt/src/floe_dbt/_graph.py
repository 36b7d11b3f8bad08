"""Graph queries over unique_ids: transitive closures and cycle detection."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence


def closure(start: Iterable[str], edges: Mapping[str, Sequence[str]]) -> set[str]:
    """Every id reachable from ``start`` along ``edges`` (``start`` itself excluded)."""
    seen: set[str] = set()
    stack = list(start)
    origin = set(stack)
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen - origin


def find_cycle(
    nodes: Iterable[str], edges: Mapping[str, Sequence[str]], name: Callable[[str], str]
) -> str | None:
    """The first cycle found, rendered as ``a -> b -> c -> a``; None when acyclic."""
    white, grey, black = 0, 1, 2
    color: dict[str, int] = {}
    for root in sorted(nodes):
        if color.get(root, white) != white:
            continue
        path: list[str] = []
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            node, index = stack.pop()
            if index == 0:
                color[node] = grey
                path.append(node)
            targets = sorted(edges.get(node, ()))
            if index < len(targets):
                stack.append((node, index + 1))
                target = targets[index]
                state = color.get(target, white)
                if state == grey:
                    cycle = [*path[path.index(target) :], target]
                    return " -> ".join(name(n) for n in cycle)
                if state == white:
                    stack.append((target, 0))
            else:
                color[node] = black
                path.pop()
    return None
