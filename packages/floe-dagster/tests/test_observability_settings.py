from __future__ import annotations

from pathlib import Path

import pytest

from floe_config import load_config
from floe_dagster._observability.settings import observability_settings

FLOE_YAML = """\
name: shop
governance: {emit_lineage: true}
observability:
  traces: {enabled: true}
  lineage: {enabled: true, transport: file}
orchestration:
  dbt: {manifest_path: m.json, observability_level: job_level}
"""


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    (tmp_path / "floe.yaml").write_text(FLOE_YAML)
    return tmp_path / "floe.yaml"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ("file", True, "file", True)),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, ("otlp", True, "file", True)),
        ({"OPENLINEAGE_URL": "http://marquez:5000"}, ("file", True, "http", True)),
        ({"OPENLINEAGE_DISABLED": "true"}, ("file", True, "file", False)),
    ],
    ids=["defaults", "otlp-endpoint", "openlineage-url", "openlineage-disabled"],
)
def test_the_ecosystem_variables_choose_the_transports(
    config_path: Path, env: dict[str, str], expected: tuple[str, bool, str, bool]
) -> None:
    config = load_config(config_path, env={})
    settings = observability_settings(config, env=env, state_dir=config_path.parent / ".floe")
    found = (
        settings.trace_exporter,
        settings.traces_enabled,
        settings.lineage_transport,
        settings.lineage_enabled,
    )
    assert found == expected
    assert settings.namespace == settings.service_name == "shop"
    assert settings.dbt_level == "job_level"
    assert settings.lineage_file == config_path.parent / ".floe" / "observability" / "lineage.jsonl"


def test_emit_lineage_false_switches_lineage_off(config_path: Path) -> None:
    config_path.write_text(FLOE_YAML.replace("emit_lineage: true", "emit_lineage: false"))
    config = load_config(config_path, env={})
    settings = observability_settings(config, env={}, state_dir=config_path.parent)
    assert not settings.lineage_enabled
    assert settings.traces_enabled


@pytest.mark.parametrize(
    ("exporter", "env", "url"),
    [
        ("auto", {}, None),
        ("otlp", {}, "http://localhost:4318/v1/traces"),
        ("otlp", {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318/"}, "http://c:4318/v1/traces"),
        (
            "auto",
            {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:9/custom/path"},
            "http://c:9/custom/path",
        ),
        (
            "otlp",
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://generic:4318",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://signal:4318/v1/traces",
            },
            "http://signal:4318/v1/traces",
        ),
    ],
    ids=["auto-no-endpoint", "otlp-default", "generic", "signal-as-is", "signal-wins"],
)
def test_otlp_follows_opentelemetry_conventions(
    config_path: Path, exporter: str, env: dict[str, str], url: str | None
) -> None:
    config_path.write_text(FLOE_YAML.replace("{enabled: true}", f"{{exporter: {exporter}}}", 1))
    config = load_config(config_path, env={})
    settings = observability_settings(config, env=env, state_dir=config_path.parent)
    assert settings.traces_enabled  # never silently off
    assert settings.otlp_traces_url == url
    assert settings.trace_exporter == ("otlp" if url else "file")
