"""floe-dagster: CompiledArtifacts -> dagster.Definitions, observability, and the floe CLI."""

from floe_dagster._errors import FloeDagsterError as FloeDagsterError

__all__ = [
    "FloeDagsterError",
]
