from __future__ import annotations

import pytest

from floe_config import FloeConfigError
from floe_config._yaml import FLOW_PLACEHOLDER_HINT, parse_yaml


def test_positions_of_values_and_keys() -> None:
    document = parse_yaml("a:\n  b: [x, y]\n  c: 1.10\n", file="floe.yaml")
    assert document.data == {"a": {"b": ["x", "y"], "c": 1.1}}
    assert document.source.value_position(("a", "b", 1)).line == 2
    assert document.source.key_position(("a", "c")).column == 3
    assert document.source.texts()[("a", "c")] == "1.10"


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("", "empty_file", None),
        ("- a\n- b\n", "not_a_mapping", 1),
        ("a: [1, 2\n", "invalid_yaml", 2),
        ("a: 1\na: 2\n", "duplicate_key", 2),
        ("a: 1\n---\nb: 2\n", "invalid_yaml", 2),
        ("? [a]\n: 1\n", "invalid_key", 1),
    ],
    ids=["empty", "list-at-top", "unclosed-flow", "duplicate", "two-documents", "complex-key"],
)
def test_bad_yaml_is_a_located_error(text: str, code: str, line: int | None) -> None:
    with pytest.raises(FloeConfigError) as caught:
        parse_yaml(text, file="floe.yaml")
    [issue] = caught.value.issues
    assert (issue.code, issue.line) == (code, line)


@pytest.mark.parametrize(
    "text",
    [
        "args: {retention_days: ${RET:14}}\n",
        "selection: [a, ${EXTRA}]\n",
        "jobs:\n  tidy: {type: ops, args: {days: ${DAYS:7}}}  # weekly\n",
    ],
    ids=["flow-mapping", "flow-list", "nested"],
)
def test_a_placeholder_inside_braces_or_brackets_says_to_write_block_style(text: str) -> None:
    """YAML ends a flow collection at the placeholder's braces; the fix says so, not
    'check the indentation'."""
    with pytest.raises(FloeConfigError) as caught:
        parse_yaml(text, file="floe.yaml")
    [issue] = caught.value.issues
    assert issue.code == "invalid_yaml"
    assert issue.hint == FLOW_PLACEHOLDER_HINT


def test_alias_bombs_are_refused() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    with pytest.raises(FloeConfigError) as caught:
        parse_yaml("\n".join(levels) + "\n", file="floe.yaml")
    assert caught.value.codes == ["too_large"]
