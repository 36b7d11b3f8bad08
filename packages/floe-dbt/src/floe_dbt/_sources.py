"""Asset keys a dbt project declares, and dbt sources -> the Python assets that produce them.

1. ``meta.dagster.asset_key`` on a node (dagster-dbt's convention): a list of key parts, or one
   string with ``/`` between parts.
2. Otherwise, for a source, floe's default: the source table's name, as a one-part key.

This is what keeps the bronze -> silver edge (and its lineage) connected.
"""

from __future__ import annotations

from floe_dbt._nodes import DbtNode


def declared_asset_key(node: DbtNode) -> tuple[str, ...] | None:
    """The asset key ``meta.dagster.asset_key`` gives ``node`` (None: it declares none).

    >>> declared_asset_key(manifest.models["orders"])  # doctest: +SKIP
    ('sales', 'orders')
    """
    dagster = node.meta.get("dagster")
    key = dagster.get("asset_key") if isinstance(dagster, dict) else None
    if isinstance(key, str) and key:
        return tuple(part for part in key.split("/") if part) or None
    if isinstance(key, list | tuple) and key:
        return tuple(str(part) for part in key)
    return None


def source_asset_key(source: DbtNode) -> tuple[str, ...]:
    """The asset key of the Python asset that produces a dbt source table.

    >>> manifest = load_manifest("dbt/target/manifest.json")  # doctest: +SKIP
    >>> source_asset_key(manifest.sources["bronze.orders"])  # doctest: +SKIP
    ('bronze_orders',)
    """
    return declared_asset_key(source) or (source.name,)
