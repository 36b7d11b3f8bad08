"""Stage 1: floe.yaml text -> a plain tree that remembers where every key and value stood."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from floe_config._codes import IssueCode
from floe_config._errors import ConfigIssue, FloeConfigError
from floe_config._source_map import KeyPath, Position, SourceMap, render_path

Path = KeyPath
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MAX_NODES = 200_000
# libyaml's parser when PyYAML was built with it (it is on every wheel platform); same marks.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class RawDocument:
    """The YAML tree as plain Python, and the source map of where each of its keys stands."""

    data: Any
    source: SourceMap

    @property
    def file(self) -> str:
        return self.source.file

    def value_at(self, path: Path) -> Any:
        value = self.data
        for part in path:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return None
        return value


class _Builder:
    def __init__(self, document: RawDocument) -> None:
        self.doc = document
        self.constructor = yaml.SafeLoader("")
        self.issues: list[ConfigIssue] = []
        self.count = 0

    def build(self, node: yaml.Node, path: Path, key: Position | None = None) -> Any:
        self.count += 1
        if self.count > _MAX_NODES:
            raise _TooLarge
        container = isinstance(node, yaml.MappingNode | yaml.SequenceNode)
        # a plain scalar's text as written: None style (Python parser) or "" (libyaml); dates
        # stay as written anyway, the schema parses them with their fmt
        plain = not container and node.tag != _TIMESTAMP_TAG and not getattr(node, "style", None)
        self.doc.source.record(
            path,
            Position(node.start_mark.line + 1, node.start_mark.column + 1),
            key=key,
            container=container,
            text=str(node.value) if plain else None,
        )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _scalar(self, node: yaml.Node, path: Path) -> Any:
        if node.tag == _TIMESTAMP_TAG:
            return node.value  # dates stay as written; the schema parses them with their fmt
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as error:
            self.issues.append(
                self.doc.source.issue(
                    path,
                    IssueCode.INVALID_YAML,
                    str(error.problem),
                    "quote the value, or drop the '!' tag before it (floe.yaml takes plain YAML)",
                )
            )
            return node.value

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        try:
            self.constructor.flatten_mapping(node)  # YAML merge keys (<<: *anchor)
        except yaml.constructor.ConstructorError as error:
            self.issues.append(
                self.doc.source.issue(
                    path,
                    IssueCode.INVALID_YAML,
                    str(error.problem),
                    "a merge key (<<:) takes an anchored mapping (*name) or a list of them",
                )
            )
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_position = Position(key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key_node, yaml.ScalarNode):
                self.issues.append(
                    _located(
                        self.doc,
                        path,
                        key_position,
                        IssueCode.INVALID_KEY,
                        "a key must be a plain name",
                    )
                )
                continue
            key = str(key_node.value)
            child = (*path, key)
            if key in result:
                first = self.doc.source.key_position(child) or key_position
                self.issues.append(
                    _located(
                        self.doc,
                        child,
                        key_position,
                        IssueCode.DUPLICATE_KEY,
                        f"key '{key}' appears twice (first at line {first.line})",
                        "keep one of them; YAML would silently use the last",
                    )
                )
                continue
            result[key] = self.build(value_node, child, key_position)
        return result


class _TooLarge(Exception):
    pass


def _located(
    doc: RawDocument,
    path: Path,
    at: Position,
    code: IssueCode,
    message: str,
    hint: str | None = None,
) -> ConfigIssue:
    return ConfigIssue(
        code=code,
        path=render_path(path),
        message=message,
        file=doc.file,
        line=at.line,
        column=at.column,
        hint=hint,
    )


FLOW_PLACEHOLDER_HINT = (
    "a ${VAR} placeholder cannot stand unquoted inside { } or [ ] (YAML reads its braces): "
    "write that mapping or list in block style, one `key: ${VAR:default}` or `- ${VAR}` per "
    "line, or quote the placeholder (its value is then text)"
)


def _placeholder_in_flow(text: str, line: int) -> bool:
    """Whether line ``line`` (0-based) has a ``${`` after an opening ``{`` or ``[``: YAML's
    flow syntax, where a placeholder's braces end the collection."""
    rows = text.splitlines()
    if not 0 <= line < len(rows):
        return False
    row = rows[line].split(" #", 1)[0]
    start = row.find("${")
    return start > 0 and ("{" in row[:start] or "[" in row[:start])


def parse_yaml(text: str, *, file: str) -> RawDocument:
    """Parse one YAML document; every syntax problem becomes a located ``FloeConfigError``."""
    document = RawDocument(data=None, source=SourceMap(file))
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = " ".join(str(p) for p in (error.context, error.problem) if p)
        flow = mark is not None and _placeholder_in_flow(text, mark.line)
        raise FloeConfigError(
            [
                ConfigIssue(
                    code=IssueCode.INVALID_YAML,
                    path="",
                    message=f"not valid YAML: {message}",
                    file=file,
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                    hint=FLOW_PLACEHOLDER_HINT
                    if flow
                    else "check the indentation and quoting near this position",
                )
            ]
        ) from error
    except yaml.reader.ReaderError as error:  # a character YAML refuses: it has an offset
        before = text[: error.position]
        raise FloeConfigError(
            [
                ConfigIssue(
                    code=IssueCode.INVALID_YAML,
                    path="",
                    message=f"not valid YAML: character {error.character!r} is not allowed "
                    f"({error.reason})",
                    file=file,
                    line=before.count("\n") + 1,
                    column=error.position - (before.rfind("\n") + 1) + 1,
                    hint="remove the character, or write it as an escape in a double-quoted string",
                )
            ]
        ) from error
    except yaml.YAMLError as error:
        raise FloeConfigError(
            [
                ConfigIssue(
                    code=IssueCode.INVALID_YAML,
                    path="",
                    message=f"not valid YAML: {error}",
                    file=file,
                    hint="check the file's indentation and quoting",
                )
            ]
        ) from error
    if node is None:
        raise FloeConfigError(
            [
                ConfigIssue(
                    code=IssueCode.EMPTY_FILE,
                    path="",
                    message="the file is empty",
                    file=file,
                    hint="start with 'name: my_project'",
                )
            ]
        )
    builder = _Builder(document)
    try:
        document.data = builder.build(node, ())
    except (_TooLarge, RecursionError):
        raise FloeConfigError(
            [
                ConfigIssue(
                    code=IssueCode.TOO_LARGE,
                    path="",
                    message=f"the document expands to more than {_MAX_NODES} values "
                    "(nested or repeated aliases?)",
                    file=file,
                )
            ]
        ) from None
    if not isinstance(document.data, dict):
        kind = type(document.data).__name__
        builder.issues.append(
            document.source.issue(
                (),
                IssueCode.NOT_A_MAPPING,
                f"expected a mapping of keys at the top, found {kind}",
                "start with 'name: my_project', then the sections (transforms, storage, "
                "orchestration) as keys at the left margin",
            )
        )
    if builder.issues:
        raise FloeConfigError(builder.issues)
    return document
