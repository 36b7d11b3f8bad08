"""dbt settings are decided in one place, and a wrong folder is a floe.yaml error at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from floe_config import load_config
from floe_dagster._dbt.settings import dbt_settings
from floe_dagster._errors import Problems

FLOE_YAML = """\
name: shop
transforms:
  dbt:
    project_dir: dbt
    target: dev
    profiles_dir: {profiles}
orchestration:
  dbt:
    manifest_path: dbt/target/manifest.json
    target: prod
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "dbt").mkdir()
    (tmp_path / "dbt" / "dbt_project.yml").write_text("name: shop\nprofile: shop\n")
    return tmp_path


def _settings(project: Path, profiles: str) -> tuple[object, list[tuple[str, int | None, str]]]:
    (project / "floe.yaml").write_text(FLOE_YAML.format(profiles=profiles))
    config = load_config(project / "floe.yaml", env={"FLOE_STATE_DIR": str(project / "s")})
    problems = Problems()
    settings = dbt_settings(
        config,
        manifest_path=project / "dbt" / "target" / "manifest.json",
        env={"FLOE_STATE_DIR": str(project / "s")},
        problems=problems,
    )
    return settings, [(i.code, i.line, i.path) for i in problems.issues]


def test_orchestration_dbt_wins_key_by_key(project: Path) -> None:
    (project / "profiles").mkdir()
    (project / "profiles" / "profiles.yml").write_text("shop: {}\n")
    settings, problems = _settings(project, "profiles")
    assert problems == []
    assert settings.target == "prod"  # type: ignore[attr-defined]
    assert settings.target_key == "orchestration.dbt.target"  # type: ignore[attr-defined]
    assert settings.profiles_dir == project / "profiles"  # type: ignore[attr-defined]
    assert settings.state_dir == project / "s" / "dbt"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("profiles", "code"),
    [("missing", "profiles_dir_not_found"), ('"\\0"', "profiles_dir_not_found"), (".", None)],
    ids=["no-folder", "nul-byte", "no-profiles-yml"],
)
def test_a_wrong_profiles_dir_is_an_error_at_its_line(
    project: Path, profiles: str, code: str | None
) -> None:
    _, problems = _settings(project, profiles)
    expected = code or "profiles_yml_not_found"
    assert problems == [(expected, 6, "transforms.dbt.profiles_dir")]
