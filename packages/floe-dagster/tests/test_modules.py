"""Asset modules: one definition shared by two modules loads once; two definitions of one key,
or one module listed twice, are errors at the module's line."""

from __future__ import annotations

from pathlib import Path

import pytest
from projects import write_project

from floe_config import load_config
from floe_dagster import FloeDagsterError, build_assets

SHARED = "from .assets import events  # re-exported: the same definition\n"
CLASH = """\
from dagster import asset


@asset
def events() -> None: ...
"""


def _modules(tmp_path: Path, package: str, modules: str, **files: str) -> Path:
    text = f"name: tiny\norchestration:\n  asset_modules: [{modules}]\n"
    return write_project(tmp_path, package, floe_yaml=text, **files)


def test_a_shared_definition_loads_once(tmp_path: Path) -> None:
    path = _modules(tmp_path, "shared_project", ".assets, .more", more=SHARED)
    built = build_assets(load_config(path, env={}), env={})
    keys = [key.to_user_string() for a in built.assets for key in a.keys]
    assert sorted(keys) == ["daily_counts", "events"]


@pytest.mark.parametrize(
    ("modules", "files", "code", "message"),
    [
        (
            ".assets, .other",
            {"other": CLASH},
            "duplicate_asset",
            "asset 'events' is defined twice: by 'events' in 'clash_project.assets' and by "
            "'events' in 'clash_project.other'",
        ),
        (
            ".assets, .assets",
            {},
            "duplicate_module",
            "module 'clash_project.assets' is listed twice (also as asset_modules[0])",
        ),
    ],
    ids=["same-key", "same-module"],
)
def test_clashes_are_errors_at_the_module(
    tmp_path: Path, modules: str, files: dict[str, str], code: str, message: str
) -> None:
    path = _modules(tmp_path, "clash_project", modules, **files)
    with pytest.raises(FloeDagsterError) as caught:
        build_assets(load_config(path, env={}), env={})
    assert [(i.code, i.path, i.message) for i in caught.value.issues] == [
        (code, "orchestration.asset_modules[1]", message)
    ]
