"""``module.function`` targets (ops jobs, custom sensors): import them and check their args."""

from __future__ import annotations

import importlib
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from floe_config import FloeConfig
from floe_dagster._modules import _import_problem

CONTEXT_NAMES = ("context",)


class TargetError(ValueError):
    pass


def import_target(config: FloeConfig, dotted: str) -> Callable[..., Any]:
    """The function named by ``module.function`` (relative modules resolve like asset modules)."""
    absolute = config.module(dotted) if dotted.startswith(".") else dotted
    module_name, _, function_name = absolute.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        raise TargetError(_import_problem(module_name, error)) from error
    function = getattr(module, function_name, None)
    if function is None:
        public = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_"))
        raise TargetError(
            f"module '{module_name}' has no function '{function_name}'"
            + (f"; it has: {', '.join(public)}" if public else "")
        )
    if not callable(function):
        raise TargetError(f"'{absolute}' is not a function")
    return typing.cast(Callable[..., Any], function)


@dataclass(frozen=True)
class Parameter:
    name: str
    annotation: Any
    required: bool
    default: Any


@dataclass(frozen=True)
class Signature:
    """A target's parameters as floe sees them: an optional leading ``context``, then args."""

    wants_context: bool
    parameters: tuple[Parameter, ...]
    accepts_any: bool


def signature_of(function: Callable[..., Any]) -> Signature:
    try:
        hints = typing.get_type_hints(function)
    except Exception:
        hints = {}
    parameters = list(inspect.signature(function).parameters.values())
    wants_context = bool(parameters) and parameters[0].name in CONTEXT_NAMES
    if wants_context:
        parameters = parameters[1:]
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    return Signature(
        wants_context=wants_context,
        parameters=tuple(
            Parameter(
                name=p.name,
                annotation=hints.get(p.name, Any),
                required=p.default is inspect.Parameter.empty,
                default=None if p.default is inspect.Parameter.empty else p.default,
            )
            for p in parameters
            if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        ),
        accepts_any=accepts_any,
    )


def _matches(value: Any, annotation: Any) -> bool:
    if annotation is Any or annotation is inspect.Parameter.empty:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    target = origin or annotation
    if not isinstance(target, type):
        return True
    if target is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if target is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, target)


def check_args(dotted: str, signature: Signature, args: Mapping[str, Any]) -> list[str]:
    """Every way ``args`` does not fit the signature (unknown, missing, wrong type)."""
    problems = []
    known = {p.name: p for p in signature.parameters}
    for name, value in args.items():
        if name not in known:
            if not signature.accepts_any:
                expected = ", ".join(known) or "no arguments"
                problems.append(f"{dotted}() takes no argument '{name}' (it takes: {expected})")
            continue
        annotation = known[name].annotation
        if not _matches(value, annotation):
            shown = getattr(annotation, "__name__", str(annotation))
            problems.append(f"argument '{name}' of {dotted}() expects {shown}, found {value!r}")
    for parameter in signature.parameters:
        if parameter.required and parameter.name not in args:
            problems.append(f"{dotted}() needs argument '{parameter.name}'; add it under args")
    return problems
