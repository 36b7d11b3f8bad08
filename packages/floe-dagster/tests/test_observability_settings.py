from __future__ import annotations

from pathlib import Path

import pytest
from projects import write_project

from floe_config import load_config
from floe_dagster import FloeDefinitions
from floe_dagster._observability.settings import observability_settings
from floe_dagster._observability.tracing import tracer_provider

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


def test_settings_the_exporter_ignores_are_warnings_and_version_is_the_service_version(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``traces.endpoint`` with exporter ``file`` and ``lineage.url`` with transport ``file``
    load, but send nothing anywhere: each is a warning at its line, from every load and from
    ``floe plan``. ``version`` is what the spans' resource gives as ``service.version``."""
    text = (
        "name: shop\n"
        'version: "1.4.0"\n'
        "orchestration:\n"
        "  asset_modules: [.assets]\n"
        "observability:\n"
        "  traces: {exporter: file, endpoint: 'http://collector:4318'}\n"
        "  lineage:\n"
        "    transport: file\n"
        "    url: http://marquez:5000\n"
    )
    path = write_project(tmp_path / "code", "ignored_settings", floe_yaml=text)
    config = load_config(path, env={})
    with caplog.at_level("WARNING", logger="floe"):
        FloeDefinitions.from_config(config, env={"FLOE_STATE_DIR": str(tmp_path / "state")})
    logged = [r.getMessage() for r in caplog.records if "setting_ignored" in r.getMessage()]
    assert logged == [
        "floe: warning: floe.yaml:6:38 observability.traces.endpoint: traces.endpoint is not "
        "used: exporter 'file' writes spans to a local file [setting_ignored]\n    fix: set "
        "exporter: otlp (or auto) to send spans to the endpoint, or remove endpoint",
        "floe: warning: floe.yaml:9:10 observability.lineage.url: lineage.url is not used: "
        "transport 'file' writes events to a local file [setting_ignored]\n    fix: set "
        "transport: http to send events to the url, or remove url",
    ]
    caplog.clear()  # OPENLINEAGE_URL turns transport file into HTTP: then the url is used
    with caplog.at_level("WARNING", logger="floe"):
        env = {"FLOE_STATE_DIR": str(tmp_path / "s1"), "OPENLINEAGE_URL": "http://m:5000"}
        FloeDefinitions.from_config(config, env=env)
    ignored = [r.getMessage() for r in caplog.records if "setting_ignored" in r.getMessage()]
    assert [w.split(": ")[2] for w in ignored] == ["floe.yaml:6:38 observability.traces.endpoint"]
    settings = observability_settings(config, env={}, state_dir=tmp_path / "state")
    assert (settings.trace_exporter, settings.lineage_transport) == ("file", "file")
    resource = tracer_provider(settings).resource.attributes
    assert (resource["service.name"], resource["service.version"]) == ("shop", "1.4.0")

    fixed = text.replace("exporter: file", "exporter: otlp").replace(
        "transport: file", "transport: http"
    )
    path.write_text(fixed)
    caplog.clear()
    with caplog.at_level("WARNING", logger="floe"):
        FloeDefinitions.from_config(
            load_config(path, env={}), env={"FLOE_STATE_DIR": str(tmp_path / "s2")}
        )
    assert not [r for r in caplog.records if "setting_ignored" in r.getMessage()]
