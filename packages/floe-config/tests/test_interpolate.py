from __future__ import annotations

import pytest

from floe_config._interpolate import interpolate
from floe_config._yaml import parse_yaml


def _resolve(text: str, env: dict[str, str]) -> object:
    document = parse_yaml(f"value: {text}\n", file="floe.yaml")
    result = interpolate(document, env=env)
    assert not result.issues, result.issues
    return result.data["value"]


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("${ON:false}", {}, False),
        ("${ON:false}", {"ON": "true"}, True),
        ("${DAYS:7}", {}, 7),
        ("${RATE:0.5}", {}, 0.5),
        ("${URL:}", {}, None),
        ("${CRON:0 6 * * *}", {}, "0 6 * * *"),
        ("${URL:http://localhost:5000/api}", {}, "http://localhost:5000/api"),
        ('"${DAYS:7}"', {}, "7"),
        ("pre-${NAME:x}-post", {"NAME": "mid"}, "pre-mid-post"),
        ("$${HOME}", {"HOME": "/root"}, "${HOME}"),
        ("${A:1}${B:2}", {}, "12"),
        ("${DATE:2024-01-01}", {}, "2024-01-01"),
    ],
    ids=[
        "bool-default",
        "bool-env",
        "int",
        "float",
        "empty-default-is-null",
        "default-with-spaces",
        "default-with-colons",
        "quoted-stays-text",
        "embedded",
        "escaped-literal",
        "two-placeholders-are-text",
        "dates-stay-text",
    ],
)
def test_placeholder_resolution(text: str, env: dict[str, str], expected: object) -> None:
    assert _resolve(text, env) == expected


def test_unset_variable_without_default_is_an_error_with_line() -> None:
    document = parse_yaml("a:\n  b: ${MISSING}\n", file="floe.yaml")
    result = interpolate(document, env={})
    [issue] = result.issues
    assert (issue.code, issue.line, issue.path) == ("unset_variable", 2, "a.b")
    assert "MISSING" in issue.message


def test_variables_are_recorded_with_defaults_and_locations() -> None:
    document = parse_yaml("a: ${X:1}\nb:\n  - ${Y}\n", file="floe.yaml")
    result = interpolate(document, env=None)
    found = [(v.name, v.default, v.path, v.line) for v in result.variables]
    assert found == [("X", "1", "a", 1), ("Y", None, "b[0]", 3)]
    assert not result.issues  # compile time: a missing value is deferred, not an error
