"""``floe dev``: one floe.yaml in the Dagster UI, with every piece of state in one directory.

It checks floe.yaml (the whole code-location load, so a mistake shows here and not as a red
code location in the UI), compiles it into the state directory, writes the instance's
``dagster.yaml`` and replaces itself with ``dagster dev`` (webserver and daemon) on
127.0.0.1, loading floe's own code location (``floe_dagster.code_location``). Ctrl-C stops the
webserver, the daemon and the code server.

State: ``$FLOE_STATE_DIR``, else ``.floe/`` next to floe.yaml. Under it: ``dagster/`` (the
instance), ``compiled_artifacts.json``, and whatever floe.yaml's storage paths say (the
``.floe/...`` defaults ``floe init`` writes: the catalog, the warehouse, DuckDB), dbt's target
and the observability files.

Inside a ``dg`` project it stops and says that ``dg dev`` serves it (``--standalone`` serves
the floe.yaml alone anyway).

``--postgres URL`` moves the instance's storage and the Iceberg catalog to PostgreSQL (see
``_postgres``). The URL travels through the environment of the processes that need it:
``dagster.yaml`` names only the variable, so no password is written to disk.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

from floe_config import STATE_ENV, FloeConfig, load_config, state_directory
from floe_dagster._project import ARTIFACT_ENV, compile_project, dg_project_of
from floe_dagster.cli._init import in_dg_project
from floe_dagster.cli._postgres import PostgresTarget, ensure_databases, postgres_target
from floe_dagster.cli._term import parsing_again, progress

HOST = "127.0.0.1"
PORT = 3000
CODE_LOCATION = "floe_dagster.code_location"
DEFINITIONS_FILE = "definitions.py"  # what `floe init` writes beside floe.yaml
CATALOG_URI_ENV = "FLOE_CATALOG_URI"
DAGSTER_POSTGRES_ENV = "FLOE_DAGSTER_POSTGRES_URL"
MARKER = "# Written by `floe dev`"
EARLIER_MARKERS = (MARKER, "# Written by //demo:dagster_dev")
"""The first line of a dagster.yaml that floe wrote (and may rewrite); the demo's launcher
wrote the second before ``floe dev`` existed."""

SQLITE_INSTANCE = f"""\
{MARKER}: the instance stores runs, events and schedules in SQLite here.
telemetry:
  enabled: false
"""
POSTGRES_INSTANCE = f"""\
{MARKER} --postgres: runs, events and schedules live in PostgreSQL.
# The URL (and any password in it) comes from the environment, never from this file.
telemetry:
  enabled: false
storage:
  postgres:
    postgres_url:
      env: {DAGSTER_POSTGRES_ENV}
"""


def tcp_port(text: str) -> int:
    """``--port``: 1 to 65535 (the webserver would otherwise announce a port it cannot have)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (1 to 65535)")
    return port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", default="floe.yaml", type=Path)
    parser.add_argument("-p", "--port", type=tcp_port, default=PORT, help=f"default {PORT}")
    parser.add_argument("--host", default=HOST, help=f"default {HOST}")
    parser.add_argument("--manifest", type=Path, help="the dbt manifest (default: from config)")
    parser.add_argument(
        "--standalone",
        action="store_true",
        help="serve floe.yaml alone even inside a dg project (there, `dg dev` serves it)",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="keep the Dagster instance and the Iceberg catalog on this PostgreSQL server, "
        "e.g. postgresql://postgres@/?host=/tmp/pg",
    )


def instance_yaml(target: PostgresTarget | None) -> str:
    return POSTGRES_INSTANCE if target else SQLITE_INSTANCE


def write_instance(home: Path, target: PostgresTarget | None) -> None:
    """``home/dagster.yaml`` for the chosen storage. A file floe did not write is the user's:
    it is kept, and ``--postgres`` then refuses rather than silently ignoring it."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / "dagster.yaml"
    if path.exists() and not path.read_text().startswith(EARLIER_MARKERS):
        if target is not None:
            raise SystemExit(
                f"floe dev: {path} was not written by floe; --postgres would ignore it. "
                "Move it away, or put the storage in it yourself and drop --postgres"
            )
        return
    path.write_text(instance_yaml(target))


SUPERSEDED_DEV = "Function `dev_command` is superseded"
"""The start of the warning `dagster dev` prints on every start (a PYTHONWARNINGS filter)."""


def dev_environment(
    config: FloeConfig, env: Mapping[str, str], target: PostgresTarget | None
) -> dict[str, str]:
    """The environment of ``dagster dev`` and every process it starts."""
    state = state_directory(config, env)
    result = dict(env)
    result[STATE_ENV] = str(state)
    result["DAGSTER_HOME"] = str(state / "dagster")
    result[ARTIFACT_ENV] = str(state / "compiled_artifacts.json")
    if target is not None:
        result[DAGSTER_POSTGRES_ENV] = target.dagster_url
        result[CATALOG_URI_ENV] = target.iceberg_url
    paths = [*filter(None, result.get("PYTHONPATH", "").split(os.pathsep)), *sys.path]
    result["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(p for p in paths if p))
    result.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    # `dagster dev` says on every start that `dg dev` supersedes it; floe starts it on purpose
    # (a `dg` project gets `dg dev`), so that one message is noise. Nothing else is silenced.
    quiet = [result.get("PYTHONWARNINGS", ""), f"ignore:{SUPERSEDED_DEV}"]
    result["PYTHONWARNINGS"] = ",".join(filter(None, quiet))
    return result


def _check_catalog_follows(config: FloeConfig) -> None:
    """Warn when floe.yaml's catalog does not read ``$FLOE_CATALOG_URI`` (it stays put)."""
    uri, path = config.iceberg_catalog_fields()["uri"]
    late = config.late_bound(uri, path)
    if late is None or CATALOG_URI_ENV not in late.from_env:
        print(
            f"floe dev: warning: storage.catalog.uri does not read ${{{CATALOG_URI_ENV}}}, so "
            "the Iceberg catalog stays where floe.yaml puts it; write "
            f"uri: ${{{CATALOG_URI_ENV}:sqlite:///.floe/catalog.db}} to let --postgres move it",
            file=sys.stderr,
        )


def unlistenable(host: str, port: int) -> str | None:
    """Why the webserver could not listen on ``host:port`` (another server has it, say a second
    ``floe dev``; a host that is not this machine's), or None. Checked before anything starts:
    ``dagster dev`` would run on without its UI. The probe binds as uvicorn does, with
    ``SO_REUSEADDR``, so a port a server just let go of counts as free, as it is for uvicorn."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:  # socket.gaierror too
        return error.strerror or str(error)
    return None


def prepare(
    options: argparse.Namespace, env: Mapping[str, str]
) -> tuple[list[str], dict[str, str]]:
    """Everything before ``dagster dev`` starts: returns its command line and environment."""
    source = options.config.absolute()
    root = None if options.standalone else dg_project_of(source.parent)
    if root is not None:
        raise in_dg_project(
            root,
            source.parent,
            "floe dev",
            f"run `dg dev` in {root} (its FloeComponent loads {source.name}; README: In a dg "
            "project), or pass --standalone to serve this floe.yaml alone",
        )
    refused = unlistenable(options.host, options.port)
    if refused is not None:
        raise SystemExit(
            f"floe dev: the Dagster UI cannot listen on {options.host}:{options.port}: "
            f"{refused}\n    fix: stop what listens there (another `floe dev`?), or pass a free "
            "port with -p (and an address of this machine with --host)"
        )
    target = postgres_target(options.postgres) if options.postgres else None
    first = load_config(source, env=env)
    environment = dev_environment(first, env, target)
    config = load_config(source, env=environment)
    if target is not None:
        _check_catalog_follows(config)
    state = Path(environment[STATE_ENV])
    state.mkdir(parents=True, exist_ok=True)
    artifact = Path(environment[ARTIFACT_ENV])
    with progress(f"compiling {source.name}"):
        manifest = compile_project(
            config,
            output=artifact,
            env=environment,
            manifest=options.manifest,
            parsing=parsing_again,
        )
    from floe_dagster._definitions import build_definitions  # noqa: PLC0415 - Dagster is slow

    with progress("loading the code location"):
        build_definitions(config, manifest_path=manifest, env=environment)  # every error, now
    if target is not None:
        created = ensure_databases(target)
        made = f" (created {', '.join(created)})" if created else ""
        print(
            f"floe dev: PostgreSQL {target.shown}: databases {target.dagster_database} and "
            f"{target.iceberg_database}{made}",
            file=sys.stderr,
        )
    write_instance(Path(environment["DAGSTER_HOME"]), target)
    workspace = write_workspace(state, config.name, source.parent)
    dagster = str(Path(sys.executable).parent / "dagster")
    command = [dagster, "dev", "-w", str(workspace), "-h", options.host, "-p", str(options.port)]
    return command, environment


def write_workspace(state: Path, name: str, working_directory: Path) -> Path:
    """``state/workspace.yaml``: the code location, named after floe.yaml's ``name`` (the name
    the UI, run tags and GraphQL selectors use). It is the project's ``definitions.py`` beside
    floe.yaml when there is one (``floe init`` writes it; whatever a user adds there loads),
    else floe's own module."""
    workspace = state / "workspace.yaml"
    where = {"working_directory": str(working_directory), "location_name": name}
    definitions = working_directory / DEFINITIONS_FILE
    if definitions.is_file():
        entry = {"python_file": {"relative_path": str(definitions), **where}}
    else:
        entry = {"python_module": {"module_name": CODE_LOCATION, **where}}
    text = "# written by `floe dev` on every start\n" + json.dumps({"load_from": [entry]}, indent=2)
    workspace.write_text(text + "\n", encoding="utf-8")
    return workspace


def dev(options: argparse.Namespace) -> int:
    """``floe dev``: prepare, then become ``dagster dev`` (never returns on success)."""
    command, environment = prepare(options, os.environ)
    state = environment[STATE_ENV]
    print(
        f"floe dev: Dagster UI at http://{options.host}:{options.port}  "
        f"(state in {state}; Ctrl-C stops it)",
        flush=True,
    )
    # A launcher that inherited ignored signals would pass them on; dagster dev must see them.
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    os.execve(command[0], command, environment)
    return 0  # not reached
