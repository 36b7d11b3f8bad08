"""load_config: floe.yaml -> validated FloeConfig, with every problem reported at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path as FsPath
from typing import Any

from pydantic import ValidationError

from floe_config._base import attach_masks
from floe_config._checks import cross_check, prune
from floe_config._codes import IssueCode
from floe_config._errors import ConfigIssue, FloeConfigError
from floe_config._interpolate import interpolate
from floe_config._model import ConfigSource, FloeConfig
from floe_config._pydantic_errors import failed_paths, translate
from floe_config._schema_walk import restore_texts
from floe_config._secrets import redact_issue, secret_paths, secret_values
from floe_config._source_map import KeyPath, render_path
from floe_config._yaml import RawDocument, parse_yaml


def base_package_of(directory: FsPath) -> str | None:
    """The dotted package a directory is, walking up while ``__init__.py`` files exist."""
    parts: list[str] = []
    current = directory.resolve()
    while (current / "__init__.py").is_file() and current.parent != current:
        parts.append(current.name)
        current = current.parent
    return ".".join(reversed(parts)) or None


def read_document(path: FsPath, *, display: str | None = None) -> RawDocument:
    name = display or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FloeConfigError(
            [
                ConfigIssue(
                    code=IssueCode.FILE_NOT_FOUND,
                    path="",
                    message=f"no such file: {path}",
                    file=name,
                    hint="pass the path of your floe.yaml",
                )
            ]
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as error:  # ValueError: a NUL in the path
        raise FloeConfigError(
            [
                ConfigIssue(
                    code=IssueCode.UNREADABLE_FILE,
                    path="",
                    message=f"cannot read {path}: {error}",
                    file=name,
                    hint="floe.yaml must be a readable UTF-8 text file",
                )
            ]
        ) from error
    return parse_yaml(text, file=name)


def check_document(
    document: RawDocument,
    *,
    env: Mapping[str, str] | None,
    file: FsPath,
    base_package: str | None,
) -> FloeConfig | None:
    """Interpolate, validate and cross-check one document; raise with every problem found.

    With ``env=None`` (compile time) placeholders take their defaults, and values behind a
    variable without a default are not judged; the result is then ``None`` if one of those
    kept the document from validating.
    """
    interpolated = interpolate(document, env=env)
    issues: list[ConfigIssue] = list(interpolated.issues)
    data: Any = restore_texts(FloeConfig, interpolated.data, interpolated.texts)
    config: FloeConfig | None = None
    invalid: set[KeyPath] = set()
    try:
        config = FloeConfig.model_validate(data)
    except ValidationError as error:
        placeholders = {issue.path for issue in issues}
        invalid = failed_paths(error, data)
        issues += [
            issue
            for issue in translate(error, document=document, data=data, root=FloeConfig)
            if issue.path not in placeholders
        ]
    reported = {issue.path for issue in issues}
    issues += [
        issue
        for issue in cross_check(document, prune(data, invalid), base_package=base_package)
        if issue.path not in reported
    ]
    deferred = {render_path(p) for p in interpolated.deferred}
    origins = {render_path(p): origin for p, origin in interpolated.origins.items()}
    secrets = secret_values(interpolated.env_values.values(), env or {})
    hidden = secret_paths(interpolated.env_values.values())
    issues = [
        redact_issue(_with_origin(issue, origins), secrets, hidden)
        for issue in issues
        if env is not None or issue.path not in deferred
    ]
    if issues:
        raise FloeConfigError(issues)
    if config is not None:
        config._source = ConfigSource(
            file=file,
            base_package=base_package,
            variables=tuple(interpolated.variables),
            map=document.source,
            env_values={v.path: v for v in interpolated.env_values.values()},
            secrets=secrets,
            secret_paths=hidden,
        )
        attach_masks(
            config,
            {p: v.template for p, v in interpolated.env_values.items() if v.environmental},
        )
    return config


def build_config(
    document: RawDocument,
    *,
    env: Mapping[str, str],
    file: FsPath,
    base_package: str | None,
) -> FloeConfig:
    """``check_document`` with an environment: always a FloeConfig, or an error."""
    config = check_document(document, env=env, file=file, base_package=base_package)
    if config is None:  # pragma: no cover - with an env every problem is reported
        raise FloeConfigError(
            [
                document.source.issue(
                    (),
                    IssueCode.INVALID_CONFIG,
                    "floe.yaml did not validate",
                    "run `floe validate` for every problem",
                )
            ]
        )
    return config


def _with_origin(issue: ConfigIssue, origins: dict[str, str]) -> ConfigIssue:
    origin = origins.get(issue.path)
    if origin is None or issue.code == "unset_variable":
        return issue
    return ConfigIssue(
        code=issue.code,
        path=issue.path,
        message=f"{issue.message} (value from {origin})",
        file=issue.file,
        line=issue.line,
        column=issue.column,
        hint=issue.hint,
    )


def load_config(path: str | FsPath, *, env: Mapping[str, str]) -> FloeConfig:
    """Load, interpolate and validate a floe.yaml.

    ``env`` is the environment to resolve ``${VAR:default}`` from (pass ``os.environ`` in an
    application, a plain dict in tests). Raises ``FloeConfigError`` with every problem found.

    >>> import os, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "floe.yaml").write_text("name: demo\\nversion: ${V:1.0}\\n")
    >>> load_config(folder / "floe.yaml", env={"V": "2.1"}).version
    '2.1'
    """
    file = FsPath(path).absolute()
    document = read_document(file)
    return build_config(document, env=env, file=file, base_package=base_package_of(file.parent))


SALVAGEABLE = ("jobs", "schedules", "sensors", "backfills", "partitions", "assets")
"""The sections of ``orchestration`` whose entries stand alone: one entry with a problem can be
left out and the rest still means what it says."""
_ROUNDS = 8


def _entry_of(issue: ConfigIssue, entries: dict[str, KeyPath]) -> KeyPath | None:
    """The entry (``orchestration.<section>.<name>``) ``issue`` lies in, or None."""
    for rendered, path in entries.items():
        if issue.path == rendered or issue.path.startswith((rendered + ".", rendered + "[")):
            return path
    return None


def salvage_config(
    path: str | FsPath, *, env: Mapping[str, str], issues: Sequence[ConfigIssue]
) -> FloeConfig | None:
    """floe.yaml without the entries that ``issues`` (``load_config``'s problems) lie in, for
    the checks that need a valid config (selections against the built assets, patterns, dbt
    sources) to run in the same round as the config's own checks. None when a problem lies
    outside the entries of ``SALVAGEABLE`` sections (the rest would not mean what it says).

    Leaving an entry out may break what refers to it (a schedule of a job left out): those
    entries are left out too, and their problems are not reported (they only echo the first).
    """
    file = FsPath(path).absolute()
    document = read_document(file)
    orchestration = document.data.get("orchestration") if isinstance(document.data, dict) else {}
    entries: dict[str, KeyPath] = {}
    for section in SALVAGEABLE:
        named = orchestration.get(section) if isinstance(orchestration, dict) else None
        for name in named if isinstance(named, dict) else {}:
            entries[render_path(("orchestration", section, name))] = (
                "orchestration",
                section,
                name,
            )
    dropped: set[KeyPath] = set()
    pending = list(issues)
    for _ in range(_ROUNDS):
        for issue in pending:
            entry = _entry_of(issue, entries)
            if entry is None:
                return None
            dropped.add(entry)
        data = _without(document.data, dropped)
        try:
            return build_config(
                RawDocument(data=data, source=document.source),
                env=env,
                file=file,
                base_package=base_package_of(file.parent),
            )
        except FloeConfigError as error:
            pending = list(error.issues)
    return None


def _without(data: Any, paths: set[KeyPath]) -> Any:
    """``data`` (floe.yaml's tree) with the mapping entries at ``paths`` removed."""
    if not paths or not isinstance(data, dict):
        return data
    heads: dict[Any, set[KeyPath]] = {}
    for path in paths:
        heads.setdefault(path[0], set()).add(path[1:])
    kept = {}
    for key, value in data.items():
        if () in heads.get(key, set()):
            continue
        kept[key] = _without(value, heads[key]) if key in heads else value
    return kept
