"""Talking to a running Dagster webserver as its UI does: GraphQL over HTTP on 127.0.0.1
(shared by floe-dagster's and the demo's process tests)."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


def graphql(url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as error:  # the webserver's own words, not only "500"
        raise AssertionError(f"{error}: {error.read().decode(errors='replace')[-3000:]}") from None
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}
"""


def launch(url: str, location: str, job: str, tags: dict[str, str] | None = None) -> str:
    """Launch ``job`` of code location ``location`` as the UI's Launchpad does; its run id."""
    params = {
        "selector": {
            "repositoryLocationName": location,
            "repositoryName": "__repository__",
            "jobName": job,
        },
        "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]},
    }
    result = graphql(url, LAUNCH, {"params": params})["launchRun"]
    assert result["__typename"] == "LaunchRunSuccess", result
    run_id: str = result["run"]["runId"]
    return run_id


def run_status(url: str, run_id: str) -> str:
    """The run's status as the UI shows it (QUEUED, STARTED, SUCCESS, FAILURE, ...)."""
    query = f'{{ runOrError(runId: "{run_id}") {{ ... on Run {{ status }} }} }}'
    status: str = graphql(url, query)["runOrError"]["status"]
    return status


def served_assets(url: str, process: subprocess.Popen[Any], log: Path, seconds: float) -> list[str]:
    """The asset keys (``a/b``) the webserver at ``url`` serves, once its code location has
    loaded; fails with the end of ``log`` when ``process`` exits or ``seconds`` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            nodes = graphql(url, "{ assetNodes { assetKey { path } } }")["assetNodes"]
            if nodes:
                return sorted("/".join(n["assetKey"]["path"]) for n in nodes)
        except (urllib.error.URLError, ConnectionError, TimeoutError, AssertionError):
            pass  # not listening yet, or the location still loading
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(1)
