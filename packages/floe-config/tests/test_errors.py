from __future__ import annotations

from floe_config import ConfigIssue, FloeConfigError


def test_issue_renders_location_path_code_and_fix() -> None:
    issue = ConfigIssue(
        code="unknown_job",
        path="orchestration.schedules.nightly.job",
        message="unknown job 'bronze_refrsh'",
        line=14,
        column=12,
        hint="did you mean 'bronze_refresh'?",
    )
    assert str(issue) == (
        "floe.yaml:14:12 orchestration.schedules.nightly.job: unknown job 'bronze_refrsh'"
        " [unknown_job]\n    fix: did you mean 'bronze_refresh'?"
    )


def test_error_reports_every_issue_in_file_order() -> None:
    late = ConfigIssue(code="b", path="x", message="late", line=9, column=1)
    early = ConfigIssue(code="a", path="y", message="early", line=2, column=3)
    error = FloeConfigError([late, early])
    assert error.codes == ["a", "b"]
    assert str(error).splitlines() == [
        "2 problems in floe.yaml:",
        "floe.yaml:2:3 y: early [a]",
        "floe.yaml:9:1 x: late [b]",
    ]
