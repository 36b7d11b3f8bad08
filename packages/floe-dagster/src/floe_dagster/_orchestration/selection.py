"""Job selections (FR-018..023): a list of items in Dagster's selection syntax, unioned.

floe's shorthands: ``asset:name`` and a bare ``name`` mean ``key:name``. Every item must parse
and must match at least one asset on its own: a typo next to a valid item must not vanish in
the union, and an empty result never means "all assets".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dagster import AssetKey, AssetSelection

from floe_config import suggest
from floe_dagster._warnings import dagster_internal_warnings_silenced

_KEYWORDS = {"and", "or", "not"}
_WORD = re.compile(r'"[^"]*"|[A-Za-z_][\w.*/\-]*(?::(?:"[^"]*"|[^\s()]+))?|\S')
_NAMED = re.compile(r"(key|group|tag|kind|owner|code_location):([^\s()+]+)")


def normalize(item: str) -> str:
    """Rewrite floe's shorthands into Dagster's syntax (``asset:x`` / ``x`` -> ``key:x``)."""
    out: list[str] = []
    for token in _WORD.findall(item):
        if token.startswith("asset:"):
            out.append("key:" + token[len("asset:") :])
        elif token[0].isalpha() or token[0] == "_":
            out.append(token if ":" in token or token in _KEYWORDS else f"key:{token}")
        else:
            out.append(token)
    text = ""
    for token in out:  # keep + and parentheses glued to their operand
        if text and not text.endswith(("+", "(")) and token not in ("+", ")"):
            text += " "
        text += token
    return text


class SelectionError(ValueError):
    """One selection item that does not parse (``index`` is its position in the list)."""

    def __init__(self, index: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.index = index
        self.hint = hint


def parse_item(index: int, item: str) -> AssetSelection:
    try:
        with dagster_internal_warnings_silenced():
            return AssetSelection.from_string(normalize(item))
    except Exception as error:
        raise SelectionError(
            index,
            f"'{item}' is not a valid asset selection ({error})",
            "write Dagster's selection syntax, e.g. 'group:bronze', 'key:stg_*', '+gold_model', "
            "'tag:layer=gold', combined with and/or/not",
        ) from None


def parse_selection(items: Sequence[str]) -> AssetSelection:
    """The union of every item; ``SelectionError`` names the first item that does not parse."""
    selections = [parse_item(index, item) for index, item in enumerate(items)]
    union = selections[0]
    for selection in selections[1:]:
        union = union | selection
    return union


def resolve(selection: AssetSelection, graph: Any) -> set[AssetKey]:
    """The asset keys ``selection`` matches in ``graph`` (``Definitions.resolve_asset_graph()``)."""
    with dagster_internal_warnings_silenced():
        return set(selection.resolve(graph, allow_missing=True))


@dataclass(frozen=True)
class Unmatched:
    """A selection item that matches no asset, with the closest names there are."""

    index: int
    item: str
    hint: str


_PLURALS = {"group": "groups", "tag": "tags", "kind": "kinds", "owner": "owners"}


def _closest(
    item: str, pools: Mapping[str, Iterable[str]], external_groups: Iterable[str] = ()
) -> str:
    """A fix for an item that matches nothing: the nearest key, group, tag, kind or owner, or
    what there is. ``pools`` holds the names of each kind (``key``, ``group``, ...)."""
    named = _NAMED.findall(normalize(item))
    words = [(kind, value.strip('"')) for kind, value in named]
    hints = []
    for kind, word in words:
        pool = sorted(pools.get(kind, pools["key"]))
        near = suggest(word.replace("*", ""), pool, cutoff=0.5) if word.strip("*") else None
        if near and near != word:
            hints.append(f"'{kind}:{near}'" if kind != "key" else f"'{near}'")
    if hints:
        return f"did you mean {' or '.join(dict.fromkeys(hints))}?"
    for kind, word in words:
        if kind == "group" and word in external_groups:
            return (
                f"group '{word}' holds only external assets (AssetSpecs, dbt sources), which "
                "a job cannot materialize; select the assets that read them"
            )
    for kind, _ in words:
        if kind in _PLURALS:
            there = sorted(pools.get(kind, ()))
            if not there:
                return f"no asset has {_PLURALS[kind]}; select by key or group"
            return f"the {_PLURALS[kind]} are: {', '.join(there)}"
    return "no asset key is close to it; check the spelling (and the asset modules)"


class UnmatchedSelection(ValueError):
    """Items of a selection that match no asset on their own."""

    def __init__(self, items: list[Unmatched]) -> None:
        super().__init__(", ".join(repr(u.item) for u in items) + " match no asset")
        self.items = items


@dataclass(frozen=True)
class Selected:
    """A selection list, parsed (the union of its items) and resolved against a graph."""

    selection: AssetSelection
    keys: set[AssetKey]


def select(items: Sequence[str], graph: Any, *, require_match: bool = True) -> Selected:
    """The union of ``items`` and the keys it matches in ``graph``. ``SelectionError`` names the
    first item that does not parse; with ``require_match``, ``UnmatchedSelection`` lists every
    item that matches no asset on its own."""
    selection = parse_selection(items)
    if require_match:
        unmatched = unmatched_items(items, graph)
        if unmatched:
            raise UnmatchedSelection(unmatched)
    return Selected(selection, resolve(selection, graph))


def unmatched_items(items: Sequence[str], graph: Any) -> list[Unmatched]:
    """Every item of ``items`` (already parsed) that matches no asset of ``graph`` on its own."""
    nodes = [graph.get(k) for k in graph.get_all_asset_keys()]
    groups = {str(n.group_name) for n in nodes}
    executable = {str(n.group_name) for n in nodes if n.is_executable}
    pools = {
        "key": ["/".join(n.key.path) for n in nodes],
        "group": groups,
        "tag": {
            f"{k}={v}" if v else k
            for n in nodes
            for k, v in n.tags.items()
            if not k.startswith("dagster/kind/")
        },
        "kind": {kind for n in nodes for kind in n.kinds},
        "owner": {owner for n in nodes for owner in n.owners},
    }
    found = []
    for index, item in enumerate(items):
        if not resolve(parse_item(index, item), graph):
            found.append(Unmatched(index, item, _closest(item, pools, groups - executable)))
    return found
