"""``floe dev``'s preparation (no server started): the instance it writes, the environment of
every Dagster process, and ``--postgres`` URLs and their errors."""

from __future__ import annotations

import argparse
import io
import socket
import time
from pathlib import Path

import pytest
import yaml
from projects import write_project

from floe_config import IssueCode, load_config
from floe_dagster._project import STARTER_DEFINITIONS
from floe_dagster.cli._dev import (
    ARTIFACT_ENV,
    CATALOG_URI_ENV,
    DAGSTER_POSTGRES_ENV,
    MARKER,
    prepare,
    write_instance,
)
from floe_dagster.cli._init import InitError
from floe_dagster.cli._postgres import PostgresError, ensure_databases, postgres_target
from floe_dagster.cli._term import Style, progress


def _options(floe_yaml: Path, *extra: str) -> argparse.Namespace:
    from floe_dagster.cli._commands import _parser  # noqa: PLC0415

    return _parser().parse_args(["dev", str(floe_yaml), *extra])


def test_prepare_puts_every_piece_of_state_next_to_floe_yaml(tmp_path: Path) -> None:
    floe_yaml = write_project(tmp_path, "dev_tiny")
    command, env = prepare(_options(floe_yaml, "-p", "3123"), {"PATH": "/usr/bin"})
    state = floe_yaml.parent / ".floe"
    assert env["FLOE_STATE_DIR"] == str(state)
    assert env["DAGSTER_HOME"] == str(state / "dagster")
    assert Path(env[ARTIFACT_ENV]).is_file()
    assert (state / "dagster" / "dagster.yaml").read_text().startswith(MARKER)
    assert "storage" not in (state / "dagster" / "dagster.yaml").read_text()  # SQLite
    assert command[1:4] == ["dev", "-w", str(state / "workspace.yaml")]
    assert command[-4:] == ["-h", "127.0.0.1", "-p", "3123"]
    [entry] = yaml.safe_load((state / "workspace.yaml").read_text())["load_from"]
    where = {"working_directory": str(floe_yaml.parent), "location_name": "tiny"}  # its name
    assert entry == {"python_module": {"module_name": "floe_dagster.code_location", **where}}
    (floe_yaml.parent / "definitions.py").write_text(STARTER_DEFINITIONS)  # as `floe init` does
    prepare(_options(floe_yaml, "-p", "3123"), {"PATH": "/usr/bin"})
    [entry] = yaml.safe_load((state / "workspace.yaml").read_text())["load_from"]
    definitions = str(floe_yaml.parent / "definitions.py")
    assert entry == {"python_file": {"relative_path": definitions, **where}}


def test_a_port_another_server_has_stops_floe_dev_before_it_starts(tmp_path: Path) -> None:
    """A second ``floe dev`` on the same port: ``dagster dev`` would start its daemon, announce
    the UI and run on without one (uvicorn cannot bind). floe refuses first, with the port."""
    floe_yaml = write_project(tmp_path, "dev_tiny")
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(SystemExit) as refused:
            prepare(_options(floe_yaml, "-p", str(port)), {"PATH": "/usr/bin"})
        said = str(refused.value.code)
        assert said.startswith(
            f"floe dev: the Dagster UI cannot listen on 127.0.0.1:{port}: Address already in use"
        ), said
        assert "pass a free port with -p" in said
        assert not (floe_yaml.parent / ".floe").exists()  # nothing compiled, nothing written
        with pytest.raises(SystemExit, match=r"cannot listen on no-such-host\.invalid:"):
            prepare(_options(floe_yaml, "--host", "no-such-host.invalid"), {"PATH": "/usr/bin"})
    command, _ = prepare(_options(floe_yaml, "-p", str(port)), {"PATH": "/usr/bin"})  # free now
    assert command[-2:] == ["-p", str(port)]


def test_inside_a_dg_project_dg_dev_serves_it_unless_standalone(tmp_path: Path) -> None:
    floe_yaml = write_project(tmp_path / "shop_project" / "defs" / "shop", "dev_tiny")
    (tmp_path / "shop_project" / "pyproject.toml").write_text("[tool.dg]\n")
    with pytest.raises(InitError) as refused:
        prepare(_options(floe_yaml), {"PATH": "/usr/bin"})
    [issue] = refused.value.issues
    assert issue.code == IssueCode.IN_DG_PROJECT
    assert f"run `dg dev` in {tmp_path / 'shop_project'}" in (issue.hint or "")
    assert not (floe_yaml.parent / ".floe").exists()
    _, env = prepare(_options(floe_yaml, "--standalone"), {"PATH": "/usr/bin"})
    assert env["FLOE_STATE_DIR"] == str(floe_yaml.parent / ".floe")


def test_a_dagster_yaml_floe_did_not_write_is_kept(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry: {enabled: false}\n# mine\n")
    write_instance(home, None)
    assert (home / "dagster.yaml").read_text().endswith("# mine\n")
    with pytest.raises(SystemExit, match="was not written by floe"):
        write_instance(home, postgres_target("postgresql://postgres@/?host=/tmp/pg"))


def test_postgres_urls_name_psycopg2_and_keep_the_password_out_of_sight() -> None:
    target = postgres_target("postgresql://floe:s3cret-pw@db.internal:5432/?iceberg_db=lake")
    assert target.dagster_url == "postgresql+psycopg2://floe:s3cret-pw@db.internal:5432/dagster"
    assert target.iceberg_url == "postgresql+psycopg2://floe:s3cret-pw@db.internal:5432/lake"
    assert "s3cret" not in target.shown
    socket = postgres_target("postgres://postgres@/?host=/tmp/pg")
    assert socket.dagster_url == "postgresql+psycopg2://postgres@/dagster?host=%2Ftmp%2Fpg"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@/", "needs a PostgreSQL URL, got scheme 'mysql'"),
        ("not a url", "is not a database URL"),
        ("postgresql://p@/?dagster_db=x&iceberg_db=x", "give the Dagster instance and the"),
    ],
)
def test_a_wrong_postgres_url_says_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(PostgresError, match=message):
        postgres_target(url)


def test_an_unreachable_server_is_one_clear_error(tmp_path: Path) -> None:
    target = postgres_target(f"postgresql://floe:s3cret-pw@/?host={tmp_path}")
    with pytest.raises(PostgresError) as raised:
        ensure_databases(target)
    text = str(raised.value)
    assert text.startswith("cannot use PostgreSQL at postgresql+psycopg2://floe:***@/")
    assert "s3cret" not in text


def test_the_catalog_url_with_a_password_is_a_secret(tmp_path: Path) -> None:
    floe_yaml = write_project(
        tmp_path,
        "dev_secret",
        floe_yaml="name: s\nstorage:\n  catalog:\n    type: sql\n"
        "    uri: ${FLOE_CATALOG_URI:sqlite:///.floe/catalog.db}\n",
    )
    url = "postgresql+psycopg2://floe:s3cret-pw@db/iceberg"
    config = load_config(floe_yaml, env={CATALOG_URI_ENV: url})
    assert "s3cret" not in repr(config)
    assert config.source.secret_paths == {"storage.catalog.uri": (CATALOG_URI_ENV,)}
    assert DAGSTER_POSTGRES_ENV == "FLOE_DAGSTER_POSTGRES_URL"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_updates_one_line_on_a_terminal_and_stays_out_of_a_pipe() -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    with progress("dbt parse of shop", stream=terminal):
        time.sleep(0.5)
    with progress("dbt parse of shop", stream=pipe):
        pass
    assert "\r| dbt parse of shop 0s" in terminal.getvalue()
    assert terminal.getvalue().rstrip().split("\r")[-1].startswith("dbt parse of shop: done in")
    assert pipe.getvalue() == ""  # a pipe gets what the command says, no progress
    with pytest.raises(ValueError, match="dbt said no"), progress("failing", stream=terminal):
        raise ValueError("dbt said no")
    assert terminal.getvalue().splitlines()[-1].lstrip("\r").startswith("failing: failed in")
    assert not Style(pipe, env={}).enabled
    assert Style(terminal, env={}).red("x") == "\033[31mx\033[0m"
