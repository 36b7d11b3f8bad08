"""One bad floe.yaml per check: the exact code, the line (marked ``# <-``) and the key path."""

from __future__ import annotations

from pathlib import Path

import pytest
from bad_config_documents import BASE, CASES, document, marked_line

from floe_config import FloeConfigError, load_config


@pytest.mark.parametrize(
    ("case_id", "extra", "env", "code", "path"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_bad_config_reports_code_line_and_path(
    tmp_path: Path, case_id: str, extra: str | None, env: dict[str, str], code: str, path: str
) -> None:
    text = document(case_id, extra)
    (tmp_path / "floe.yaml").write_text(text)
    with pytest.raises(FloeConfigError) as caught:
        load_config(tmp_path / "floe.yaml", env=env)
    found = [(i.code, i.line, i.path) for i in caught.value.issues]
    assert (code, marked_line(text), path) in found, str(caught.value)
    assert len(found) == 1, f"expected one problem, got:\n{caught.value}"
    assert all(i.hint for i in caught.value.issues), f"no fix line:\n{caught.value}"


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
    assert len({c[0] for c in CASES}) == len(CASES)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = BASE + (
        "  schedules:\n    nightly:\n      job: bronze_refrsh\n"
        '      cron_schedule: "0 25 * * *"\n      timezone: Europe/Berln\n      jbo: x\n'
    )
    (tmp_path / "floe.yaml").write_text(text)
    with pytest.raises(FloeConfigError) as caught:
        load_config(tmp_path / "floe.yaml", env={})
    golden = Path("packages/floe-config/tests/golden/every_problem_at_once.txt").read_text()
    assert str(caught.value) + "\n" == golden
