from __future__ import annotations

import floe_dagster


def test_public_api_is_exactly_all() -> None:
    public = {name for name in dir(floe_dagster) if not name.startswith("_")}
    assert public == set(floe_dagster.__all__)


def test_every_public_symbol_has_a_docstring() -> None:
    missing = [n for n in floe_dagster.__all__ if not getattr(floe_dagster, n).__doc__]
    assert missing == []
