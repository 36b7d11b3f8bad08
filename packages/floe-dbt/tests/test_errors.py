from __future__ import annotations

from floe_dbt import FloeDbtError


def test_error_names_the_path_the_code_and_the_fix() -> None:
    error = FloeDbtError(
        "not valid JSON",
        code="manifest_not_json",
        path="dbt/target/manifest.json",
        hint="run dbt parse",
    )
    assert str(error) == (
        "dbt/target/manifest.json: not valid JSON [manifest_not_json]\n    fix: run dbt parse"
    )
    assert (error.code, error.path) == ("manifest_not_json", "dbt/target/manifest.json")
    assert error.message == "dbt/target/manifest.json: not valid JSON"


def test_error_without_path_is_the_message_and_code() -> None:
    assert str(FloeDbtError("dbt failed")) == "dbt failed [dbt_error]"
