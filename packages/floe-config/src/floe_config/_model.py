"""The root of floe.yaml: ``FloeConfig`` and its top-level sections."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, model_validator
from pydantic_core import PydanticCustomError

from floe_config._base import FloeModel
from floe_config._codes import IssueCode
from floe_config._errors import ConfigIssue
from floe_config._interpolate import VariableUse, typed_text
from floe_config._model_orchestration import Orchestration
from floe_config._secrets import EnvValue, redact_issue
from floe_config._source_map import KeyPath, Position, SourceMap, render_path
from floe_config._types import Name, PositiveInt, Text


class DbtProject(FloeModel):
    """The dbt project: its directory, profiles and target."""

    project_dir: Text = Field(description="relative to floe.yaml")
    profiles_dir: Text | None = Field(
        default=None, description="omit to let floe generate the profile from `storage`"
    )
    target: Text | None = None


class Transforms(FloeModel):
    """The transformation projects (dbt)."""

    dbt: DbtProject | None = None


class Catalog(FloeModel):
    """The Iceberg catalog, through PyIceberg: embedded SQLite (sql) or REST (e.g. Polaris)."""

    type: Literal["sql", "rest"] = "sql"
    name: Name = "floe"
    uri: Text = "sqlite:///.floe/catalog.db"
    warehouse: Text | None = ".floe/warehouse"
    properties: dict[str, Text] = Field(default_factory=dict)


class Compute(FloeModel):
    """Where dbt runs."""

    type: Literal["duckdb"] = "duckdb"
    path: Text = ".floe/warehouse.duckdb"
    threads: PositiveInt = 4


class Storage(FloeModel):
    """The Iceberg catalog and the dbt compute."""

    catalog: Catalog = Field(default_factory=Catalog)
    compute: Compute = Field(default_factory=Compute)


class Governance(FloeModel):
    """Where column classifications come from, and whether lineage is emitted."""

    classification_source: Literal["dbt_meta", "none"] = "dbt_meta"
    emit_lineage: bool = True


class Traces(FloeModel):
    """OpenTelemetry spans, one per asset execution."""

    enabled: bool = True
    exporter: Literal["auto", "otlp", "file", "console"] = Field(
        default="auto", description="auto: OTLP/HTTP when an endpoint is set, else a local file"
    )
    endpoint: Text | None = Field(default=None, description="default: OTEL_EXPORTER_OTLP_ENDPOINT")


class Lineage(FloeModel):
    """OpenLineage runs, one per asset execution."""

    enabled: bool = True
    namespace: Text | None = Field(default=None, description="default: the project name")
    transport: Literal["file", "http", "console"] = "file"
    url: Text | None = None

    @model_validator(mode="after")
    def _http_needs_url(self) -> Lineage:
        if self.transport == "http" and not self.url:
            raise PydanticCustomError(
                IssueCode.MISSING_URL,
                "lineage transport http needs a url (the OpenLineage endpoint, e.g. Marquez)",
                {"field": "url", "hint": "set url: ${OPENLINEAGE_URL:http://localhost:5000}"},
            )
        return self


class Observability(FloeModel):
    """Traces and lineage settings."""

    service_name: Text | None = Field(default=None, description="default: the project name")
    traces: Traces = Field(default_factory=Traces)
    lineage: Lineage = Field(default_factory=Lineage)


STATE_ENV = "FLOE_STATE_DIR"
"""The environment variable that moves a code location's state directory."""


@dataclass(frozen=True)
class ConfigSource:
    """Where a FloeConfig came from: its file, its directory, its source map and its
    placeholders."""

    file: Path
    base_package: str | None = None
    """The dotted package holding floe.yaml; relative module paths resolve against it."""
    variables: tuple[VariableUse, ...] = ()
    map: SourceMap = field(default_factory=lambda: SourceMap("floe.yaml"), repr=False)
    """Where each key of floe.yaml stands (``issue`` locates a problem with it)."""
    env_values: dict[str, EnvValue] = field(default_factory=dict, repr=False)
    """Key path -> the scalar's placeholders and where their values came from."""
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    """Secret value -> its placeholder, for ``redact``."""
    secret_paths: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    """Key path -> variables, for each value from the environment that looks secret."""

    @property
    def directory(self) -> Path:
        return self.file.parent

    @property
    def positions(self) -> dict[str, Position]:
        """Deprecated: use ``map`` (``map.locate(path)``). Rendered key path -> position."""
        warnings.warn(
            "ConfigSource.positions is deprecated; use ConfigSource.map.locate(path)",
            DeprecationWarning,
            stacklevel=2,
        )
        found = {}
        for path, _ in self.map:
            where = self.map.locate(path)
            if where is not None:
                found[render_path(path)] = where
        return found

    def issue(
        self, path: KeyPath, code: IssueCode, message: str, hint: str | None = None
    ) -> ConfigIssue:
        """An issue at ``path`` of floe.yaml, located with the source map (at the nearest key
        floe.yaml spells out), without any secret value from the environment in its text."""
        return self.redact(self.map.issue(path, code, message, hint))

    def env_value(self, path: str) -> EnvValue | None:
        """How the value at ``path`` (``storage.catalog.uri``) was written, if it holds
        placeholders; None for a literal value."""
        return self.env_values.get(path)

    def redact(self, issue: ConfigIssue) -> ConfigIssue:
        """``issue`` without any secret value from the environment in its text."""
        return redact_issue(issue, self.secrets, self.secret_paths)


class FloeConfig(FloeModel):
    """A validated floe.yaml. Build one with ``load_config`` or ``resolve``."""

    name: Name
    version: Text | None = None
    transforms: Transforms = Field(default_factory=Transforms)
    storage: Storage = Field(default_factory=Storage)
    governance: Governance = Field(default_factory=Governance)
    observability: Observability = Field(default_factory=Observability)
    orchestration: Orchestration = Field(default_factory=Orchestration)

    _source: ConfigSource | None = PrivateAttr(default=None)

    @property
    def source(self) -> ConfigSource:
        if self._source is None:
            return ConfigSource(file=Path("floe.yaml").absolute())
        return self._source

    def path(self, relative: str) -> Path:
        """A path from floe.yaml, resolved against floe.yaml's directory (never the cwd)."""
        candidate = Path(relative).expanduser()
        return candidate if candidate.is_absolute() else self.source.directory / candidate

    def module(self, dotted: str) -> str:
        """An absolute module path; ``.x.y`` resolves against the package holding floe.yaml."""
        if not dotted.startswith("."):
            return dotted
        if not self.source.base_package:
            raise ValueError(
                f"relative module path '{dotted}' needs floe.yaml to sit inside a Python "
                "package (a directory with __init__.py)"
            )
        return f"{self.source.base_package}{dotted}"

    def iceberg_catalog_fields(self) -> dict[str, tuple[str, str]]:
        """Each property for ``pyiceberg.catalog.load_catalog``, with the floe.yaml key path it
        came from: ``{"uri": ("sqlite:////abs/catalog.db?timeout=30", "storage.catalog.uri")}``.

        The key path tells a consumer how the value was written (``source.env_value(path)``),
        so that a value from the environment can travel as its variable's name.
        """
        catalog = self.storage.catalog
        root = "storage.catalog"
        fields = {
            "type": (catalog.type, f"{root}.type"),
            "uri": (catalog.uri, f"{root}.uri"),
            **{k: (v, f"{root}.properties.{k}") for k, v in catalog.properties.items()},
        }
        if catalog.type == "sql":
            prefix = "sqlite:///"
            uri = catalog.uri
            if uri.startswith(prefix) and not uri.startswith(prefix + "/"):
                uri = "sqlite:///" + str(self.path(uri[len(prefix) :]))
            if uri.startswith(prefix) and "?" not in uri:
                # parallel steps commit to one SQLite file: wait for its lock, do not fail
                uri += "?timeout=30"
            fields["uri"] = (uri, f"{root}.uri")
        if catalog.warehouse:
            has_scheme = "://" in catalog.warehouse
            local = catalog.type == "sql" and not has_scheme
            warehouse = self.path(catalog.warehouse).as_uri() if local else catalog.warehouse
            fields["warehouse"] = (warehouse, f"{root}.warehouse")
        return fields

    def iceberg_catalog_properties(self) -> dict[str, str]:
        """The properties for ``pyiceberg.catalog.load_catalog(name, **properties)``.

        For the embedded SQL catalog, a relative SQLite path and a relative warehouse folder
        resolve against floe.yaml's directory (``sqlite:///.floe/catalog.db`` becomes
        ``sqlite:////abs/.floe/catalog.db?timeout=30``, the warehouse a ``file://`` URI); the
        timeout lets parallel steps wait for SQLite's lock instead of failing.
        """
        return {key: value for key, (value, _) in self.iceberg_catalog_fields().items()}

    def late_bound(self, value: Any, path: str) -> EnvValue | None:
        """How ``value`` (taken from the floe.yaml key ``path``) should travel: its EnvValue
        when it came from the environment unchanged, so that only its variable's name leaves
        this process; None when it is a literal, a default written in floe.yaml, or a value
        floe changed (a relative local path made absolute: a path is no secret)."""
        source = self.source.env_value(path)
        if source is None or not source.environmental:
            return None
        if isinstance(value, str):
            return source if value == source.resolved else None
        # a typed value (a number, a bool) travels by name only as a whole placeholder
        same = source.whole and typed_text(source.resolved) == value
        return source if same and type(typed_text(source.resolved)) is type(value) else None

    def dbt_setting(self, name: DbtSettingName) -> tuple[str | None, KeyPath]:
        """A dbt setting and the floe.yaml key it comes from: ``orchestration.dbt`` wins over
        ``transforms.dbt``, key by key (the one place that decides it).

        >>> config.dbt_setting("project_dir")  # doctest: +SKIP
        ('dbt', ('transforms', 'dbt', 'project_dir'))
        """
        orchestration = self.orchestration.dbt
        value = getattr(orchestration, name, None) if orchestration else None
        if value:
            return value, ("orchestration", "dbt", name)
        transforms = self.transforms.dbt
        value = getattr(transforms, name, None) if transforms else None
        return value, ("transforms", "dbt", name)

    @property
    def dbt_project_dir(self) -> str | None:
        return self.dbt_setting("project_dir")[0]

    @property
    def dbt_manifest_path(self) -> str | None:
        if self.orchestration.dbt is None:
            return None
        if self.orchestration.dbt.manifest_path:
            return self.orchestration.dbt.manifest_path
        project = self.dbt_project_dir
        return f"{project}/target/manifest.json" if project else None


DbtSettingName = Literal["project_dir", "profiles_dir", "target"]


def state_directory(config: FloeConfig, env: Mapping[str, str]) -> Path:
    """Where one code location keeps its state: ``$FLOE_STATE_DIR`` if set, else ``.floe``
    next to floe.yaml (the Dagster instance of ``floe dev``, dbt's target, observability)."""
    configured = env.get(STATE_ENV)
    return Path(configured).absolute() if configured else config.path(".floe")
