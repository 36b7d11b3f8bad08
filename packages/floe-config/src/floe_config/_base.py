"""The base of every floe.yaml model: frozen, and unknown keys are errors."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class FloeModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
