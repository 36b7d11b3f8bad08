"""``module.function`` targets (ops jobs, custom sensors): import them and check their args."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ConfigDict, PydanticUserError, TypeAdapter, ValidationError

from floe_config import ConfigIssue, FloeConfig, FloeError, IssueCode, suggest
from floe_dagster._python.modules import import_module, import_problem

CONTEXT_NAMES = ("context",)


class TargetError(FloeError, ValueError):
    """A ``module.function`` that cannot be used: one issue (code, message, fix), located by
    whoever knows where in floe.yaml the function is named."""

    def __init__(self, code: IssueCode, message: str, hint: str | None) -> None:
        super().__init__([ConfigIssue(code=code, path="", message=message, file=None, hint=hint)])
        self.code = code
        self.message = message
        self.hint = hint


def import_target(config: FloeConfig, dotted: str) -> Callable[..., Any]:
    """The function named by ``module.function`` (relative modules resolve like asset modules).

    The module is imported afresh on every call, like the asset modules, so an edited function
    is seen when a long-running code server reloads the code location.
    """
    absolute = config.module(dotted)
    module_name, _, function_name = absolute.rpartition(".")
    try:
        module = import_module(module_name)
    except Exception as error:
        code, message, hint = import_problem(module_name, error)
        raise TargetError(code, message, hint) from error
    function = getattr(module, function_name, None)
    if function is None:
        public = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_"))
        near = suggest(function_name, public)
        raise TargetError(
            IssueCode.UNKNOWN_FUNCTION,
            f"module '{module_name}' has no function '{function_name}'",
            f"did you mean '{near}'?"
            if near
            else (f"it has: {', '.join(public)}" if public else None),
        )
    if not callable(function):
        raise TargetError(IssueCode.UNKNOWN_FUNCTION, f"'{absolute}' is not a function", None)
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


def _adapter(annotation: Any) -> TypeAdapter[Any] | None:
    """pydantic's validator of ``annotation`` (None: pydantic cannot check it)."""
    try:
        return _cached_adapter(annotation)
    except TypeError:  # an unhashable annotation: built every time
        return _build_adapter(annotation)


def _build_adapter(annotation: Any) -> TypeAdapter[Any] | None:
    try:
        try:
            return TypeAdapter(annotation, config=ConfigDict(arbitrary_types_allowed=True))
        except PydanticUserError:  # a model or dataclass brings its own config
            return TypeAdapter(annotation)
    except Exception:  # a forward reference or a type pydantic has no schema for
        return None


_cached_adapter = functools.lru_cache(maxsize=256)(_build_adapter)


def _matches(value: Any, annotation: Any) -> bool:
    """Whether ``value`` (as YAML gave it) is what ``annotation`` asks for, by pydantic's strict
    rules: no coercion (``"30"`` is no int, ``1`` no bool), an int is a float."""
    if annotation is Any or annotation is inspect.Parameter.empty:
        return True
    adapter = _adapter(annotation)
    if adapter is None:
        return True
    try:
        adapter.validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


QUOTED_HINT = (
    ": YAML reads a quoted value as text, so write it without quotes (an unquoted lone "
    "${VAR:default} takes the type of its value)"
)


def _lax(value: str, annotation: Any) -> bool:
    """Whether the text ``value`` would be an ``annotation`` unquoted (``"14"`` for an int)."""
    adapter = _adapter(annotation)
    try:
        return adapter is not None and not isinstance(
            adapter.validate_python(value, strict=False), str
        )
    except ValidationError:
        return False


@dataclass(frozen=True)
class ArgProblem:
    """One way the ``args`` of floe.yaml do not fit a target's signature."""

    code: IssueCode
    arg: str | None
    """The offending key under ``args`` (None: the problem is with ``args`` as a whole)."""
    message: str
    hint: str | None = None


def check_args(dotted: str, signature: Signature, args: Mapping[str, Any]) -> list[ArgProblem]:
    """Every way ``args`` does not fit the signature (unknown, missing, wrong type)."""
    problems = []
    known = {p.name: p for p in signature.parameters}
    for name, value in args.items():
        if name not in known:
            if not signature.accepts_any:
                expected = ", ".join(known) or "no arguments"
                near = suggest(name, known)
                problems.append(
                    ArgProblem(
                        IssueCode.UNKNOWN_ARGUMENT,
                        name,
                        f"{dotted}() takes no argument '{name}' (it takes: {expected})",
                        f"did you mean '{near}'?" if near else "remove it",
                    )
                )
            continue
        annotation = known[name].annotation
        if not _matches(value, annotation):
            shown = getattr(annotation, "__name__", str(annotation))
            problems.append(
                ArgProblem(
                    IssueCode.INVALID_ARGUMENT,
                    name,
                    f"argument '{name}' of {dotted}() expects {shown}, found {_kind(value)}",
                    f"give '{name}' a value of type {shown}"
                    + (QUOTED_HINT if isinstance(value, str) and _lax(value, annotation) else ""),
                )
            )
    for parameter in signature.parameters:
        if parameter.required and parameter.name not in args:
            problems.append(
                ArgProblem(
                    IssueCode.MISSING_ARGUMENT,
                    None,
                    f"{dotted}() needs argument '{parameter.name}'",
                    f"add '{parameter.name}: ...' under args",
                )
            )
    return problems


def _kind(value: Any) -> str:
    """A value as an error message may show it: its type, never a possibly secret text."""
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return repr(value)
    return f"a {type(value).__name__}"
