"""The base of every floe.yaml model: frozen, unknown keys are errors, environment values masked."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr


class Masked(str):
    """A value shown as its placeholder (``${CATALOG_TOKEN}``) in a repr."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str.__repr__(self)


def _apply(value: Any, mask: Any) -> Any:
    if isinstance(mask, Masked):
        return mask
    if isinstance(mask, dict) and isinstance(value, dict):
        return {k: _apply(v, mask[k]) if k in mask else v for k, v in value.items()}
    if isinstance(mask, dict) and isinstance(value, list):
        return [_apply(v, mask[i]) if i in mask else v for i, v in enumerate(value)]
    return value


class FloeModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    _masks: dict[str, Any] = PrivateAttr(default_factory=dict)
    """Field -> what ``repr`` shows instead of a value that came from the environment."""

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            mask = self._masks.get(name) if name is not None else None
            yield name, _apply(value, mask) if mask is not None else value


def attach_masks(model: FloeModel, templates: Mapping[tuple[str | int, ...], str]) -> None:
    """Make ``model`` (and every model inside it) show each value at a path of ``templates`` as
    that template. ``templates`` maps a key path to the floe.yaml text of the value."""

    def mask_of(value: Any, path: tuple[str | int, ...]) -> Any:
        if path in templates:
            return Masked(templates[path])
        if isinstance(value, dict):
            found = {k: m for k, v in value.items() if (m := mask_of(v, (*path, k))) is not None}
            return found or None
        if isinstance(value, list):
            found = {i: m for i, v in enumerate(value) if (m := mask_of(v, (*path, i))) is not None}
            return found or None
        return None

    def visit(current: FloeModel, path: tuple[str | int, ...]) -> None:
        masks = {}
        for name in type(current).model_fields:
            value = getattr(current, name)
            here = (*path, name)
            if isinstance(value, FloeModel):
                visit(value, here)
            elif (
                isinstance(value, dict)
                and value
                and all(isinstance(v, FloeModel) for v in value.values())
            ):
                for key, child in value.items():
                    visit(child, (*here, key))
            elif (mask := mask_of(value, here)) is not None:
                masks[name] = mask
        current._masks = masks

    visit(model, ())
