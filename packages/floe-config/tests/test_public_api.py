from __future__ import annotations

import floe_config


def test_public_api_is_exactly_all() -> None:
    public = {name for name in dir(floe_config) if not name.startswith("_")}
    assert public == set(floe_config.__all__)


def test_every_public_symbol_has_a_docstring() -> None:
    missing = [
        name
        for name in floe_config.__all__
        if callable(getattr(floe_config, name)) and not getattr(floe_config, name).__doc__
    ]
    assert missing == []
