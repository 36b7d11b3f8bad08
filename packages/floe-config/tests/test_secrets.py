"""Values from the environment: shown by name in reprs, redacted from errors, tracked by path."""

from __future__ import annotations

from pathlib import Path

import pytest

from floe_config import FloeConfigError, load_config, looks_secret, resolve_template, split_template

FLOE_YAML = """\
name: shop
storage:
  catalog:
    type: rest
    uri: ${CATALOG_URI:http://localhost:8181}
    properties:
      token: ${CATALOG_TOKEN}
      header: "Bearer ${CATALOG_TOKEN}"
      region: ${REGION:eu}
orchestration:
  jobs:
    j: {type: batch, selection: [a]}
  schedules:
    s:
      job: j
      cron_schedule: "@daily"
      enabled: ${ON:false}
"""
TOKEN = "s3cr3t-2f9a1c77"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    (tmp_path / "floe.yaml").write_text(FLOE_YAML)
    return tmp_path / "floe.yaml"


def test_repr_and_str_show_environment_values_by_name(path: Path) -> None:
    config = load_config(path, env={"CATALOG_TOKEN": TOKEN, "ON": "true", "REGION": "us"})
    assert config.storage.catalog.properties["token"] == TOKEN  # the value is there to use
    for text in (repr(config), str(config), repr(config.storage), repr(config.storage.catalog)):
        assert TOKEN not in text
    catalog = repr(config.storage.catalog)
    assert "'token': '${CATALOG_TOKEN}'" in catalog
    assert "'header': 'Bearer ${CATALOG_TOKEN}'" in catalog
    assert "'region': '${REGION:eu}'" in catalog  # any value from the environment, secret or not
    assert "uri='http://localhost:8181'" in catalog  # a default written in floe.yaml is shown
    assert "enabled='${ON:false}'" in repr(config.orchestration.schedules["s"])
    assert TOKEN not in repr(config.source)


def test_where_each_value_came_from(path: Path) -> None:
    config = load_config(path, env={"CATALOG_TOKEN": TOKEN})
    token = config.source.env_value("storage.catalog.properties.token")
    header = config.source.env_value("storage.catalog.properties.header")
    uri = config.source.env_value("storage.catalog.uri")
    assert token is not None
    assert header is not None
    assert uri is not None
    assert (token.whole, token.from_env, token.secret) == (True, ("CATALOG_TOKEN",), True)
    assert (header.whole, header.template) == (False, "Bearer ${CATALOG_TOKEN}")
    assert (uri.environmental, uri.secret) == (False, False)
    assert TOKEN not in repr(token)
    assert config.late_bound(TOKEN, "storage.catalog.properties.token") is token
    assert config.late_bound("http://localhost:8181", "storage.catalog.uri") is None
    assert config.source.env_value("name") is None


@pytest.mark.parametrize(
    ("variable", "shown"),
    [("CATALOG_TOKEN", False), ("NIGHTLY_CRON", True)],
    ids=["secret-variable", "plain-variable"],
)
def test_an_error_shows_a_value_only_when_nothing_looks_secret(
    path: Path, variable: str, shown: bool
) -> None:
    path.write_text(FLOE_YAML.replace('"@daily"', f"${{{variable}}}"))
    value = "every-second-of-the-day"
    with pytest.raises(FloeConfigError) as caught:
        load_config(path, env={variable: value, "CATALOG_TOKEN": TOKEN})
    [issue] = caught.value.issues
    assert (issue.code, issue.path) == ("invalid_cron", "orchestration.schedules.s.cron_schedule")
    assert f"environment variable {variable}" in issue.message
    assert (value in str(caught.value)) is shown
    assert TOKEN not in str(caught.value)


def test_a_secret_is_redacted_from_any_error_text(path: Path) -> None:
    path.write_text(FLOE_YAML.replace("    s:\n      job: j", "    s:\n      job: ${JOB_TOKEN}"))
    with pytest.raises(FloeConfigError) as caught:
        load_config(path, env={"JOB_TOKEN": TOKEN})
    assert TOKEN not in str(caught.value)
    assert "'${JOB_TOKEN}' is not a valid name" in str(caught.value)
    assert "e.g. 's3cr3t_2f9a1c77'" not in str(caught.value)


def test_secret_words_and_templates() -> None:
    assert looks_secret("token")
    assert looks_secret("PGPASSWORD")
    assert looks_secret("api_key")
    assert not looks_secret("cron_schedule", "NIGHTLY_CRON")
    assert split_template("a${B}c${D:e}$${f}") == ["a", ("B", None), "c", ("D", "e"), "${", "f}"]
    assert resolve_template("https://${HOST:h}/${P}", env={"P": "x"}) == "https://h/x"
    with pytest.raises(KeyError):
        resolve_template("${MISSING}", env={})
