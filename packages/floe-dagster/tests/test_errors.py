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


def test_every_floe_error_shares_one_base_with_coded_issues() -> None:
    """One error model: each package's errors are ``FloeError``s whose issues carry a code of
    the one registry (typed as the code), where there is one a file position, and a fix."""
    from pathlib import Path  # noqa: PLC0415

    from floe_config import FloeConfigError, FloeError, IssueCode  # noqa: PLC0415
    from floe_dagster._orchestration.backfill_keys import BackfillProblem  # noqa: PLC0415
    from floe_dagster._orchestration.custom_sensor import SensorFunctionError  # noqa: PLC0415
    from floe_dagster._python.functions import TargetError  # noqa: PLC0415
    from floe_dagster.cli._init import InitError  # noqa: PLC0415
    from floe_dagster.cli._postgres import PostgresError  # noqa: PLC0415
    from floe_dagster.lake import LakeError, WarehouseNotFoundError  # noqa: PLC0415
    from floe_dbt import FloeDbtError  # noqa: PLC0415

    errors = [
        FloeConfigError([ConfigIssue(code="unknown_key", path="x", message="m", line=1)]),
        FloeDbtError("m", code=IssueCode.MANIFEST_NOT_FOUND, path="m.json", hint="h"),
        FloeDagsterError([ConfigIssue(code="missing_module", path="y", message="m")]),
        WarehouseNotFoundError(str(Path("/w.duckdb"))),
        PostgresError("m", "h"),
        InitError(IssueCode.NOT_A_DBT_PROJECT, "m", "h"),
        TargetError(IssueCode.UNKNOWN_FUNCTION, "m", "h"),
        BackfillProblem(("partitions", 0), IssueCode.UNKNOWN_PARTITION_KEY, "m", "h"),
        SensorFunctionError("m"),
    ]
    for error in errors:
        assert isinstance(error, FloeError), error
        assert all(isinstance(code, IssueCode) for code in error.codes), error
    assert isinstance(errors[3], LakeError)
    assert errors[1].issue.file == "m.json"
    assert errors[0].issue.location == "floe.yaml:1:1"
