"""Jobs (FR-018..023): batch jobs over asset selections, ops jobs around a function.

No ``from __future__ import annotations`` here: Dagster checks the op's ``context`` annotation.
"""

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any

from dagster import Any as DagsterAny
from dagster import (
    AssetsDefinition,
    Field,
    HookDefinition,
    JobDefinition,
    Noneable,
    OpExecutionContext,
    define_asset_job,
    job,
    op,
)

# Dagster exposes no public constructor for an asset graph from a list of assets.
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from floe_config import BatchJob, FloeConfig, OpsJob
from floe_dagster._functions import (
    Parameter,
    TargetError,
    check_args,
    import_target,
    signature_of,
)
from floe_dagster._problems import Problems
from floe_dagster._selection import SelectionError, parse_selection, resolve
from floe_dagster._warnings import dagster_internal_warnings_silenced

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )

_CONFIG_TYPES: dict[Any, Any] = {int: int, float: float, str: str, bool: bool}


def _config_field(parameter: Parameter) -> Field:
    kind = _CONFIG_TYPES.get(parameter.annotation, DagsterAny)
    if parameter.required:
        return Field(kind, is_required=True)
    if parameter.default is None:
        return Field(Noneable(kind), is_required=False, default_value=None)
    return Field(kind, is_required=False, default_value=parameter.default)


def build_batch_job(
    name: str, spec: BatchJob, *, graph: AssetGraph, require_match: bool = True
) -> "UnresolvedAssetJobDefinition":
    """A job materializing the union of ``spec.selection``; raises SelectionError if empty.

    ``require_match=False`` skips the emptiness check (when some assets failed to load, an
    empty match would only echo that failure).
    """
    selection = parse_selection(spec.selection)
    if require_match and not resolve(selection, graph):
        raise SelectionError(
            f"selection {list(spec.selection)} matches no asset; an empty selection never "
            "means all assets"
        )
    with dagster_internal_warnings_silenced():
        return define_asset_job(
            name=name, selection=selection, description=spec.description, tags=dict(spec.tags)
        )


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
    assets: Sequence[AssetsDefinition | Any],
    graph: AssetGraph | None = None,
    problems: Problems | None = None,
    hooks: AbstractSet[HookDefinition] = frozenset(),
) -> "dict[str, JobDefinition | UnresolvedAssetJobDefinition]":
    """Every job of ``orchestration.jobs``. Problems are collected (or raised when not given).

    ``graph`` is the asset graph of ``assets`` when the caller already built it.
    """
    own = problems is None
    problems = problems or Problems()
    complete = not problems.items  # with assets missing, "matches nothing" is only an echo
    if graph is None:
        with dagster_internal_warnings_silenced():
            graph = AssetGraph.from_assets(list(assets))
    jobs: dict[str, JobDefinition | UnresolvedAssetJobDefinition] = {}
    for name, spec in config.orchestration.jobs.items():
        path: tuple[str | int, ...] = ("orchestration", "jobs", name)
        if isinstance(spec, BatchJob):
            try:
                jobs[name] = build_batch_job(name, spec, graph=graph, require_match=complete)
            except SelectionError as error:
                problems.add(config, (*path, "selection"), str(error))
            continue
        try:
            function = import_target(config, spec.target_function)
        except TargetError as error:
            problems.add(config, (*path, "target_function"), str(error))
            continue
        mismatches = check_args(spec.target_function, signature_of(function), spec.args)
        for mismatch in mismatches:
            problems.add(config, (*path, "args"), mismatch)
        if not mismatches:
            jobs[name] = build_ops_job(name, spec, function=function, hooks=hooks)
    if own:
        problems.raise_if_any()
    return jobs
