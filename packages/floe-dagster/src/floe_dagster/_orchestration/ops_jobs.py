"""Ops jobs (FR-018, FR-021): a one-op job around a floe.yaml ``target_function``, its ``args``
as the job's default run config.

No ``from __future__ import annotations`` here: Dagster checks the op's ``context`` annotation.
"""

import dataclasses
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from dagster import Any as DagsterAny
from dagster import (
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
    StringSource,
    job,
    op,
)

from floe_config import EnvValue, OpsJob, resolve_template
from floe_dagster._python.functions import Parameter, signature_of

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
