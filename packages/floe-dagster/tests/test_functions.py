from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from projects import write_project

from floe_config import load_config
from floe_dagster import FloeDagsterError, FloeDefinitions
from floe_dagster._python.functions import QUOTED_HINT, check_args, signature_of


def vacuum(context: Any, retention_days: int = 7, dry_run: bool = False) -> None: ...


def notify(channel: str, *, mention: str | None = None) -> None: ...


def anything(**kwargs: Any) -> None: ...


@pytest.mark.parametrize(
    ("function", "args", "problems"),
    [
        (vacuum, {"retention_days": 30}, []),
        (
            vacuum,
            {"retention_days": "30"},
            [
                (
                    "invalid_argument",
                    "retention_days",
                    "argument 'retention_days' of f() expects int, found a str",
                )
            ],
        ),
        (
            vacuum,
            {"force": True},
            [
                (
                    "unknown_argument",
                    "force",
                    "f() takes no argument 'force' (it takes: retention_days, dry_run)",
                )
            ],
        ),
        (notify, {}, [("missing_argument", None, "f() needs argument 'channel'")]),
        (notify, {"channel": "#data", "mention": None}, []),
        (anything, {"whatever": 1}, []),
    ],
    ids=["ok", "wrong-type", "unknown", "missing", "optional-none", "kwargs"],
)
def test_args_are_checked_against_the_signature(
    function: Any, args: dict[str, Any], problems: list[tuple[str, str | None, str]]
) -> None:
    found = check_args("f", signature_of(function), args)
    assert [(p.code, p.arg, p.message) for p in found] == problems


def test_a_wrong_text_value_is_not_echoed() -> None:
    [problem] = check_args("f", signature_of(vacuum), {"dry_run": "s3cr3t"})
    assert "s3cr3t" not in problem.message
    assert problem.message == "argument 'dry_run' of f() expects bool, found a str"
    assert problem.hint == "give 'dry_run' a value of type bool"


def test_a_quoted_number_is_told_to_lose_its_quotes() -> None:
    """``retention_days: "${DAYS:14}"`` is text in YAML: the fix says why, and how."""
    [problem] = check_args("f", signature_of(vacuum), {"retention_days": "14"})
    assert problem.hint == f"give 'retention_days' a value of type int{QUOTED_HINT}"
    assert "without quotes" in QUOTED_HINT


def test_context_is_recognised_and_not_an_argument() -> None:
    signature = signature_of(vacuum)
    assert signature.wants_context
    assert [p.name for p in signature.parameters] == ["retention_days", "dry_run"]


def test_an_edited_target_is_seen_on_reload(tmp_path: Path) -> None:
    """A long-running code server reloads the code location: the ops target must not be stale."""
    path = write_project(tmp_path, "reloaded_project")
    config = load_config(path, env={})
    defs = FloeDefinitions.from_config(config, env={"FLOE_STATE_DIR": str(tmp_path / "s")})
    assert defs.resolve_job_def("tidy_up").run_config == {
        "ops": {"tidy_up_op": {"config": {"retention_days": 3}}}
    }
    (path.parent / "ops.py").write_text("def tidy(keep_days: int = 7) -> int:\n    return 0\n")
    with pytest.raises(FloeDagsterError) as caught:
        FloeDefinitions.from_config(config, env={"FLOE_STATE_DIR": str(tmp_path / "s")})
    [issue] = caught.value.issues
    assert (issue.code, issue.path, issue.line) == (
        "unknown_argument",
        "orchestration.jobs.tidy_up.args.retention_days",
        6,
    )
