from __future__ import annotations

import floe_dbt


def test_public_api_is_exactly_all() -> None:
    public = {name for name in dir(floe_dbt) if not name.startswith("_")}
    assert public == set(floe_dbt.__all__)


def test_floe_dbt_never_imports_dagster() -> None:
    import sys  # noqa: PLC0415

    assert not [m for m in sys.modules if m == "dagster" or m.startswith("dagster.")]
