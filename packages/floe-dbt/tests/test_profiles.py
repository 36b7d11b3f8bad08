from __future__ import annotations

from pathlib import Path

import pytest

from floe_config import load_config
from floe_dbt import DbtRunner, FloeDbtError, duckdb_profile, project_profile_name


def test_profile_points_duckdb_and_the_iceberg_plugin_at_floe_storage(tmp_path: Path) -> None:
    (tmp_path / "floe.yaml").write_text(
        "name: p\nstorage:\n  compute:\n    path: state/w.duckdb\n    threads: 2\n"
    )
    config = load_config(tmp_path / "floe.yaml", env={})
    profile = duckdb_profile(config, profile="shop", target="ci")
    assert profile == {
        "shop": {
            "target": "ci",
            "outputs": {
                "ci": {
                    "type": "duckdb",
                    "path": str(tmp_path / "state" / "w.duckdb"),
                    "threads": 2,
                    "plugins": [
                        {
                            "module": "iceberg",
                            "config": {
                                "catalog": "floe",
                                "type": "sql",
                                "uri": f"sqlite:///{tmp_path}/.floe/catalog.db?timeout=30",
                                "warehouse": (tmp_path / ".floe" / "warehouse").as_uri(),
                            },
                        }
                    ],
                }
            },
        }
    }


def test_runner_environment_keeps_dbt_offline_and_out_of_the_project(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "dbt_project.yml").write_text("name: shop\nprofile: shop\n")
    (tmp_path / "floe.yaml").write_text("name: p\n")
    config = load_config(tmp_path / "floe.yaml", env={})
    runner = DbtRunner(project_dir=project, state_dir=tmp_path / "state", config=config, env={})
    env = runner.environment()
    assert env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "false"
    assert env["DBT_VERSION_CHECK"] == "false"
    assert env["DBT_TARGET_PATH"] == str(tmp_path / "state" / "target")
    assert env["DBT_LOG_PATH"] == str(tmp_path / "state" / "logs")
    assert (tmp_path / "state" / "profiles" / "profiles.yml").is_file()
    assert sorted(p.name for p in project.iterdir()) == ["dbt_project.yml"]


def test_project_without_profile_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "dbt_project.yml").write_text("name: shop\n")
    with pytest.raises(FloeDbtError) as caught:
        project_profile_name(tmp_path)
    assert "dbt_project.yml has no 'profile:'" in str(caught.value)


def test_environment_values_are_written_as_env_var(tmp_path: Path) -> None:
    (tmp_path / "floe.yaml").write_text(
        "name: shop\nstorage:\n  catalog:\n    type: rest\n    uri: ${URI:http://c:8181}\n"
        "    properties:\n      token: ${CATALOG_TOKEN}\n"
        '      header: "Bearer ${CATALOG_TOKEN}"\n'
    )
    env = {"CATALOG_TOKEN": "s3cr3t-abcdef", "URI": "http://catalog:8181"}
    config = load_config(tmp_path / "floe.yaml", env=env)
    plugin = duckdb_profile(config, profile="shop")["shop"]["outputs"]["dev"]["plugins"][0]
    assert plugin["config"]["token"] == '{{ env_var("CATALOG_TOKEN") }}'
    assert plugin["config"]["header"] == '{{ "Bearer " ~ env_var("CATALOG_TOKEN") }}'
    assert plugin["config"]["uri"] == '{{ env_var("URI", "http://c:8181") }}'
    assert "s3cr3t" not in repr(plugin)
