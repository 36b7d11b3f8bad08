"""Jobs (FR-018..023): batch jobs over asset selections, ops jobs around a function.

No ``from __future__ import annotations`` here: Dagster checks the op's ``context`` annotation.
"""

import dataclasses
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dagster import Any as DagsterAny
from dagster import (
    AssetKey,
    BoolSource,
    Field,
    HookDefinition,
    IntSource,
    JobDefinition,
    MetadataValue,
    Noneable,
    Nothing,
    OpExecutionContext,
    Out,
    Output,
    PartitionsDefinition,
    StringSource,
    define_asset_job,
    job,
    op,
)

from floe_config import (
    BatchJob,
    EnvValue,
    FloeConfig,
    IssueCode,
    OpsJob,
    render_path,
    resolve_template,
)
from floe_dagster._functions import (
    Parameter,
    TargetError,
    check_args,
    import_target,
    signature_of,
)
from floe_dagster._partitions import describe
from floe_dagster._problems import Problems
from floe_dagster._selection import (
    SelectionError,
    Unmatched,
    parse_selection,
    resolve,
    unmatched_items,
)
from floe_dagster._warnings import dagster_internal_warnings_silenced

if TYPE_CHECKING:
    from floe_dagster._dagster_internals import UnresolvedAssetJobDefinition

_CONFIG_TYPES: dict[Any, Any] = {int: int, float: float, str: str, bool: bool}
_SOURCES: dict[Any, Any] = {str: StringSource, int: IntSource, bool: BoolSource}
"""Dagster config types that accept ``{env: NAME}``."""


def _by_name(value: Any, source: EnvValue | None) -> bool:
    """Whether an arg can travel as ``{env: NAME}``: one placeholder from the environment, and
    Dagster reads that variable's text back as the same value floe read."""
    if source is None or not source.whole or type(value) not in _SOURCES:
        return False
    text = source.resolved
    if isinstance(value, bool):  # the spellings YAML and Dagster's BoolSource agree on
        return text.strip().lower() == str(value).lower()
    if isinstance(value, int):
        return text.strip().lstrip("+-").isdigit() and int(text) == value
    return True


def result_metadata(result: Any) -> dict[str, Any]:
    """An ops function's result as the op output's metadata: each top-level value of a mapping
    (or dataclass) as itself when it is a number, text or bool, as JSON otherwise."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        result = dataclasses.asdict(result)
    if not isinstance(result, Mapping):
        result = {"result": result}
    metadata: dict[str, Any] = {}
    for key, value in result.items():
        if isinstance(value, bool | int | float | str):
            metadata[str(key)] = value
        else:
            try:
                metadata[str(key)] = MetadataValue.json(json.loads(json.dumps(value, default=str)))
            except (TypeError, ValueError):
                metadata[str(key)] = MetadataValue.text(repr(value))
    return metadata


def _config_field(parameter: Parameter, *, by_name: bool, value: Any = None) -> Field:
    kind = _CONFIG_TYPES.get(parameter.annotation, DagsterAny)
    if by_name:
        kind = _SOURCES.get(parameter.annotation) or _SOURCES[type(value)]
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


@dataclass(frozen=True)
class JobAssets:
    """The assets a batch job materializes, and their one partitions definition (or None)."""

    keys: frozenset[AssetKey]
    partitions_def: PartitionsDefinition | None

    @property
    def partitioned(self) -> bool:
        return self.partitions_def is not None


class MixedJobPartitions(ValueError):
    """A batch job whose assets have more than one partitions definition."""


def job_assets(spec: BatchJob, *, graph: Any) -> JobAssets:
    """What ``spec.selection`` materializes in ``graph``. Dagster runs one partition (or range)
    of one partitions definition per run, so a job over several is ``MixedJobPartitions``."""
    keys = frozenset(
        k for k in resolve(parse_selection(spec.selection), graph) if graph.get(k).is_materializable
    )
    found: list[tuple[PartitionsDefinition, list[str]]] = []
    for key in sorted(keys, key=lambda k: k.to_user_string()):
        definition = graph.get(key).partitions_def
        if definition is None:
            continue
        same = next((names for d, names in found if d == definition), None)
        if same is None:
            found.append((definition, same := []))
        same.append(key.to_user_string())
    if len(found) > 1:
        parts = "; ".join(
            f"{describe(d)}: {', '.join(names[:4])}{' ...' if len(names) > 4 else ''}"
            for d, names in found
        )
        raise MixedJobPartitions(parts)
    return JobAssets(keys, found[0][0] if found else None)


class BuiltJobs(dict[str, Any]):
    """Job name -> job definition, as ``build_jobs`` returns it; ``assets`` holds what each
    batch job materializes (resolved once, for schedules and backfills)."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: dict[str, JobAssets] = {}


class UnmatchedSelection(ValueError):
    def __init__(self, items: list[Unmatched]) -> None:
        super().__init__(", ".join(repr(u.item) for u in items) + " match no asset")
        self.items = items


def build_ops_job(
    name: str,
    spec: OpsJob,
    *,
    function: Callable[..., Any],
    resource_keys: Sequence[str] = ("iceberg", "warehouse"),
    hooks: AbstractSet[HookDefinition] = frozenset(),
    sources: Mapping[str, EnvValue] | None = None,
) -> JobDefinition:
    """A one-op job calling ``function([context,] **args)``.

    ``args`` are the job's default run config, editable in the launchpad. A function whose first
    parameter is ``context`` gets the op context (with ``resource_keys`` available on it).

    ``sources`` (arg -> how floe.yaml wrote it) keeps environment values out of the run
    config: an arg that is one placeholder becomes Dagster's ``{env: NAME}``, resolved when the
    op runs; a string arg with a placeholder inside a longer text (``https://${HOST}/x``) is
    passed as that template and resolved inside the op, when it runs. The launchpad and the
    stored run config hold variable names, never values.
    """
    sources = dict(sources or {})
    signature = signature_of(function)
    by_name = {arg for arg, value in spec.args.items() if _by_name(value, sources.get(arg))}
    templated = {
        arg
        for arg, value in spec.args.items()
        if arg not in by_name and arg in sources and isinstance(value, str)
    }
    schema: dict[str, Any] = {
        p.name: _config_field(p, by_name=p.name in by_name, value=spec.args.get(p.name))
        for p in signature.parameters
    }
    for arg in spec.args:  # a function with **kwargs takes args it does not name
        if arg not in schema:
            schema[arg] = Field(
                _SOURCES[type(spec.args[arg])] if arg in by_name else DagsterAny,
                is_required=False,
            )
    defaults = {
        arg: {"env": sources[arg].variables[0]}
        if arg in by_name
        else (sources[arg].template if arg in templated else value)
        for arg, value in spec.args.items()
    }
    target = spec.target_function
    op_name = f"{name}_op"

    @op(
        name=op_name,
        config_schema=schema,
        description=spec.description or f"Calls {target}",
        required_resource_keys=set(resource_keys),
        out=Out(Nothing, is_required=False, description=f"What {target} returned (metadata)"),
    )
    def run_target(context: OpExecutionContext) -> Iterator[Output[Any]]:
        kwargs = dict(context.op_config or {})
        for arg in templated & set(kwargs):
            if isinstance(kwargs[arg], str):
                kwargs[arg] = resolve_template(kwargs[arg], env=os.environ)
        result = function(context, **kwargs) if signature.wants_context else function(**kwargs)
        if result is not None:
            context.log.info(f"{target} returned {result!r}")
            yield Output(None, metadata=result_metadata(result))

    @job(
        name=name,
        description=spec.description,
        tags=dict(spec.tags),
        config={"ops": {op_name: {"config": defaults}}},
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
) -> BuiltJobs:
    """Every job of ``orchestration.jobs``, over ``graph`` (the asset graph of the assets): an
    ops job's ``JobDefinition``, or the asset job ``define_asset_job`` makes for a batch job.
    Problems are collected in ``problems``, or raised when it is not given."""
    own = problems is None
    problems = Problems() if problems is None else problems
    complete = not problems  # with assets missing, "matches nothing" is only an echo
    jobs = BuiltJobs()
    for name, spec in config.orchestration.jobs.items():
        path: tuple[str | int, ...] = ("orchestration", "jobs", name)
        if isinstance(spec, BatchJob):
            try:
                jobs[name] = build_batch_job(name, spec, graph=graph, require_match=complete)
                jobs.assets[name] = job_assets(spec, graph=graph)
            except MixedJobPartitions as error:
                del jobs[name]
                problems.add(
                    config,
                    (*path, "selection"),
                    IssueCode.JOB_MIXED_PARTITIONS,
                    f"job '{name}' selects assets with different partitions ({error}); a run "
                    "covers one partition of one definition",
                    "split it into one job per partitions definition, or give the assets the "
                    "same partitions",
                )
            except SelectionError as error:
                problems.add(
                    config,
                    (*path, "selection", error.index),
                    IssueCode.INVALID_SELECTION,
                    str(error),
                )
            except UnmatchedSelection as error:
                for item in error.items:
                    problems.add(
                        config,
                        (*path, "selection", item.index),
                        IssueCode.SELECTION_MATCHES_NOTHING,
                        f"'{item.item}' matches no asset; every item must match at least one "
                        "(an empty selection never means all assets)",
                        item.hint,
                    )
            continue
        function = target_function(config, (*path, "target_function"), spec, problems)
        if function is not None:
            sources = {
                arg: source
                for arg, value in spec.args.items()
                if (source := config.late_bound(value, render_path((*path, "args", arg))))
            }
            jobs[name] = build_ops_job(name, spec, function=function, hooks=hooks, sources=sources)
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
