"""JSON Schemas generated from the models: floe.yaml (for editors) and CompiledArtifacts.

In the floe.yaml schema every typed value (number, bool, choice) also accepts a
``${VAR:default}`` placeholder, because interpolation happens before type validation.
Discriminating ``type`` keys stay literal so editors can pick the right branch.
"""

from __future__ import annotations

from typing import Any

from floe_config._artifacts import CompiledArtifacts
from floe_config._model import FloeConfig

PLACEHOLDER_PATTERN = r"^.*\$\{[A-Za-z_][A-Za-z0-9_]*(:[^}]*)?\}.*$"
_PLACEHOLDER_REF = {"$ref": "#/$defs/Placeholder"}
_TYPED = {"integer", "number", "boolean"}


def _needs_placeholder(node: dict[str, Any]) -> bool:
    return node.get("type") in _TYPED or "enum" in node or "const" in node


def _allow_placeholders(node: Any, key: str | None = None) -> Any:
    if isinstance(node, list):
        return [_allow_placeholders(item) for item in node]
    if not isinstance(node, dict):
        return node
    if key == "properties":
        return {
            name: (sub if name == "type" else _allow_placeholders(sub))
            for name, sub in node.items()
        }
    out = {k: _allow_placeholders(v, k) for k, v in node.items()}
    if _needs_placeholder(out):
        keep = {k: out.pop(k) for k in ("title", "description", "default") if k in out}
        return {"anyOf": [out, _PLACEHOLDER_REF], **keep}
    return out


def floe_yaml_json_schema() -> dict[str, Any]:
    """The JSON Schema of floe.yaml, for editors (yaml-language-server and the like)."""
    schema = FloeConfig.model_json_schema(mode="validation")
    defs = schema.pop("$defs", {})
    schema = _allow_placeholders(schema)
    defs = {name: _allow_placeholders(d) for name, d in defs.items()}
    defs["Placeholder"] = {
        "type": "string",
        "pattern": PLACEHOLDER_PATTERN,
        "description": "${VAR} or ${VAR:default}, resolved from the environment at load time",
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "floe.yaml",
        "$defs": dict(sorted(defs.items())),
    }


def artifacts_json_schema() -> dict[str, Any]:
    """The JSON Schema of compiled_artifacts.json (CompiledArtifacts v1): what a v1 reader reads.
    Readers ignore fields they do not know (schemas/EVOLUTION.md)."""
    schema = CompiledArtifacts.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
