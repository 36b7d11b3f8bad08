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


def test_no_message_template_is_left_unformatted() -> None:
    """pydantic-core formats ``{name}`` only: ``{name!r}`` would reach users as written."""
    import re  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    sources = Path("packages/floe-config/src/floe_config").glob("*.py")
    template = re.compile(r'(?<![fF])"[^"\n]*\{[a-z_]+![rsa]\}[^"\n]*"')
    found = [(path.name, m) for path in sources for m in template.findall(path.read_text())]
    assert found == []


def test_every_code_the_bad_configs_expect_is_registered() -> None:
    from bad_config_documents import CASES  # noqa: PLC0415

    from floe_config import IssueCode  # noqa: PLC0415

    assert {case[3] for case in CASES} <= {code.value for code in IssueCode}
    assert len({code.value for code in IssueCode}) == len(IssueCode)
