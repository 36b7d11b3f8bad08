"""Resources: environment values reach Dagster by name (EnvVar, or a template resolved late)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import EnvVar

from floe_config import load_config
from floe_dagster import IcebergCatalogResource
from floe_dagster._resources import iceberg_resource

FLOE_YAML = """\
name: shop
storage:
  catalog:
    type: rest
    name: ${CATALOG_NAME:floe}
    uri: ${CATALOG_URI:http://localhost:8181}
    warehouse: s3://lake/${ENVIRONMENT:dev}
    properties:
      token: ${CATALOG_TOKEN}
      header: "Bearer ${CATALOG_TOKEN}"
      region: eu-west-1
"""


def test_environment_values_travel_by_name(tmp_path: Path) -> None:
    (tmp_path / "floe.yaml").write_text(FLOE_YAML)
    env = {"CATALOG_TOKEN": "s3cr3t-0000", "CATALOG_URI": "https://catalog:8181"}
    resource = iceberg_resource(load_config(tmp_path / "floe.yaml", env=env))
    assert resource.name == "floe"  # the default written in floe.yaml: not from the environment
    assert resource.properties["uri"] == EnvVar("CATALOG_URI")
    assert resource.properties["token"] == EnvVar("CATALOG_TOKEN")
    assert resource.properties["region"] == "eu-west-1"
    assert resource.properties["warehouse"] == "s3://lake/dev"
    assert resource.templates == {"header": "Bearer ${CATALOG_TOKEN}"}


def test_templates_resolve_inside_the_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_TOKEN", "s3cr3t-1111")
    resource = IcebergCatalogResource(
        name="floe", properties={"type": "rest"}, templates={"header": "Bearer ${CATALOG_TOKEN}"}
    )
    assert resource.catalog_properties() == {"type": "rest", "header": "Bearer s3cr3t-1111"}


def test_a_local_path_floe_makes_absolute_is_written_as_a_path(tmp_path: Path) -> None:
    (tmp_path / "floe.yaml").write_text(
        "name: shop\nstorage:\n  catalog:\n    uri: ${URI:sqlite:///.floe/c.db}\n"
    )
    resource = iceberg_resource(
        load_config(tmp_path / "floe.yaml", env={"URI": "sqlite:///state/c.db"})
    )
    assert resource.properties["uri"] == f"sqlite:///{tmp_path}/state/c.db?timeout=30"
