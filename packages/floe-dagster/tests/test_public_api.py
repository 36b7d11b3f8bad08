from __future__ import annotations

import floe_dagster


def test_public_api_is_exactly_all() -> None:
    public = {name for name in dir(floe_dagster) if not name.startswith("_")}
    assert public == set(floe_dagster.__all__)


def test_every_public_symbol_has_a_docstring() -> None:
    missing = [n for n in floe_dagster.__all__ if not getattr(floe_dagster, n).__doc__]
    assert missing == []


def test_every_name_loads_lazily_and_all_are_listed() -> None:
    assert set(floe_dagster.__all__) == set(floe_dagster._EXPORTS)
    for name in floe_dagster.__all__:
        assert getattr(floe_dagster, name) is not None


def test_the_cli_does_not_import_dagster_until_it_needs_to() -> None:
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    code = "import sys, floe_dagster; floe_dagster.cli_main; print('dagster' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"PYTHONPATH": ":".join(sys.path)},
    ).stdout  # fmt: skip
    assert out.strip() == "False"


def _types_in(hint: object) -> list[object]:
    import typing  # noqa: PLC0415

    found = [hint]
    for argument in typing.get_args(hint):
        found += _types_in(argument)
    return found


def test_no_public_signature_names_a_private_dagster_type() -> None:
    """floe's own public functions and methods use only names Dagster exports publicly."""
    import inspect  # noqa: PLC0415
    import typing  # noqa: PLC0415

    import dagster  # noqa: PLC0415
    import duckdb  # noqa: PLC0415
    from pyiceberg.catalog import Catalog  # noqa: PLC0415

    # the lake's own types are annotations only: floe loads them where a step opens them
    lake_types = {"Catalog": Catalog, "duckdb": duckdb}
    leaks = []
    for name in floe_dagster.__all__:
        value = getattr(floe_dagster, name)
        targets = [value] if inspect.isfunction(value) else []
        if inspect.isclass(value):
            targets = [m for _, m in inspect.getmembers(value, inspect.isfunction)]
        for target in targets:
            if not target.__module__.startswith("floe_dagster") or target.__name__[0] == "_":
                continue
            for hint in typing.get_type_hints(target, localns=lake_types).values():
                for kind in _types_in(hint):
                    kind = typing.get_origin(kind) or kind  # noqa: PLW2901 - X[Any] is X
                    module = getattr(kind, "__module__", "") or ""
                    exported = getattr(dagster, getattr(kind, "__name__", ""), None) is kind
                    if module.startswith("dagster.") and not exported:
                        leaks.append(f"{name}.{target.__name__}: {kind!r}")
    assert leaks == []
