"""Walk the model types alongside a data tree: which model, which field type, at a path.

The error translator uses it for "did you mean" on unknown keys, and the loader to give
string-typed keys the text the user wrote.
"""

from __future__ import annotations

import inspect
import types
import typing
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from floe_config._source_map import KeyPath as Path


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def union_members(annotation: Any) -> list[Any]:
    annotation = _unwrap(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        members: list[Any] = []
        for arg in get_args(annotation):
            members += union_members(arg)
        return members
    return [annotation]


def _is_model(annotation: Any) -> bool:
    return inspect.isclass(annotation) and issubclass(annotation, BaseModel)


def type_tags(model: type[BaseModel]) -> tuple[Any, ...]:
    field = model.model_fields.get("type")
    if field is None or get_origin(field.annotation) is not Literal:
        return ()
    return get_args(field.annotation)


def model_for(annotation: Any, data: Any) -> type[BaseModel] | None:
    """The model class that validates ``data`` under ``annotation``, if one does."""
    models = [m for m in union_members(annotation) if _is_model(m)]
    if len(models) == 1:
        return typing.cast(type[BaseModel], models[0])
    if isinstance(data, dict) and "type" in data:
        for model in models:
            if data["type"] in type_tags(model):
                return typing.cast(type[BaseModel], model)
    return None


def child_annotation(annotation: Any, data: Any, key: str | int) -> Any:
    """The annotation of ``data[key]`` under ``annotation``; ``None`` when unknown."""
    model = model_for(annotation, data)
    if model is not None and isinstance(key, str):
        field = model.model_fields.get(key)
        return field.annotation if field is not None else None
    for member in union_members(annotation):
        origin = get_origin(member)
        if origin is dict and isinstance(data, dict) and isinstance(key, str):
            return get_args(member)[1]
        if origin is list and isinstance(data, list) and isinstance(key, int):
            return get_args(member)[0]
    return None


def annotation_at(root: type[BaseModel], data: Any, path: Path) -> Any:
    annotation: Any = root
    for key in path:
        if annotation is None:
            return None
        annotation = child_annotation(annotation, data, key)
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            data = None
    return annotation


def is_text(annotation: Any) -> bool:
    """True when the annotation takes a string and no other scalar (None aside)."""
    members = [m for m in union_members(annotation) if m is not type(None)]
    return bool(members) and all(m is str for m in members)


def keys_at(root: type[BaseModel], data: Any, path: Path) -> list[str]:
    """The keys the model at ``path`` accepts (empty when free-form or unknown)."""
    annotation = annotation_at(root, data, path)
    target = data
    for key in path:
        try:
            target = target[key]
        except (KeyError, IndexError, TypeError):
            target = None
    model = model_for(annotation, target) if annotation is not None else None
    return list(model.model_fields) if model is not None else []


def restore_texts(root: type[BaseModel], data: Any, texts: dict[Path, str]) -> Any:
    """Give every string-typed key the text written in floe.yaml (or its resolved placeholder)."""

    def visit(value: Any, annotation: Any, path: Path) -> Any:
        if isinstance(value, dict):
            return {
                k: visit(v, child_annotation(annotation, value, k), (*path, k)) if annotation else v
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [
                visit(v, child_annotation(annotation, value, i), (*path, i)) if annotation else v
                for i, v in enumerate(value)
            ]
        if not isinstance(value, str) and path in texts and is_text(annotation):
            if value is None and annotation is not None and type(None) in union_members(annotation):
                return None
            return texts[path]
        return value

    return visit(data, root, ())
