from __future__ import annotations

from typing import Any

import pytest

from floe_dagster._functions import check_args, signature_of


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
            ["argument 'retention_days' of f() expects int, found '30'"],
        ),
        (
            vacuum,
            {"force": True},
            ["f() takes no argument 'force' (it takes: retention_days, dry_run)"],
        ),
        (notify, {}, ["f() needs argument 'channel'; add it under args"]),
        (notify, {"channel": "#data", "mention": None}, []),
        (anything, {"whatever": 1}, []),
    ],
    ids=["ok", "wrong-type", "unknown", "missing", "optional-none", "kwargs"],
)
def test_args_are_checked_against_the_signature(
    function: Any, args: dict[str, Any], problems: list[str]
) -> None:
    assert check_args("f", signature_of(function), args) == problems


def test_context_is_recognised_and_not_an_argument() -> None:
    signature = signature_of(vacuum)
    assert signature.wants_context
    assert [p.name for p in signature.parameters] == ["retention_days", "dry_run"]
