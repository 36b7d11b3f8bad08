"""The Dagster webserver on a free loopback port serves the demo; schedules follow the env.

SC-004: the same floe.yaml (the same compiled artifact) under two environments.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from demo_env import BRONZE, GOLD, MODULE, SILVER, demo_environment, free_port

QUERY = """
{
  assetNodes { assetKey { path } groupName dependencyKeys { path } }
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes { jobs { name } schedules { name scheduleState { status } } }
    }
  }
}
"""
STARTUP_SECONDS = 180


@contextmanager
def webserver(env: dict[str, str], log: Path) -> Iterator[str]:
    """``dagster-webserver`` on 127.0.0.1:<free port>; stopped (whole group) on exit."""
    port = free_port()
    webserver_bin = str(Path(sys.executable).parent / "dagster-webserver")
    env = dict(env, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    command = [webserver_bin, "-h", "127.0.0.1", "-p", str(port), "-m", MODULE]
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
                    assert time.monotonic() < deadline, "webserver did not start in time"
                    time.sleep(0.5)
            yield url
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def graphql(url: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps({"query": QUERY}).encode(),
        headers={"Content-Type": "application/json"},
    )
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:  # the code location may still be loading right after the server answers
        with urllib.request.urlopen(request, timeout=30) as response:
            data: dict[str, Any] = json.loads(response.read())["data"]
        repositories = data["repositoriesOrError"].get("nodes")
        if repositories or time.monotonic() > deadline:
            return data
        time.sleep(1)


def test_webserver_serves_the_assets_and_schedules_follow_the_environment(tmp_path: Path) -> None:
    statuses = {}
    for name, enabled in (("dev", "false"), ("prod", "true")):
        env = demo_environment(tmp_path / name, PIPELINE_SCHEDULE_ENABLED=enabled)
        with webserver(env, tmp_path / f"{name}.log") as url:
            data = graphql(url)
        nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
        assert set(nodes) == set(BRONZE + SILVER + GOLD)
        assert {d["path"][0] for d in nodes["customer_orders"]["dependencyKeys"]} == {
            "stg_customers",
            "stg_orders",
            "stg_order_items",
        }
        assert [d["path"][0] for d in nodes["stg_orders"]["dependencyKeys"]] == ["bronze_orders"]
        assert nodes["stg_orders"]["groupName"] == "silver"
        [repository] = data["repositoriesOrError"]["nodes"]
        jobs = {job["name"] for job in repository["jobs"]}
        assert {"bronze_refresh", "medallion_pipeline", "vacuum_tables"} <= jobs
        statuses[name] = {s["name"]: s["scheduleState"]["status"] for s in repository["schedules"]}
    assert statuses == {
        "dev": {"nightly_pipeline": "STOPPED", "weekly_vacuum": "STOPPED"},
        "prod": {"nightly_pipeline": "RUNNING", "weekly_vacuum": "STOPPED"},
    }
