"""The rest of a ``dg`` project, as a ``FloeComponent`` sees it.

floe checks its job selections, watched assets and job partitions against every asset of the
code location, and in a ``dg`` project some of those are defined by other components and
Python files in ``defs/``. ``elsewhere_in_project`` builds them (Dagster caches what it built,
so the project builds each once) and hands them to ``build_definitions``; Dagster itself
merges them with floe's by key.
"""

import logging
from collections.abc import Iterator
from typing import Any, TypeVar

from dagster import ComponentLoadContext, Definitions

from floe_dagster._dagster_internals import ComponentDecl, component_root

log = logging.getLogger("floe")

T = TypeVar("T")


def floe_components(context: ComponentLoadContext, kind: type[T]) -> list[T]:
    """Every component of type ``kind`` in the project (loaded, not built)."""
    return list(context.component_tree.get_all_components(of_type=kind))  # type: ignore[type-var]


def _others(decl: ComponentDecl[Any], own: Any) -> Iterator[Any]:
    """The locations to build so that everything but ``own`` is built once: a part of the tree
    without ``own`` as a whole, and the parts of a folder or file that holds it one by one. (A
    Python file's own plain definitions beside a component it declares are not reachable
    alone: floe does not see those.)"""
    if decl.loc == own:
        return
    inside = {d.loc for d in decl.iterate_all_component_decls()}
    if own not in inside:
        yield decl.loc
        return
    for child in decl.iterate_child_component_decls():
        yield from _others(child, own)


def elsewhere_in_project(context: ComponentLoadContext) -> tuple[tuple[Definitions, ...], bool]:
    """The definitions of every other part of the project, and whether all of them built.

    A part that fails is left out: Dagster reports its own error when it builds the project,
    and floe must not bury that under "matches nothing" for the assets it did not get."""
    found = []
    complete = True
    for loc in _others(component_root(context.component_tree), context.component_loc):
        try:
            found.append(context.build_defs(loc))
        except Exception as error:
            log.debug("floe: %s did not build (%s); Dagster reports it", loc, error)
            complete = False
    return tuple(found), complete
