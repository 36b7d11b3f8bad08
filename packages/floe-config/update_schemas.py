"""Regenerate the committed JSON Schemas: tools/bazel run //packages/floe-config:update_schemas."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from floe_config import artifacts_json_schema, floe_yaml_json_schema


def main() -> int:
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if not workspace:
        print("run through Bazel: tools/bazel run //packages/floe-config:update_schemas")
        return 2
    folder = Path(workspace) / "packages" / "floe-config" / "schemas"
    folder.mkdir(exist_ok=True)
    for name, schema in (
        ("floe.schema.json", floe_yaml_json_schema()),
        ("compiled_artifacts.schema.json", artifacts_json_schema()),
    ):
        (folder / name).write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        print(f"wrote {folder / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
