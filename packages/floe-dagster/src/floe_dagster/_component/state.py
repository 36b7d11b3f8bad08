"""The state a ``FloeComponent`` loads from, and the fingerprint that says when it is stale.

The state is what a run needs and is slow to make: floe.yaml compiled into its artifact, and
the dbt manifest floe's own ``dbt parse`` wrote. It is two files in the folder Dagster gives
the component (``<defs>/.local_defs_state/<key>/``): ``state``, a JSON document holding the
artifact and the fingerprint, and ``manifest.json`` beside it. Nothing here imports Dagster.

The fingerprint is three hashes: floe.yaml's bytes; floe.yaml and every file of its dbt
project (``project``); and the values of every environment variable they read (floe.yaml's
placeholders, ``env_var()`` in the dbt files, ``FLOE_STATE_DIR`` and dbt's own ``DBT_*``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from floe_config import (
    DEFAULT_ARTIFACT_NAME,
    STATE_ENV,
    CompiledArtifacts,
    ConfigIssue,
    FloeConfigError,
    IssueCode,
    artifacts_from_json,
    compile_artifacts,
    load_config,
)
from floe_dagster._project import dbt_project_folder, parse
from floe_dbt import install_packages

STATE_FORMAT = 1
"""The layout of the ``state`` document; another one is rebuilt, never read."""
MANIFEST_NAME = "manifest.json"
REFRESH = "dg utils refresh-defs-state"
"""The command that writes a component's state (in CI, or when building an image)."""

_SKIPPED_FOLDERS = frozenset({"target", "dbt_packages", "logs", "__pycache__", "node_modules"})
_ENV_VAR = re.compile(rb"""env_var\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]""")
_ENV_VAR_FILES = frozenset({".sql", ".yml", ".yaml", ".py", ".jinja", ".md"})


def dbt_files(folder: Path) -> Iterator[Path]:
    """Every file of a dbt project that dbt reads, in a stable order: not dbt's output
    (``target/``, ``logs/``), not installed packages, not hidden folders (floe's ``.floe/``
    state, Dagster's ``.local_defs_state/``)."""
    for directory, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if f not in _SKIPPED_FOLDERS and f[0] != ".")
        for name in sorted(files):
            yield Path(directory, name)


def _digest(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(len(chunk).to_bytes(8, "big"))
        digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Fingerprint:
    """What a component's state was made from, as hashes (no value of any variable is kept)."""

    floe_yaml: str
    """sha256 of floe.yaml."""
    project: str
    """sha256 of floe.yaml and of every file of its dbt project (paths and bytes)."""
    environment: str
    """sha256 of the values of ``variables`` and of every ``DBT_*`` variable set."""
    dbt_project: str | None
    """The dbt project's folder, relative to floe.yaml's (None without dbt)."""
    variables: tuple[str, ...]
    """The environment variables floe.yaml and the dbt files read."""

    @classmethod
    def of(
        cls,
        floe_yaml: Path,
        *,
        dbt_project: Path | None,
        variables: Iterable[str],
        env: Mapping[str, str],
    ) -> Fingerprint:
        """Hash floe.yaml, the dbt project's files and the environment they read."""
        text = floe_yaml.read_bytes()
        chunks = [text]
        names = {*variables, STATE_ENV}
        if dbt_project is not None and dbt_project.is_dir():
            for file in dbt_files(dbt_project):
                data = file.read_bytes()
                chunks += [file.relative_to(dbt_project).as_posix().encode(), data]
                if file.suffix in _ENV_VAR_FILES:
                    names.update(m.decode() for m in _ENV_VAR.findall(data))
        names.update(name for name in env if name.startswith("DBT_"))
        environment = json.dumps(sorted((n, env.get(n)) for n in names)).encode()
        return cls(
            floe_yaml=hashlib.sha256(text).hexdigest(),
            project=_digest(chunks),
            environment=hashlib.sha256(environment).hexdigest(),
            dbt_project=(
                os.path.relpath(dbt_project, floe_yaml.parent) if dbt_project is not None else None
            ),
            variables=tuple(sorted(names - {n for n in env if n.startswith("DBT_")})),
        )

    def again(self, floe_yaml: Path, env: Mapping[str, str]) -> Fingerprint:
        """The same fingerprint taken now, over the same dbt project and variables."""
        project = floe_yaml.parent / self.dbt_project if self.dbt_project is not None else None
        return Fingerprint.of(floe_yaml, dbt_project=project, variables=self.variables, env=env)

    def changes(self, now: Fingerprint, *, environment: bool = True) -> list[str]:
        """What differs in ``now``, in words (empty: nothing the state depends on changed)."""
        if self.floe_yaml != now.floe_yaml:
            return ["floe.yaml"]
        found = []
        if self.project != now.project:
            found.append(f"the dbt project's files ({self.dbt_project})")
        if environment and self.environment != now.environment:
            found.append("the environment variables floe.yaml or dbt read")
        return found


@dataclass(frozen=True)
class ComponentState:
    """What ``state`` holds: the fingerprint, and the compiled artifact as JSON."""

    fingerprint: Fingerprint
    artifact: dict[str, Any]

    def write(self, path: Path) -> None:
        document = {
            "floe_component_state": STATE_FORMAT,
            "fingerprint": asdict(self.fingerprint),
            "artifact": self.artifact,
        }
        aside = path.with_name(f".{path.name}.{os.getpid()}")  # whole, or not at all
        aside.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        os.replace(aside, path)

    @classmethod
    def read(cls, path: Path) -> ComponentState:
        """The state at ``path``; ``FloeConfigError`` (``component_state_invalid``) when it is
        not one this floe wrote."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if document.get("floe_component_state") != STATE_FORMAT:
                raise ValueError(f"not a floe component state of format {STATE_FORMAT}")
            fingerprint = document["fingerprint"]
            return cls(
                Fingerprint(**{**fingerprint, "variables": tuple(fingerprint["variables"])}),
                dict(document["artifact"]),
            )
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise FloeConfigError(
                [
                    ConfigIssue(
                        code=IssueCode.COMPONENT_STATE_INVALID,
                        path="",
                        file=str(path),
                        message=f"not a state this floe can read ({type(e).__name__}: {e})",
                        hint=f"run `{REFRESH}` to write it again",
                    )
                ]
            ) from e

    def manifest_matches(self, manifest: Path) -> bool:
        """Whether ``manifest`` is the one the artifact was compiled against (or none is)."""
        record = self.artifact.get("dbt_manifest")
        if not isinstance(record, dict):
            return True
        if not manifest.is_file():
            return False
        return hashlib.sha256(manifest.read_bytes()).hexdigest() == record.get("sha256")

    def artifacts(self, floe_yaml: Path) -> CompiledArtifacts:
        """The artifact, placed beside floe.yaml (where its relative paths start)."""
        return artifacts_from_json(
            self.artifact, location=floe_yaml.parent / DEFAULT_ARTIFACT_NAME, rebuild=REFRESH
        )


def make_state(floe_yaml: Path, state_path: Path, env: Mapping[str, str]) -> ComponentState:
    """Parse floe.yaml's dbt project into ``manifest.json`` beside ``state_path``, compile
    floe.yaml against it and write ``state_path``. Raises a ``FloeError`` for a floe.yaml, a dbt
    project or a manifest that floe cannot use.

    The fingerprint is taken first: a file changed while this runs makes the next load
    refresh again, never keep a state older than what it says it was made from."""
    config = load_config(floe_yaml, env=env)
    project = dbt_project_folder(config)
    if project is not None and config.dbt_manifest_path:  # dbt deps writes package-lock.yml
        install_packages(project, lock_dir=state_path.parent, env=env)
    fingerprint = Fingerprint.of(
        floe_yaml,
        dbt_project=project,
        variables=(v.name for v in config.source.variables),
        env=env,
    )
    state_path.parent.mkdir(parents=True, exist_ok=True)
    manifest = None
    if config.dbt_manifest_path:
        manifest = parse(config, env, destination=state_path.with_name(MANIFEST_NAME))
    compiled = compile_artifacts(
        floe_yaml, output=floe_yaml.parent / DEFAULT_ARTIFACT_NAME, manifest=manifest
    )
    state = ComponentState(fingerprint, compiled.model_dump(mode="json"))
    state.write(state_path)
    return state
