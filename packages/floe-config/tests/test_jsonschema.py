"""The committed JSON Schemas match the models (regenerate: see UPDATE)."""

from __future__ import annotations

import json
from pathlib import Path

from floe_config import artifacts_json_schema, floe_yaml_json_schema

SCHEMAS = Path("packages/floe-config/schemas")
UPDATE = "tools/bazel run //packages/floe-config:update_schemas"


def test_floe_yaml_schema_is_current() -> None:
    committed = json.loads((SCHEMAS / "floe.schema.json").read_text())
    assert committed == floe_yaml_json_schema(), f"floe.schema.json is stale; run `{UPDATE}`"


def test_artifacts_schema_is_current() -> None:
    committed = json.loads((SCHEMAS / "compiled_artifacts.schema.json").read_text())
    assert committed == artifacts_json_schema(), (
        f"compiled_artifacts.schema.json is stale; run `{UPDATE}`"
    )


def test_typed_values_accept_placeholders() -> None:
    schema = floe_yaml_json_schema()
    enabled = schema["$defs"]["Schedule"]["properties"]["enabled"]
    assert {"$ref": "#/$defs/Placeholder"} in enabled["anyOf"]
    assert schema["$defs"]["BatchJob"]["properties"]["type"] == {
        "const": "batch",
        "title": "Type",
        "type": "string",
    }
