"""CompiledArtifacts v1: the versioned, environment-independent contract floe-dagster reads.

Evolution rules: within major version 1 every change is additive and carries a default, so a
v1 reader reads every v1.x file. A reader that meets another major version refuses it with
"expected v1, found vN in <file>". The artifact keeps ``${VAR:default}`` placeholders, records
every variable with its default and location, and the floe.yaml it came from (with sha256).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, ValidationError

from floe_config._base import FloeModel
from floe_config._codes import IssueCode
from floe_config._errors import ConfigIssue, FloeConfigError
from floe_config._interpolate import find_variables
from floe_config._loader import base_package_of, build_config, check_document, read_document
from floe_config._manifest_location import locate_manifest, manifest_fix
from floe_config._model import FloeConfig
from floe_config._yaml import Position, RawDocument

SCHEMA_VERSION = "1.0"
MAJOR = SCHEMA_VERSION.split(".", maxsplit=1)[0]
DEFAULT_ARTIFACT_NAME = "compiled_artifacts.json"


class ArtifactFile(FloeModel):
    """A file the artifact depends on: its path relative to the artifact, and its sha256."""

    path: str
    sha256: str | None = None


class ArtifactVariable(FloeModel):
    """A placeholder recorded in the artifact; ``default`` is None when the variable is required."""

    name: str
    default: str | None
    path: str
    line: int | None = None
    column: int | None = None

    @property
    def required(self) -> bool:
        return self.default is None


class Located(FloeModel):
    """A position in floe.yaml, keyed by the JSON-encoded key path."""

    path: list[str | int]
    line: int
    column: int


class CompiledArtifacts(FloeModel):
    """The output of ``floe compile``: one JSON file that builds the code location anywhere."""

    schema_version: str = SCHEMA_VERSION
    project: str
    source: ArtifactFile = Field(description="the floe.yaml, relative to this file")
    base_package: str | None = Field(
        default=None, description="the Python package holding floe.yaml (for '.x' modules)"
    )
    config: dict[str, Any] = Field(description="floe.yaml as written, placeholders kept")
    variables: list[ArtifactVariable] = Field(default_factory=list)
    dbt_manifest: ArtifactFile | None = None
    positions: list[Located] = Field(default_factory=list)
    key_positions: list[Located] = Field(default_factory=list)
    texts: list[tuple[list[str | int], str]] = Field(
        default_factory=list, description="source text of plain scalars"
    )

    _location: Path | None = PrivateAttr(default=None)

    @property
    def directory(self) -> Path:
        """The directory the artifact was read from (relative paths resolve against it)."""
        return (self._location or Path("compiled_artifacts.json").absolute()).parent

    @property
    def source_file(self) -> Path:
        # normpath, not resolve(): in a Bazel runfiles tree the files are symlinks, and the
        # artifact, floe.yaml and the manifest must be found side by side in that tree.
        return Path(os.path.normpath(self.directory / self.source.path))

    @property
    def manifest_file(self) -> Path | None:
        if self.dbt_manifest is None:
            return None
        return Path(os.path.normpath(self.directory / self.dbt_manifest.path))

    def document(self) -> RawDocument:
        def tuple_path(parts: list[str | int]) -> tuple[str | int, ...]:
            return tuple(parts)

        return RawDocument(
            data=self.config,
            file=Path(self.source.path).name,
            positions={tuple_path(p.path): Position(p.line, p.column) for p in self.positions},
            key_positions={
                tuple_path(p.path): Position(p.line, p.column) for p in self.key_positions
            },
            texts={tuple_path(p): text for p, text in self.texts},
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _relative(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target.resolve(), start.resolve())).as_posix()


def compile_artifacts(
    path: str | Path,
    *,
    output: str | Path,
    manifest: str | Path | None = None,
    source_as: str | None = None,
    manifest_as: str | None = None,
) -> CompiledArtifacts:
    """Validate floe.yaml against its defaults and build the artifact for ``output``.

    ``manifest`` overrides ``orchestration.dbt.manifest_path`` (a build system's output path).
    ``source_as`` / ``manifest_as`` record those files under another path relative to the
    artifact, for build systems that later lay all three out side by side (Bazel runfiles).
    Variables without a default are recorded as required and checked when resolved.
    The file is not written; ``write_artifacts`` does that.
    """
    file = Path(path).absolute()
    document = read_document(file)
    base_package = base_package_of(file.parent)
    config = check_document(document, env=None, file=file, base_package=base_package)
    out_dir = Path(output).absolute().parent
    manifest_record = None
    manifest_path = Path(manifest) if manifest else None
    if manifest_path is None and config is not None:
        manifest_path = locate_manifest(config)
    if manifest_path is not None:
        if not manifest_path.is_file():
            raise FloeConfigError(
                [
                    document.issue(
                        ("orchestration", "dbt", "manifest_path"),
                        IssueCode.MISSING_MANIFEST,
                        f"no dbt manifest at {manifest_path}",
                        manifest_fix(config) if config is not None else "pass --manifest",
                    )
                ]
            )
        manifest_record = ArtifactFile(
            path=manifest_as or _relative(manifest_path, out_dir), sha256=_sha256(manifest_path)
        )
    name = document.data.get("name") if isinstance(document.data, dict) else None
    return CompiledArtifacts(
        project=str(name),
        source=ArtifactFile(path=source_as or _relative(file, out_dir), sha256=_sha256(file)),
        base_package=base_package,
        config=document.data,
        variables=[
            ArtifactVariable(
                name=v.name, default=v.default, path=v.path, line=v.line, column=v.column
            )
            for v in find_variables(document)
        ],
        dbt_manifest=manifest_record,
        positions=[
            Located(path=list(p), line=w.line, column=w.column)
            for p, w in document.positions.items()
        ],
        key_positions=[
            Located(path=list(p), line=w.line, column=w.column)
            for p, w in document.key_positions.items()
        ],
        texts=[(list(p), text) for p, text in document.texts.items()],
    )


def write_artifacts(artifacts: CompiledArtifacts, output: str | Path) -> Path:
    """Write the artifact as indented JSON (creating the directory) and return its path."""
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(artifacts.model_dump_json(indent=2) + "\n")
    return target


def _artifact_error(path: Path, code: IssueCode, message: str, hint: str) -> FloeConfigError:
    return FloeConfigError(
        [ConfigIssue(code=code, path="", message=message, file=str(path), hint=hint)]
    )


def read_artifacts(path: str | Path) -> CompiledArtifacts:
    """Read a compiled_artifacts.json, refusing another major version with a clear message."""
    file = Path(path).absolute()
    regenerate = "regenerate it with `floe compile`"
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _artifact_error(
            file, IssueCode.ARTIFACT_NOT_FOUND, "no compiled artifact here", regenerate
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _artifact_error(
            file, IssueCode.INVALID_ARTIFACT, f"not a readable JSON artifact: {error}", regenerate
        ) from error
    version = raw.get("schema_version") if isinstance(raw, dict) else None
    if not isinstance(version, str) or version.split(".")[0] != MAJOR:
        raise _artifact_error(
            file,
            IssueCode.ARTIFACT_VERSION,
            f"expected v{MAJOR}, found v{version} in {file}",
            f"this floe reads CompiledArtifacts v{MAJOR}; {regenerate} with this floe",
        )
    try:
        artifacts = CompiledArtifacts.model_validate(raw)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _artifact_error(
            file, IssueCode.INVALID_ARTIFACT, f"{where}: {first['msg']}", regenerate
        ) from error
    artifacts._location = file
    return artifacts


def resolve(artifacts: CompiledArtifacts, *, env: Mapping[str, str]) -> FloeConfig:
    """Resolve the artifact's placeholders from ``env`` and validate again -> FloeConfig.

    Errors name the floe.yaml line, exactly as ``load_config`` would.
    """
    return build_config(
        artifacts.document(),
        env=env,
        file=artifacts.source_file,
        base_package=artifacts.base_package,
    )
