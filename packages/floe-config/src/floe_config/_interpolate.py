"""Stage 2: ``${VAR}`` / ``${VAR:default}`` in every scalar of the raw tree.

- The default is everything after the first ``:`` up to the closing ``}``, so it may hold ``:``.
- ``$${`` is a literal ``${``.
- A plain scalar that is exactly one placeholder takes the YAML type of its resolved text
  (``enabled: ${ON:false}`` is a bool, ``${DAYS:7}`` an int, ``${URL:}`` null). A quoted
  scalar stays a string.
- An unset variable without a default is an error naming the variable, the key and the line.
- Shell forms (``${VAR:-x}``, ``${VAR:=x}``, ``${VAR:?x}``, ``${VAR:+x}``) are refused rather
  than read as a default that starts with ``-``, ``=``, ``?`` or ``+``: ``${DAYS:-1}`` would
  otherwise silently default to minus one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from floe_config._codes import IssueCode
from floe_config._errors import ConfigIssue
from floe_config._secrets import EnvValue, looks_secret
from floe_config._source_map import render_path
from floe_config._yaml import Path, RawDocument

_TOKEN = re.compile(r"\$\$\{|\$\{")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_SHELL_OPERATORS = ("-", "=", "?", "+")


@dataclass(frozen=True)
class VariableUse:
    """One placeholder in floe.yaml: the variable, its default and where it stands."""

    name: str
    default: str | None
    path: str
    line: int | None
    column: int | None


@dataclass(frozen=True)
class _Placeholder:
    name: str
    default: str | None
    start: int
    end: int


class _Malformed(Exception):
    def __init__(
        self, message: str, *, code: IssueCode = IssueCode.INVALID_PLACEHOLDER, hint: str = ""
    ) -> None:
        super().__init__(message)
        self.code = code
        self.hint = hint or "write ${NAME} or ${NAME:default}; write $${ for a literal ${"


def _scan(text: str) -> tuple[list[_Placeholder | str], bool]:
    """Split ``text`` into literal pieces and placeholders; also whether it has any ``$${``."""
    pieces: list[_Placeholder | str] = []
    position = 0
    escaped = False
    for match in _TOKEN.finditer(text):
        if match.start() < position:
            continue
        pieces.append(text[position : match.start()])
        if match.group() == "$${":
            pieces.append("${")
            escaped = True
            position = match.end()
            continue
        close = text.find("}", match.end())
        if close < 0:
            raise _Malformed(f"'{text}' has '${{' without a closing '}}'")
        body = text[match.end() : close]
        name, colon, default = body.partition(":")
        if not _NAME.match(name):
            raise _Malformed(
                f"'${{{body}}}' is not a placeholder; expected ${{NAME}} or ${{NAME:default}} "
                "with NAME made of letters, digits and '_'"
            )
        if colon and default[:1] in _SHELL_OPERATORS:
            operator, rest = default[0], default[1:]
            raise _Malformed(
                f"'${{{body}}}' is shell syntax (:{operator}); floe's default is everything "
                "after a single ':'",
                code=IssueCode.SHELL_DEFAULT,
                hint=f"write ${{{name}:{rest}}}",
            )
        pieces.append(_Placeholder(name, default if colon else None, match.start(), close + 1))
        position = close + 1
    pieces.append(text[position:])
    return [p for p in pieces if p != ""], escaped


def has_placeholder(text: str) -> bool:
    return "${" in text


def split_template(template: str) -> list[str | tuple[str, str | None]]:
    """A floe.yaml scalar as literal text and ``(NAME, default)`` placeholders, in order
    (``$${`` is literal text ``${``); ValueError for a malformed placeholder.

    >>> split_template("https://${HOST}/${PATH:x}")
    ['https://', ('HOST', None), '/', ('PATH', 'x')]
    """
    try:
        pieces, _ = _scan(template)
    except _Malformed as error:
        raise ValueError(str(error)) from None
    return [p if isinstance(p, str) else (p.name, p.default) for p in pieces]


def resolve_template(template: str, *, env: Mapping[str, str]) -> str:
    """The text of one floe.yaml scalar with its placeholders resolved from ``env``, as floe
    resolves it when loading (for values resolved late, inside the process that needs them).

    >>> resolve_template("https://${HOST:localhost}/x", env={})
    'https://localhost/x'
    """
    out = []
    for piece in split_template(template):
        if isinstance(piece, str):
            out.append(piece)
            continue
        name, default = piece
        value = env.get(name, default)
        if value is None:
            raise KeyError(f"environment variable {name} is not set and has no default")
        out.append(value)
    return "".join(out)


def typed_text(text: str) -> Any:
    """The value YAML would give ``text`` written as a plain scalar (dates stay text)."""
    resolver = yaml.resolver.Resolver()
    tag = resolver.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    if tag == _TIMESTAMP_TAG:
        return text
    node = yaml.ScalarNode(tag, text)
    return yaml.SafeLoader("").construct_object(node)


@dataclass
class Interpolated:
    data: Any
    variables: list[VariableUse]
    texts: dict[Path, str]
    issues: list[ConfigIssue]
    origins: dict[Path, str]
    """Where each interpolated value came from, for error messages."""
    deferred: set[Path]
    """Paths holding a variable that has no default and no value (compile time only)."""
    env_values: dict[Path, EnvValue]
    """Every scalar that holds placeholders: its template, variables, and where they came from."""


def find_variables(document: RawDocument) -> list[VariableUse]:
    """Every placeholder of the document, without resolving anything."""
    return interpolate(document, env=None).variables


def interpolate(document: RawDocument, *, env: Mapping[str, str] | None) -> Interpolated:
    """Resolve every placeholder from ``env``.

    With ``env=None`` (compile time) every placeholder takes its default, and a variable with
    no default is recorded as deferred rather than reported: its value arrives at load time.
    """
    plain = document.source.texts()
    result = Interpolated(
        data=None,
        variables=[],
        texts=dict(plain),
        issues=[],
        origins={},
        deferred=set(),
        env_values={},
    )

    def visit(value: Any, path: Path) -> Any:
        if isinstance(value, dict):
            return {k: visit(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [visit(v, (*path, i)) for i, v in enumerate(value)]
        if isinstance(value, str) and ("${" in value):
            return resolve_scalar(value, path)
        return value

    def resolve_scalar(text: str, path: Path) -> Any:
        try:
            pieces, escaped = _scan(text)
        except _Malformed as error:
            result.issues.append(document.source.issue(path, error.code, str(error), error.hint))
            return text
        where = document.source.locate(path)
        out: list[str] = []
        from_env: list[str] = []
        key = next((str(p) for p in reversed(path) if isinstance(p, str)), "")
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            result.variables.append(
                VariableUse(
                    name=piece.name,
                    default=piece.default,
                    path=render_path(path),
                    line=where.line if where else None,
                    column=where.column if where else None,
                )
            )
            value = env.get(piece.name) if env is not None else None
            shown = "" if looks_secret(key, piece.name) else f"={value!r}"
            origin = f"environment variable {piece.name}{shown}"
            if value is not None:
                from_env.append(piece.name)
            else:
                value = piece.default
                origin = f"the default of ${{{piece.name}}}: {value!r}"
            result.origins[path] = origin
            if value is None:
                result.deferred.add(path)
                if env is not None:
                    result.issues.append(
                        document.source.issue(
                            path,
                            IssueCode.UNSET_VARIABLE,
                            f"environment variable {piece.name} is not set and has no default",
                            f"set {piece.name}, or give a default: ${{{piece.name}:value}}",
                        )
                    )
                value = ""
            out.append(value)
        resolved = "".join(out)
        whole = len(pieces) == 1 and isinstance(pieces[0], _Placeholder) and not escaped
        placeholders = [p for p in pieces if isinstance(p, _Placeholder)]
        result.env_values[path] = EnvValue(
            path=render_path(path),
            template=text,
            variables=tuple(p.name for p in placeholders),
            defaults=tuple(p.default for p in placeholders),
            from_env=tuple(from_env),
            resolved=resolved,
            whole=whole,
        )
        if path in plain:  # a plain scalar
            result.texts[path] = resolved
            if whole:
                return typed_text(resolved)
        return resolved

    result.data = visit(document.data, ())
    return result
