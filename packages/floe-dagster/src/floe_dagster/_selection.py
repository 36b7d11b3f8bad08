"""Job selections (FR-018..023): a list of items in Dagster's selection syntax, unioned.

floe's shorthands: ``asset:name`` and a bare ``name`` mean ``key:name``. Every item must parse
and the union must match at least one asset: an empty result never means "all assets".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dagster import AssetKey, AssetSelection

from floe_dagster._warnings import dagster_internal_warnings_silenced

if TYPE_CHECKING:
    from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

_KEYWORDS = {"and", "or", "not"}
_WORD = re.compile(r'"[^"]*"|[A-Za-z_][\w.*/\-]*(?::(?:"[^"]*"|[^\s()]+))?|\S')


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
    pass


def parse_selection(items: Sequence[str]) -> AssetSelection:
    """The union of every item; ``SelectionError`` names the first item that does not parse."""
    selections = []
    for index, item in enumerate(items):
        try:
            with dagster_internal_warnings_silenced():
                selections.append(AssetSelection.from_string(normalize(item)))
        except Exception as error:
            raise SelectionError(
                f"item {index} '{item}' is not a valid asset selection ({error}); expected "
                "Dagster's syntax, e.g. 'group:bronze', 'key:stg_*', '+gold_model', "
                "'tag:layer=gold', combined with and/or/not"
            ) from None
    union = selections[0]
    for selection in selections[1:]:
        union = union | selection
    return union


def resolve(selection: AssetSelection, graph: AssetGraph) -> set[AssetKey]:
    with dagster_internal_warnings_silenced():
        return set(selection.resolve(graph))
