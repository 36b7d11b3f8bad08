from __future__ import annotations

from floe_config import ConfigIssue
from floe_dagster import FloeDagsterError


def test_error_lists_every_problem_as_records() -> None:
    first = ConfigIssue(code="missing_module", path="a", message="first", line=3, column=5)
    second = ConfigIssue(code="unknown_function", path="b", message="second", line=1, column=2)
    error = FloeDagsterError([first, second])
    assert str(error).splitlines() == [
        "2 problems building the Dagster definitions:",
        "floe.yaml:1:2 b: second [unknown_function]",
        "floe.yaml:3:5 a: first [missing_module]",
    ]
    assert error.issues == (second, first)
    assert error.codes == ["unknown_function", "missing_module"]
