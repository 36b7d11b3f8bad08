"""``floe validate``, run as users run it, over every bad input floe's tests know: each one ends
in exit code 1 and a ``floe.yaml:LINE`` error, never a traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from bad_config_documents import CASES as CONFIG_CASES
from bad_config_documents import document
from bad_inputs import CASES as DEMO_CASES
from demo_env import copy_demo, demo_environment, floe_validate


def _assert_clean_failure(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "floe.yaml:" in result.stderr, output
    assert "Traceback" not in output, output


@pytest.mark.parametrize(
    ("case_id", "extra", "env"),
    [case[:3] for case in CONFIG_CASES],
    ids=[case[0] for case in CONFIG_CASES],
)
def test_bad_configs(tmp_path: Path, case_id: str, extra: str | None, env: dict[str, str]) -> None:
    (tmp_path / "floe.yaml").write_text(document(case_id, extra))
    _assert_clean_failure(floe_validate(tmp_path / "floe.yaml", dict(os.environ, **env)))


@pytest.mark.parametrize("case", list(DEMO_CASES), ids=list(DEMO_CASES))
def test_bad_demo_inputs(tmp_path: Path, case: str) -> None:
    project = copy_demo(tmp_path / "root", f"cli_{case}")
    DEMO_CASES[case](project)
    result = floe_validate(project / "floe.yaml", demo_environment(tmp_path / "state"))
    _assert_clean_failure(result)
