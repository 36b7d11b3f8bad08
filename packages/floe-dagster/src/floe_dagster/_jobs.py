"""Jobs (FR-018..023): batch jobs over asset selections, ops jobs around a function.

No ``from __future__ import annotations`` here: Dagster checks the op's ``context`` annotation.
"""

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any

from dagster import Any as DagsterAny
from dagster import (
    Field,
    HookDefinition,
    JobDefinition,
    Noneable,
    OpExecutionContext,
    define_asset_job,
    job,
    op,
)

from floe_config import BatchJob, FloeConfig, OpsJob
from floe_dagster._functions import (
    Parameter,
    TargetError,
    check_args,
    import_target,
    signature_of,
)
from floe_dagster._problems import Problems
from floe_dagster._selection import SelectionError, Unmatched, parse_selection, unmatched_items
from floe_dagster._warnings import dagster_internal_warnings_silenced

if TYPE_CHECKING:
    from floe_dagster._dagster_internals import UnresolvedAssetJobDefinition

_CONFIG_TYPES: dict[Any, Any] = {int: int, float: float, str: str, bool: bool}


def _config_field(parameter: Parameter) -> Field:
    kind = _CONFIG_TYPES.get(parameter.annotation, DagsterAny)
    if parameter.required:
        return Field(kind, is_required=True)
    if parameter.default is None:
        return Field(Noneable(kind), is_required=False, default_value=None)
    return Field(kind, is_required=False, default_value=parameter.default)


def build_batch_job(
    name: str, spec: BatchJob, *, graph: Any, require_match: bool = True
) -> "UnresolvedAssetJobDefinition":
    """A job materializing the union of ``spec.selection`` over ``graph`` (the asset graph).

    Raises ``SelectionError`` for an item that does not parse, and ``UnmatchedSelection``
    listing every item that matches no asset on its own (``require_match=False`` skips that
    check: when some assets failed to load, "matches nothing" would only echo that failure).
    """
    selection = parse_selection(spec.selection)
    if require_match:
        unmatched = unmatched_items(spec.selection, graph)
        if unmatched:
            raise UnmatchedSelection(unmatched)
    with dagster_internal_warnings_silenced():
        return define_asset_job(
            name=name, selection=selection, description=spec.description, tags=dict(spec.tags)
        )


class UnmatchedSelection(ValueError):
    def __init__(self, items: list[Unmatched]) -> None:
        super().__init__(", ".join(repr(u.item) for u in items) + " match no asset")
        self.items = items


def build_ops_job(
    name: str,
    spec: OpsJob,
    *,
    function: Callable[..., Any],
    resource_keys: Sequence[str] = ("iceberg",),
    hooks: AbstractSet[HookDefinition] = frozenset(),
) -> JobDefinition:
    """A one-op job calling ``function([context,] **args)``.

    ``args`` are the job's default run config, editable in the launchpad. A function whose first
    parameter is ``context`` gets the op context (with ``resource_keys`` available on it).
    """
    signature = signature_of(function)
    schema = {p.name: _config_field(p) for p in signature.parameters}
    target = spec.target_function
    op_name = f"{name}_op"

    @op(
        name=op_name,
        config_schema=schema,
        description=spec.description or f"Calls {target}",
        required_resource_keys=set(resource_keys),
    )
    def run_target(context: OpExecutionContext) -> None:
        kwargs = dict(context.op_config or {})
        result = function(context, **kwargs) if signature.wants_context else function(**kwargs)
        if result is not None:
            context.log.info(f"{target} returned {result!r}")

    @job(
        name=name,
        description=spec.description,
        tags=dict(spec.tags),
        config={"ops": {op_name: {"config": dict(spec.args)}}},
        hooks=set(hooks),
    )
    def ops_job() -> None:
        run_target()

    return ops_job


def build_jobs(
    config: FloeConfig,
    *,
    graph: Any,
    problems: Problems | None = None,
    hooks: AbstractSet[HookDefinition] = frozenset(),
) -> "dict[str, JobDefinition | UnresolvedAssetJobDefinition]":
    """Every job of ``orchestration.jobs``, over ``graph`` (``Definitions.resolve_asset_graph()``
    of the assets). Problems are collected in ``problems``, or raised when it is not given."""
    own = problems is None
    problems = Problems() if problems is None else problems
    complete = not problems  # with assets missing, "matches nothing" is only an echo
    jobs: dict[str, JobDefinition | UnresolvedAssetJobDefinition] = {}
    for name, spec in config.orchestration.jobs.items():
        path: tuple[str | int, ...] = ("orchestration", "jobs", name)
        if isinstance(spec, BatchJob):
            try:
                jobs[name] = build_batch_job(name, spec, graph=graph, require_match=complete)
            except SelectionError as error:
                problems.add(
                    config, (*path, "selection", error.index), "invalid_selection", str(error)
                )
            except UnmatchedSelection as error:
                for item in error.items:
                    problems.add(
                        config,
                        (*path, "selection", item.index),
                        "selection_matches_nothing",
                        f"'{item.item}' matches no asset; every item must match at least one "
                        "(an empty selection never means all assets)",
                        item.hint,
                    )
            continue
        function = target_function(config, (*path, "target_function"), spec, problems)
        if function is not None:
            jobs[name] = build_ops_job(name, spec, function=function, hooks=hooks)
    if own:
        problems.raise_if_any()
    return jobs


def target_function(
    config: FloeConfig,
    path: tuple[str | int, ...],
    spec: OpsJob | Any,
    problems: Problems,
) -> Callable[..., Any] | None:
    """Import ``spec.target_function`` and check ``spec.args`` against it; None on problems."""
    try:
        function = import_target(config, spec.target_function)
    except TargetError as error:
        problems.add(config, path, error.code, error.message, error.hint)
        return None
    mismatches = check_args(spec.target_function, signature_of(function), spec.args)
    args_path = (*path[:-1], "args")
    for mismatch in mismatches:
        where = (*args_path, mismatch.arg) if mismatch.arg else args_path
        problems.add(config, where, mismatch.code, mismatch.message, mismatch.hint)
    return None if mismatches else function
