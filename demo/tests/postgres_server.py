"""A throwaway PostgreSQL server for tests, from Debian's binaries.

``initdb`` and ``pg_ctl`` keep the cluster under the given directory (the test's
``$TEST_TMPDIR``). The server listens on an abstract Unix socket only (``@name``: no TCP, no
file, no path-length limit) and asks for a password (SCRAM), so a test sees the password
travel. When the binaries are missing, ``server_binaries`` installs Debian's ``postgresql``
with apt, as ``tools/bazel`` installs Bazel: a missing server is never a skip.

PostgreSQL refuses to run as root. As root, the server runs as the ``postgres`` user that
Debian's package creates, with one ambient capability (``CAP_DAC_READ_SEARCH``) so that it can
reach a data directory below root's home without any permission on the machine changing.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

INSTALL_TIMEOUT = 900
SERVER_USER = "postgres"


def _installed() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parts[-3])
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def server_binaries() -> Path:
    """The folder of ``initdb``/``pg_ctl``, installing Debian's server first when missing."""
    found = _installed()
    if found is not None:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = [*sudo, "apt-get", "install", "-y", "--no-install-recommends", "postgresql"]
    outputs = []
    for command in ([*sudo, "apt-get", "update"], install):
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
        )
        outputs.append(result.stdout[-2000:] + result.stderr[-2000:])
    found = _installed()
    assert found is not None, "installing PostgreSQL failed:\n" + "\n".join(outputs)
    return found


class PostgresServer:
    """One cluster under ``root``; ``start()``/``stop()`` may be called again and again."""

    def __init__(self, root: Path) -> None:
        self.bin = server_binaries()
        self.root = root
        self.data = root / "data"
        self.log = root / "server.log"
        self.socket = f"floe-test-{secrets.token_hex(6)}"
        self.password = f"pw-{secrets.token_hex(12)}"
        self._as_root = os.geteuid() == 0
        root.mkdir(parents=True, exist_ok=True)
        self._initdb()

    @property
    def url(self) -> str:
        """The server for ``floe dev --postgres`` (libpq's ``host=@name``: the abstract socket)."""
        return f"postgresql://postgres:{self.password}@/?host=%40{self.socket}"

    def database_url(self, database: str) -> str:
        """``database`` as a psycopg2 URL (what Dagster and the catalog are given)."""
        return f"postgresql+psycopg2://postgres:{self.password}@/{database}?host=%40{self.socket}"

    def _command(self, *command: str) -> list[str]:
        """``command`` as the server's user (PostgreSQL's tools refuse to run as root)."""
        if not self._as_root:
            return list(command)
        return [
            "setpriv",
            f"--reuid={SERVER_USER}",
            f"--regid={SERVER_USER}",
            "--init-groups",
            "--inh-caps=+dac_read_search",
            "--ambient-caps=+dac_read_search",
            *command,
        ]

    def _run(self, *command: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            self._command(*command), capture_output=True, text=True, timeout=timeout, check=False
        )
        assert result.returncode == 0, f"{command[0]} failed:\n{result.stdout}{result.stderr}"
        return result

    def _initdb(self) -> None:
        self.data.mkdir(mode=0o700)
        secret = self.root / "pwfile"
        secret.write_text(self.password + "\n")
        if self._as_root:
            shutil.chown(self.data, SERVER_USER, SERVER_USER)
            shutil.chown(secret, SERVER_USER, SERVER_USER)
            shutil.chown(self.root, SERVER_USER, SERVER_USER)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=scram-sha-256",
            f"--pwfile={secret}",
            "--no-sync",
        )
        secret.unlink()

    def start(self) -> None:
        options = (
            f"-c listen_addresses='' -c unix_socket_directories=@{self.socket} "
            "-c fsync=off -c max_connections=200"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends sessions cleanly; ``immediate`` is a crash (no shutdown checkpoint)."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        status = subprocess.run(
            self._command(str(self.bin / "pg_ctl"), "-D", str(self.data), "status"),
            capture_output=True,
            check=False,
        )
        return status.returncode == 0
