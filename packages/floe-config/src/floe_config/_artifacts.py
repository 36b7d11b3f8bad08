"""CompiledArtifacts v1: the versioned, environment-independent contract floe-dagster reads.

Two versions travel in every artifact (the rules: ``schemas/EVOLUTION.md``):

- ``schema_version`` is the artifact's own format. A v1 reader reads every v1.x file: a minor
  version only adds fields with defaults, and the reader ignores fields it does not know, at
  every depth. A reader that meets another major version refuses it with "expected v1, found
  vN in <file>".
- ``grammar_version`` is the floe.yaml grammar of the embedded ``config``. A reader reads
  every grammar of its major version up to its own; a newer minor grammar is read as long as
  it uses nothing this floe does not know, and refused, naming the version and the key, when
  it does. A newer major grammar is refused.

The artifact keeps ``${VAR:default}`` placeholders, records every variable with its default
and location, the floe.yaml it came from (with sha256) and the source map, so that errors
found when the code location loads name the floe.yaml line.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_serializer,
    model_validator,
)

from floe_config._codes import IssueCode
from floe_config._errors import ConfigIssue, FloeConfigError
from floe_config._interpolate import find_variables
from floe_config._loader import base_package_of, build_config, check_document, read_document
from floe_config._manifest_location import locate_manifest, manifest_fix
from floe_config._model import FloeConfig
from floe_config._source_map import SourceMap
from floe_config._yaml import RawDocument

SCHEMA_VERSION = "1.1"
"""The artifact format this floe writes (1.1: the source map replaces 1.0's three position
lists; ``grammar_version``)."""
GRAMMAR_VERSION = "1.2"
"""The floe.yaml grammar this floe reads and writes (1.1: ``orchestration.dbt.asset_keys``)."""
MAJOR = SCHEMA_VERSION.split(".", maxsplit=1)[0]
DEFAULT_ARTIFACT_NAME = "compiled_artifacts.json"
_NEWER_GRAMMAR_CODES = (IssueCode.UNKNOWN_KEY, IssueCode.INVALID_CHOICE)
"""What an older floe reports for what a newer grammar added: a key, or a choice."""


class ArtifactModel(BaseModel):
    """The base of the artifact's models. Unlike floe.yaml's models (``extra="forbid"``), they
    ignore fields they do not know: a newer v1.x writer may add them (STYLE 27)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class ArtifactFile(ArtifactModel):
    """A file the artifact depends on: its path relative to the artifact, and its sha256."""

    path: str
    sha256: str | None = None


class ArtifactVariable(ArtifactModel):
    """A placeholder recorded in the artifact; ``default`` is None when the variable is required."""

    name: str
    default: str | None
    path: str
    line: int | None = None
    column: int | None = None

    @property
    def required(self) -> bool:
        return self.default is None


class SourceRecord(ArtifactModel):
    """One key path of the source map: where its value (and its key) stands in floe.yaml."""

    path: list[str | int]
    line: int
    column: int
    key: tuple[int, int] | None = None
    container: bool = False
    text: str | None = Field(default=None, description="a plain scalar as written")


def _version(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor or 0)


def _migrated_v1_0(raw: dict[str, Any]) -> dict[str, Any]:
    """A 1.0 artifact's ``positions``, ``key_positions`` and ``texts`` as 1.1's source map."""
    keys = {tuple(p["path"]): (p["line"], p["column"]) for p in raw.get("key_positions", [])}
    texts = {tuple(path): text for path, text in raw.get("texts", [])}
    document = RawDocument(raw.get("config"), SourceMap(""))
    records = []
    for position in raw.get("positions", []):
        path = tuple(position["path"])
        records.append(
            {
                "path": list(path),
                "line": position["line"],
                "column": position["column"],
                "key": keys.get(path),
                "container": isinstance(document.value_at(path), dict | list),
                "text": texts.get(path),
            }
        )
    return {**raw, "source_map": records}


class CompiledArtifacts(ArtifactModel):
    """The output of ``floe compile``: one JSON file that builds the code location anywhere."""

    schema_version: str = SCHEMA_VERSION
    grammar_version: str = Field(
        default="1.0", description="the floe.yaml grammar of `config` (1.0 before it was recorded)"
    )
    project: str
    source: ArtifactFile = Field(description="the floe.yaml, relative to this file")
    base_package: str | None = Field(
        default=None, description="the Python package holding floe.yaml (for '.x' modules)"
    )
    config: dict[str, Any] = Field(description="floe.yaml as written, placeholders kept")
    variables: list[ArtifactVariable] = Field(default_factory=list)
    dbt_manifest: ArtifactFile | None = None
    source_map: list[SourceRecord] = Field(
        default_factory=list, description="where each key path of floe.yaml stands"
    )

    _location: Path | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _from_v1_0(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and "source_map" not in raw and "positions" in raw:
            return _migrated_v1_0(raw)
        return raw

    @field_serializer("source_map")
    def _compact(self, records: list[SourceRecord]) -> list[dict[str, Any]]:
        return [r.model_dump(exclude_defaults=True) for r in records]

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

    def _deprecated(self, name: str) -> SourceMap:
        warnings.warn(
            f"CompiledArtifacts.{name} is 1.0's form; use CompiledArtifacts.document().source "
            "(the source map)",
            DeprecationWarning,
            stacklevel=3,
        )
        return self.document().source

    @property
    def positions(self) -> list[dict[str, Any]]:
        """Deprecated (1.0's form): every key path's value position."""
        return [
            {"path": list(path), "line": e.value.line, "column": e.value.column}
            for path, e in self._deprecated("positions")
        ]

    @property
    def key_positions(self) -> list[dict[str, Any]]:
        """Deprecated (1.0's form): every key path's key position."""
        return [
            {"path": list(path), "line": e.key.line, "column": e.key.column}
            for path, e in self._deprecated("key_positions")
            if e.key is not None
        ]

    @property
    def texts(self) -> list[tuple[list[str | int], str]]:
        """Deprecated (1.0's form): the text of every plain scalar."""
        return [(list(p), text) for p, text in self._deprecated("texts").texts().items()]

    def document(self) -> RawDocument:
        """The embedded floe.yaml as the YAML reader gave it: the tree and its source map."""
        records = (r.model_dump(exclude_none=True) for r in self.source_map)
        return RawDocument(
            self.config, SourceMap.from_records(Path(self.source.path).name, records)
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
                    document.source.issue(
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
        schema_version=SCHEMA_VERSION,
        grammar_version=GRAMMAR_VERSION,
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
        source_map=[SourceRecord.model_validate(r) for r in document.source.to_records()],
    )


def write_artifacts(artifacts: CompiledArtifacts, output: str | Path) -> Path:
    """Write the artifact as indented JSON (creating the directory) and return its path."""
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(artifacts.model_dump_json(indent=2) + "\n")
    return target


def _artifact_error(
    path: Path, code: IssueCode, message: str, hint: str, key: str = ""
) -> FloeConfigError:
    return FloeConfigError(
        [ConfigIssue(code=code, path=key, message=message, file=str(path), hint=hint)]
    )


def read_artifacts(path: str | Path, *, placed_at: str | Path | None = None) -> CompiledArtifacts:
    """Read a compiled_artifacts.json of any v1.x (unknown fields ignored), refusing another
    major version, or a floe.yaml grammar of another major version, with a clear message.

    ``placed_at``: read it as if it sat there (say main's artifact, fetched elsewhere, beside a
    branch's floe.yaml): its floe.yaml, dbt project and manifest paths resolve from there."""
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
    artifacts = artifacts_from_json(raw, location=file)
    if placed_at is not None:
        artifacts._location = Path(placed_at).absolute()
    return artifacts


def artifacts_from_json(
    raw: Any, *, location: str | Path, rebuild: str = "floe compile"
) -> CompiledArtifacts:
    """A compiled artifact from its parsed JSON, as if read from the file ``location`` (its
    relative paths resolve against that folder), with ``read_artifacts``' checks: any v1.x,
    unknown fields ignored, another major version refused. ``rebuild`` is the command the
    errors name to write it again (a Dagster component keeps the artifact in its state, which
    ``dg utils refresh-defs-state`` rewrites)."""
    file = Path(location).absolute()
    regenerate = f"regenerate it with `{rebuild}`"
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
        grammar = _version(artifacts.grammar_version)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _artifact_error(
            file, IssueCode.INVALID_ARTIFACT, f"{where}: {first['msg']}", regenerate
        ) from error
    except ValueError:
        raise _artifact_error(
            file,
            IssueCode.INVALID_ARTIFACT,
            f"grammar_version {artifacts.grammar_version!r} is not a version",
            regenerate,
        ) from None
    if grammar[0] != _version(GRAMMAR_VERSION)[0]:
        raise _artifact_error(
            file,
            IssueCode.ARTIFACT_GRAMMAR,
            f"its floe.yaml is written in grammar v{artifacts.grammar_version}; this floe reads "
            f"grammar v{GRAMMAR_VERSION.split('.', maxsplit=1)[0]}.x only",
            "run the code location with a floe that reads that grammar, or compile floe.yaml "
            "with this floe",
        )
    artifacts._location = file
    return artifacts


def _too_new(issue: ConfigIssue, artifacts: CompiledArtifacts) -> ConfigIssue:
    """An issue about a key a newer grammar added, as what it is: a grammar this floe predates."""
    return ConfigIssue(
        code=IssueCode.ARTIFACT_GRAMMAR,
        path=issue.path,
        message=f"the artifact's floe.yaml is written in grammar v{artifacts.grammar_version}, "
        f"newer than v{GRAMMAR_VERSION} that this floe reads; it cannot read "
        f"'{issue.path}' ({issue.message})",
        file=issue.file,
        line=issue.line,
        column=issue.column,
        hint=f"upgrade floe where this code location runs to one that reads grammar "
        f"v{artifacts.grammar_version}, or compile floe.yaml with the floe that runs it",
    )


def resolve(artifacts: CompiledArtifacts, *, env: Mapping[str, str]) -> FloeConfig:
    """Resolve the artifact's placeholders from ``env`` and validate again -> FloeConfig.

    Errors name the floe.yaml line, exactly as ``load_config`` would. An artifact of a newer
    floe.yaml grammar that uses what this floe does not know is refused, naming the key.
    """
    try:
        return build_config(
            artifacts.document(),
            env=env,
            file=artifacts.source_file,
            base_package=artifacts.base_package,
        )
    except FloeConfigError as error:
        if _version(artifacts.grammar_version) <= _version(GRAMMAR_VERSION):
            raise
        issues = [
            _too_new(issue, artifacts) if issue.code in _NEWER_GRAMMAR_CODES else issue
            for issue in error.issues
        ]
        raise FloeConfigError(issues) from error
