"""``FloeComponent``: a floe.yaml as a component of a ``dg`` project.

Its state (``state.py``) is what a run needs and is slow to make: the compiled artifact and
the dbt manifest of floe's own ``dbt parse``. When it is made:

- ``dg utils refresh-defs-state`` makes it (CI, or the build of an image);
- under ``dg`` and ``dagster dev`` (``DAGSTER_IS_DEV_CLI``), a load makes it again only when
  floe.yaml, a file of the dbt project or a variable they read differs from the fingerprint
  stored with it. Dagster's own rule would rebuild it on every ``dg`` command;
- never in a run worker or a step process (a reconstruction): they read it.

Without ``DAGSTER_IS_DEV_CLI`` (``dagster api grpc``, a deployment), a missing state, and a
state made from another floe.yaml or dbt project, are errors that say to run
``dg utils refresh-defs-state``.

Errors: every floe problem ends in one ``FloeComponentError`` whose message is floe's
``file:line:col ... fix:`` lines, raised ``from None`` at the component's boundary so that
floe's part of the stack trace Dagster prints is one frame (a deliberate exception to
chaining every error: the chain would only repeat the same lines between frames of floe).
"""

import asyncio
import logging
import os
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Self

from dagster import (
    ComponentLoadContext,
    Definitions,
    Resolvable,
    Resolver,
    StateBackedComponent,
    scaffold_with,
)
from dagster.components import DefsStateConfig, DefsStateConfigArgs

from floe_config import ConfigIssue, FloeError, IssueCode, resolve
from floe_dagster._assets import Elsewhere
from floe_dagster._component.outside import elsewhere_in_project, floe_components
from floe_dagster._component.scaffold import FloeScaffolder
from floe_dagster._component.state import MANIFEST_NAME, REFRESH, ComponentState, make_state
from floe_dagster._dagster_internals import (
    dev_cli,
    initializing,
    local_state_path,
    record_state_version,
)
from floe_dagster._definitions import build_definitions
from floe_dagster._errors import FloeDagsterError

log = logging.getLogger("floe")

_LOADING: ContextVar[Any] = ContextVar("floe_component_loading", default=None)
"""The load context of the FloeComponent being loaded from a defs.yaml (see ``load``)."""

_REFRESHED_HINT = {
    IssueCode.MANIFEST_CHANGED,
    IssueCode.MISSING_MANIFEST,
    IssueCode.MANIFEST_NOT_FOUND,
    IssueCode.ARTIFACT_NOT_FOUND,
    IssueCode.ARTIFACT_VERSION,
    IssueCode.ARTIFACT_GRAMMAR,
    IssueCode.INVALID_ARTIFACT,
}
"""Problems of the state itself, which ``dg utils refresh-defs-state`` fixes."""
_NO_STATE = "the state (there is none)"
_UNREADABLE = "the state's format"


class FloeComponentError(FloeDagsterError):
    """A ``FloeComponent`` that cannot build its definitions, with every reason at once."""

    def heading(self) -> str:
        return f"{self.counted()} loading the floe component:"


@dataclass(frozen=True)
class Place:
    """Where a component stands: its floe.yaml, its defs.yaml and the ``dg`` project."""

    floe_yaml: Path
    defs_yaml: Path | None
    project_root: Path

    @classmethod
    def of(cls, config: str, context: Any) -> "Place":
        """``config`` relative to the defs.yaml's folder of ``context`` (a component's load
        context); without one (built in Python), relative to the working directory."""
        if context is None:
            return cls(Path(config).absolute(), None, Path.cwd())
        folder = Path(context.path)
        defs_yaml = folder / "defs.yaml" if folder.is_dir() else folder
        return cls(Path(os.path.normpath(folder / config)), defs_yaml, Path(context.project_root))

    def shown(self, path: Path) -> str:
        """``path`` as errors show it: relative to the project when it is inside it."""
        try:
            return Path(os.path.relpath(path, self.project_root)).as_posix()
        except ValueError:
            return str(path)

    @property
    def key(self) -> str:
        """The state's key: unique per floe.yaml, the same on every machine."""
        shown = self.shown(self.floe_yaml)
        return f"FloeComponent[{shown if not shown.startswith('..') else self.floe_yaml}]"

    def error(self, code: IssueCode, message: str, hint: str) -> "FloeComponentError":
        """The component's own error, located at its defs.yaml's ``type:`` line."""
        line = None
        if self.defs_yaml is not None and self.defs_yaml.is_file():
            text = self.defs_yaml.read_text(encoding="utf-8").splitlines()
            line = next((n for n, t in enumerate(text, 1) if t.startswith("type:")), None)
        where = self.shown(self.defs_yaml) if self.defs_yaml is not None else None
        return FloeComponentError(
            [ConfigIssue(code=code, path="", message=message, file=where, line=line, hint=hint)]
        )

    def relocated(self, issues: Iterable[ConfigIssue]) -> list[ConfigIssue]:
        """floe's issues with floe.yaml named from the project root, and the fix for a problem
        of the state itself being to write it again."""
        found = []
        for issue in issues:
            file = issue.file
            if file is not None:
                path = Path(file)
                path = path if path.is_absolute() else self.floe_yaml.parent / path
                file = self.shown(path) if path.exists() or path.name == "floe.yaml" else file
            hint = issue.hint
            if issue.code in _REFRESHED_HINT:
                hint = f"run `{REFRESH}` (it compiles floe.yaml and parses the dbt project)"
            found.append(replace(issue, file=file, hint=hint))
        return found


@scaffold_with(FloeScaffolder)
@dataclass
class FloeComponent(StateBackedComponent, Resolvable):
    """floe.yaml as Dagster definitions: dbt models as assets, jobs, schedules, sensors.

    Every dbt model, seed and snapshot is its own asset with its own trace span and lineage
    events; the jobs, schedules, sensors, partitions, automation and backfills floe.yaml
    declares are checked before they load.

    ``defs.yaml``::

        type: floe_dagster.FloeComponent
        attributes:
          config: floe.yaml          # relative to this defs.yaml's folder

    One per ``dg`` project: a code location has one floe.yaml. Its state is refreshed by
    ``dg utils refresh-defs-state``, and under ``dg`` when floe.yaml, the dbt project or a
    variable they read changed.
    """

    config: Annotated[
        str,
        Resolver.default(
            description="The floe.yaml, relative to this defs.yaml's folder.",
            examples=["floe.yaml", "../shop/floe.yaml"],
        ),
    ] = "floe.yaml"
    refresh_if_dev: Annotated[
        bool,
        Resolver.default(
            description="Under `dg` and `dagster dev`, compile floe.yaml and parse the dbt "
            "project again when floe.yaml, a dbt file or a variable they read changed "
            "(false: only `dg utils refresh-defs-state` does).",
        ),
    ] = True

    def __post_init__(self) -> None:
        self._place = Place.of(self.config, _LOADING.get())

    @classmethod
    def load(cls, attributes: Any, context: Any) -> Self:
        """Resolve the attributes as Dagster does, knowing the defs.yaml's folder: the state's
        key (which Dagster records as soon as the component is made) depends on it."""
        token = _LOADING.set(context)
        try:
            return super().load(attributes, context)
        finally:
            _LOADING.reset(token)

    @property
    def floe_yaml(self) -> Path:
        """The floe.yaml this component builds."""
        return self._place.floe_yaml

    @property
    def defs_state_config(self) -> DefsStateConfig:
        # refresh_if_dev is floe's own decision (``build_defs``), never Dagster's every-time one
        local = DefsStateConfigArgs.local_filesystem().model_copy(update={"refresh_if_dev": False})
        return DefsStateConfig.from_args(local, default_key=self._place.key)

    def write_state_to_path(self, state_path: Path) -> None:
        make_state(self.floe_yaml, state_path, os.environ)

    def build_defs(self, context: ComponentLoadContext) -> Definitions:
        try:
            self._one_per_project(context)
            if initializing():
                self._settle_state(context)
            return super().build_defs(context)
        except FloeError as error:
            raise FloeComponentError(self._place.relocated(error.issues)) from None

    def build_defs_from_state(
        self, context: ComponentLoadContext, state_path: Path | None
    ) -> Definitions:
        if state_path is None or not state_path.is_file():
            raise self._missing()
        state = ComponentState.read(state_path)
        artifacts = state.artifacts(self.floe_yaml)
        manifest = artifacts.dbt_manifest
        return build_definitions(
            resolve(artifacts, env=os.environ),
            manifest_path=state_path.with_name(MANIFEST_NAME) if manifest else None,
            manifest_sha256=manifest.sha256 if manifest else None,
            env=os.environ,
            elsewhere=Elsewhere(*elsewhere_in_project(context)),
        )

    def _settle_state(self, context: ComponentLoadContext) -> None:
        """At a code server's load: under ``dg`` with ``refresh_if_dev``, make the state again
        when what it was made from changed; otherwise refuse a state made from another
        floe.yaml or dbt project (a missing or unreadable one is reported when read)."""
        path = local_state_path(self._place.key, context.project_root)
        refresh = dev_cli() and self.refresh_if_dev
        changes = self._changes(path, refreshing=refresh)
        if not changes:
            return
        if refresh:
            version = asyncio.run(self.refresh_state(context.project_root))
            record_state_version(self._place.key, version)
            return
        if changes[0] in (_NO_STATE, _UNREADABLE):
            return
        raise self._place.error(
            IssueCode.COMPONENT_STATE_STALE,
            f"the state of {self._place.key} is stale: "
            f"{' and '.join(changes)} changed since it was made",
            f"run `{REFRESH}` (where the project is built: CI, the image)"
            + ("" if not dev_cli() else ", or set refresh_if_dev: true"),
        )

    def _changes(self, path: Path, *, refreshing: bool) -> list[str]:
        """What changed since the state at ``path`` was made, in words (empty: nothing). The
        environment and the manifest count only when a change can be refreshed here: a
        deployment's variables differ from CI's, and a changed manifest is its own error."""
        if not path.is_file():
            return [_NO_STATE]
        try:
            state = ComponentState.read(path)
        except FloeError:
            return [_UNREADABLE]
        if not self.floe_yaml.is_file():
            return ["floe.yaml"]  # the refresh reports it missing
        stored = state.fingerprint
        changes = stored.changes(stored.again(self.floe_yaml, os.environ), environment=refreshing)
        if not changes and refreshing and not state.manifest_matches(path.with_name(MANIFEST_NAME)):
            changes.append("the manifest")
        return changes

    def _missing(self) -> FloeComponentError:
        return self._place.error(
            IssueCode.COMPONENT_STATE_MISSING,
            f"no state for {self._place.key}: floe.yaml has not been compiled and its dbt "
            "project not parsed for this project",
            f"run `{REFRESH}` (in CI, or when building the image; under `dg`, keep "
            "refresh_if_dev on)",
        )

    def _one_per_project(self, context: ComponentLoadContext) -> None:
        """Refuse a second FloeComponent, naming every defs.yaml and floe.yaml."""
        every = floe_components(context, FloeComponent)
        if len(every) < 2:
            return
        places = sorted((c._place for c in every), key=lambda p: str(p.defs_yaml))
        named = "; ".join(
            f"{self._place.shown(p.defs_yaml) if p.defs_yaml else '?'} -> "
            f"{self._place.shown(p.floe_yaml)}"
            for p in places
        )
        raise self._place.error(
            IssueCode.TWO_FLOE_COMPONENTS,
            f"{len(every)} FloeComponents in one dg project ({named}); a code location has one "
            "floe.yaml, whose resources, jobs and assets would clash with another's",
            "keep one FloeComponent per dg project (one floe.yaml holds one dbt project) and "
            "give the other dbt project a dg project, and code location, of its own",
        )
