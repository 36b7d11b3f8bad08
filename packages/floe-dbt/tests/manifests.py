"""Small dbt manifests for tests and benchmarks, shaped like dbt 1.11's (schema v12)."""

from __future__ import annotations

from typing import Any

V12 = "https://schemas.getdbt.com/dbt/manifest/v12.json"


def model(
    name: str, deps: list[str], *, package: str = "shop", folder: str = "staging"
) -> dict[str, Any]:
    return {
        "unique_id": f"model.{package}.{name}",
        "name": name,
        "resource_type": "model",
        "package_name": package,
        "fqn": [package, folder, name],
        "original_file_path": f"models/{folder}/{name}.sql",
        "database": "warehouse",
        "schema": folder,
        "alias": name,
        "tags": ["nightly"],
        "description": f"the {name} model",
        "config": {"materialized": "table", "meta": {"owners": ["team:data"]}},
        "meta": {"owners": ["team:data"]},
        "columns": {
            "id": {"name": "id", "data_type": "integer", "description": "key", "meta": {}},
            "email": {"name": "email", "description": "", "meta": {"classification": "pii"}},
        },
        "depends_on": {"nodes": deps, "macros": []},
    }


def source(source_name: str, table: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "unique_id": f"source.shop.{source_name}.{table}",
        "name": table,
        "source_name": source_name,
        "resource_type": "source",
        "package_name": "shop",
        "fqn": ["shop", source_name, table],
        "database": "warehouse",
        "schema": source_name,
        "identifier": table,
        "meta": meta or {},
        "columns": {},
    }


def dbt_test(name: str, attached: str, column: str) -> dict[str, Any]:
    return {
        "unique_id": f"test.shop.{name}",
        "name": name,
        "resource_type": "test",
        "package_name": "shop",
        "attached_node": attached,
        "column_name": column,
        "test_metadata": {"name": name.split("_", maxsplit=1)[0] if "_" in name else name},
        "depends_on": {"nodes": [attached]},
        "config": {"severity": "ERROR"},
    }


def manifest(
    models: list[dict[str, Any]],
    sources: list[dict[str, Any]] = (),  # type: ignore[assignment]
    tests: list[dict[str, Any]] = (),  # type: ignore[assignment]
    *,
    version: str = V12,
) -> dict[str, Any]:
    nodes = {m["unique_id"]: m for m in [*models, *tests]}
    return {
        "metadata": {"dbt_schema_version": version, "project_name": "shop"},
        "nodes": nodes,
        "sources": {s["unique_id"]: s for s in sources},
        "macros": {},
        "child_map": {},
        "parent_map": {},
    }
