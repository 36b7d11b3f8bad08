from __future__ import annotations

from floe_dbt import FloeDbtError


def test_error_names_the_path_and_the_fix() -> None:
    error = FloeDbtError("not valid JSON", path="dbt/target/manifest.json", hint="run dbt parse")
    assert str(error) == "dbt/target/manifest.json: not valid JSON\n    fix: run dbt parse"
    assert error.path == "dbt/target/manifest.json"


def test_error_without_path_is_just_the_message() -> None:
    assert str(FloeDbtError("dbt failed")) == "dbt failed"
