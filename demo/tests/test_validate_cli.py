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


def _floe_yaml_snippets() -> list[tuple[str, str]]:
    """(where, text) of every fenced ```yaml block of README.md and docs/*.md that is a whole
    floe.yaml (its first key is ``name:``); the README's tour is one."""
    root = Path(__file__).absolute().parents[2]
    found = []
    for page in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        lines = page.read_text().splitlines()
        starts = [n for n, line in enumerate(lines) if line.strip() == "```yaml"]
        for start in starts:
            end = next(n for n in range(start + 1, len(lines)) if lines[n].strip() == "```")
            text = "\n".join(lines[start + 1 : end]) + "\n"
            if text.startswith("name:"):
                found.append((f"{page.name}:{start + 2}", text))
    return found


SNIPPETS = _floe_yaml_snippets()
INTENDED_WARNINGS = {"schedule_leaves_out_automated"}
"""The tour shows that automation owns an asset a schedule's job also selects: loading says so."""


def test_the_docs_show_floe_yaml() -> None:
    assert [where.split(":")[0] for where, _ in SNIPPETS].count("README.md") >= 1, SNIPPETS


@pytest.mark.parametrize(("where", "text"), SNIPPETS, ids=[w for w, _ in SNIPPETS])
def test_every_floe_yaml_snippet_of_the_docs_validates(
    tmp_path: Path, where: str, text: str
) -> None:
    """The snippet as floe.yaml of a copy of the demo (its modules and dbt project): ``floe
    validate`` passes and warns of nothing it does not mean to show, so a tour that stops
    validating fails CI."""
    project = copy_demo(tmp_path / "root", "snippet_shop")
    (project / "floe.yaml").write_text(text)
    result = floe_validate(project / "floe.yaml", demo_environment(tmp_path / "state"))
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{where}:\n{output}"
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    codes = {line.rsplit("[", 1)[-1].rstrip("]") for line in warnings}
    assert codes <= INTENDED_WARNINGS, f"{where}:\n{result.stderr}"
