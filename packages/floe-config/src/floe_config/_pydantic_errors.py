"""pydantic's ValidationError -> located ConfigIssues (users never see raw ``loc`` tuples)."""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core.core_schema import ErrorType

from floe_config._codes import IssueCode
from floe_config._errors import ConfigIssue
from floe_config._schema_walk import annotation_at, keys_at, type_tags, union_members
from floe_config._source_map import KeyPath as Path
from floe_config._types import suggest
from floe_config._yaml import RawDocument

_BUILTIN_KINDS = frozenset(typing.get_args(ErrorType))
_TYPE_WORDS = {
    "bool": "true or false",
    "int": "a whole number",
    "float": "a number",
    "string": "a string",
    "dict": "a mapping of keys",
    "model": "a mapping of keys",
    "model_attributes": "a mapping of keys",
    "list": "a list",
}


_TYPE_FIXES = {
    "bool": "write true or false, unquoted",
    "int": "write a whole number, unquoted (e.g. 7)",
    "float": "write a number, unquoted (e.g. 0.5)",
    "string": "write text; quote it when YAML would read a number, a date or true/false",
    "dict": "write `key: value` lines, indented below this key",
    "model": "write `key: value` lines, indented below this key",
    "model_attributes": "write `key: value` lines, indented below this key",
    "list": "write a list: `[a, b]`, or one `- a` line per item below the key",
}


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return repr(value)


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[Path, bool]:
    """Keep the parts of ``loc`` that are keys of the data; drop union tags. Flags key errors."""
    path: list[str | int] = []
    current = data
    is_key = False
    for part in loc:
        if part == "[key]":
            is_key = True
            continue
        in_dict = isinstance(current, dict) and isinstance(part, str) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            current = current[part]
            path.append(part)
    return tuple(path), is_key


def _field_path(field: str) -> Path:
    return tuple(int(p) if p.isdigit() else p for p in field.split("."))


def _tags_at(model_root: type[BaseModel], data: Any, path: Path) -> list[str]:
    annotation = annotation_at(model_root, data, path)
    tags: list[str] = []
    for member in union_members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            tags += [str(t) for t in type_tags(member)]
    return [t for t in tags if t != "ref"]


def failed_paths(error: ValidationError, data: Any) -> set[Path]:
    """The data paths whose values failed their own type check (missing keys excluded)."""
    paths = set()
    for item in error.errors(include_url=False):
        if item["type"] == "missing":
            continue
        # a model validator's error (it names a "field" in its context) judges the whole
        # object, so the whole object is out, not only the field it points at
        path, _ = _data_path(tuple(item["loc"]), data)
        paths.add(path)
    return paths


def translate(
    error: ValidationError, *, document: RawDocument, data: Any, root: type[BaseModel]
) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    seen: set[tuple[Path, str]] = set()
    for item in error.errors(include_url=False):
        kind = item["type"]
        loc = tuple(item["loc"])
        ctx = dict(item.get("ctx") or {})
        if kind == "missing":
            path, is_key = _data_path(loc[:-1], data)
            missing = str(loc[-1])
        else:
            path, is_key = _data_path(loc, data)
            missing = ""
        if "field" in ctx:
            path = (*path, *_field_path(str(ctx["field"])))
        value = item.get("input")
        code, message, hint = _explain(kind, item["msg"], ctx, value, path, missing, data, root)
        if (path, code) in seen:
            continue
        seen.add((path, code))
        if kind == "union_tag_invalid":
            path = (*path, "type")
        at_key = is_key or code in (IssueCode.UNKNOWN_KEY, IssueCode.MISSING_KEY)
        issues.append(document.source.issue(path, code, message, hint, at_key=at_key))
    return issues


def _explain(
    kind: str,
    msg: str,
    ctx: dict[str, Any],
    value: Any,
    path: Path,
    missing: str,
    data: Any,
    root: type[BaseModel],
) -> tuple[IssueCode, str, str | None]:
    if kind not in _BUILTIN_KINDS:  # one of floe's own checks, raised in a validator
        code = IssueCode(kind) if kind in IssueCode._value2member_map_ else IssueCode.INVALID_VALUE
        return code, msg, ctx.get("hint")
    if kind == "missing":
        return (
            IssueCode.MISSING_KEY,
            f"required key '{missing}' is missing",
            f"add '{missing}: ...'",
        )
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        allowed = keys_at(root, data, path[:-1])
        near = suggest(key, allowed)
        if near:
            return IssueCode.UNKNOWN_KEY, f"unknown key '{key}'", f"did you mean '{near}'?"
        return (
            IssueCode.UNKNOWN_KEY,
            f"unknown key '{key}'",
            f"expected one of: {', '.join(allowed)}",
        )
    if kind == "union_tag_not_found":
        tags = _tags_at(root, data, path)
        return (
            IssueCode.MISSING_KEY,
            "required key 'type' is missing",
            f"add 'type:' with one of: {', '.join(tags)}",
        )
    if kind == "union_tag_invalid":
        tags = _tags_at(root, data, path)
        tag = str(ctx.get("tag"))
        near = suggest(tag, tags)
        return (
            IssueCode.INVALID_CHOICE,
            f"type '{tag}' is not one of: {', '.join(tags)}",
            f"did you mean '{near}'?" if near else f"use one of: {', '.join(tags)}",
        )
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ",").split(",")]
        near = suggest(str(value), choices)
        return (
            IssueCode.INVALID_CHOICE,
            f"{_describe(value)} is not one of: {', '.join(choices)}",
            f"did you mean '{near}'?" if near else f"use one of: {', '.join(choices)}",
        )
    if kind == "greater_than":
        bound = ctx.get("gt")
        return (
            IssueCode.MUST_BE_POSITIVE,
            f"expected a number greater than {bound}, found {_describe(value)}",
            "use 1 or more" if bound == 0 else f"use a number greater than {bound}",
        )
    if kind == "greater_than_equal":
        bound = ctx.get("ge")
        return (
            IssueCode.MUST_BE_POSITIVE,
            f"expected a number of at least {bound}, found {_describe(value)}",
            f"use {bound} or more",
        )
    if kind == "too_short":
        if isinstance(value, str):
            return IssueCode.EMPTY_VALUE, "must not be empty", "give it a value, or remove the key"
        return (
            IssueCode.EMPTY_LIST,
            "expected at least one item, found none",
            "list at least one item (`[a]`, or a `- a` line below the key)",
        )
    for prefix, words in _TYPE_WORDS.items():
        if kind.startswith(prefix + "_") or kind == prefix:
            return (
                IssueCode.INVALID_TYPE,
                f"expected {words}, found {_describe(value)}",
                _TYPE_FIXES[prefix],
            )
    return (
        IssueCode.INVALID_VALUE,
        msg.removeprefix("Value error, "),
        "`floe schema` describes what every key takes",
    )
