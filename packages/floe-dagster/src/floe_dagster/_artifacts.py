"""Finding the compiled artifact a code location loads."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from floe_config import DEFAULT_ARTIFACT_NAME, ConfigIssue, FloeConfigError, IssueCode

ARTIFACT_ENV = "FLOE_COMPILED_ARTIFACTS"


def locate_artifacts(path: str | Path | None, *, env: Mapping[str, str], caller: Path) -> Path:
    """The given path, else ``$FLOE_COMPILED_ARTIFACTS``, else ``compiled_artifacts.json`` next
    to the floe.yaml found in the caller's directory or the nearest parent holding one."""
    if path is not None:
        return Path(path).absolute()
    if env.get(ARTIFACT_ENV):
        return Path(env[ARTIFACT_ENV]).absolute()
    for folder in [caller, *caller.parents]:
        if (folder / "floe.yaml").is_file():
            return folder / DEFAULT_ARTIFACT_NAME
    raise FloeConfigError(
        [
            ConfigIssue(
                code=IssueCode.ARTIFACT_NOT_FOUND,
                path="",
                file=str(caller),
                message="no floe.yaml in this directory or above it, and "
                f"{ARTIFACT_ENV} is not set",
                hint="pass the artifact's path, or set FLOE_COMPILED_ARTIFACTS to it "
                "(`floe compile path/to/floe.yaml` writes compiled_artifacts.json beside it)",
            )
        ]
    )
