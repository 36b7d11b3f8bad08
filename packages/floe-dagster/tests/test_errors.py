from __future__ import annotations

from floe_dagster import FloeDagsterError


def test_error_lists_every_problem() -> None:
    error = FloeDagsterError(["a: first", "b: second"])
    assert str(error).splitlines() == [
        "2 problems building the Dagster definitions:",
        "a: first",
        "b: second",
    ]
    assert error.problems == ("a: first", "b: second")
