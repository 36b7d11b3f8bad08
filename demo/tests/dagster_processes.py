"""Real Dagster processes for the demo's tests: the webserver, or webserver and daemon
(``dagster dev``), on 127.0.0.1 and a free port, bounded in time, stopped with their children."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster_http import graphql
from demo_env import free_port

STARTUP_SECONDS = 180


@contextmanager
def dagster_server(
    env: dict[str, str],
    log: Path,
    *,
    module: str,
    daemon: bool = False,
    location: str | None = None,
) -> Iterator[str]:
    """``dagster-webserver`` (or ``dagster dev``, webserver and daemon, when ``daemon``) for
    ``module`` on 127.0.0.1:<free port>; yields its URL; stops the whole process group. The
    code location is named ``location`` (as ``floe dev`` names it after floe.yaml's ``name``),
    else after the module."""
    port = free_port()
    bin_dir = Path(sys.executable).parent
    env = dict(env, PYTHONPATH=os.pathsep.join(p for p in [env.get("PYTHONPATH"), *sys.path] if p))
    program = [str(bin_dir / "dagster"), "dev"] if daemon else [str(bin_dir / "dagster-webserver")]
    target = ["-m", module]
    if location is not None:
        workspace = log.with_name(f"{log.stem}.workspace.yaml")
        entry = {"python_module": {"module_name": module, "location_name": location}}
        workspace.write_text(json.dumps({"load_from": [entry]}))
        target = ["-w", str(workspace)]
    command = [*program, "-h", "127.0.0.1", "-p", str(port), *target]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                assert process.poll() is None, log.read_text()[-3000:]
                try:
                    with urllib.request.urlopen(f"{url}/server_info", timeout=2):
                        break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    assert time.monotonic() < deadline, "the webserver did not start in time"
                    time.sleep(0.5)
            yield url
        finally:
            stop(process)


def stop(process: subprocess.Popen[Any]) -> None:
    """SIGINT to the whole group (as Ctrl-C), then SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGINT, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def until(what: str, condition: Callable[[], Any], log: Path, seconds: float) -> Any:
    """``condition()``'s first truthy value, polled each second; fails after ``seconds`` with
    the end of ``log`` (the processes' output)."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, (
            f"{what} within {seconds:.0f}s\n{log.read_text()[-4000:]}"
        )
        time.sleep(1)


def wait_for_repository(url: str, query: str) -> dict[str, Any]:
    """Query until the code location has loaded (right after startup it may still load)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        data = graphql(url, query)
        if data["repositoriesOrError"].get("nodes") or time.monotonic() > deadline:
            return data
        time.sleep(1)
