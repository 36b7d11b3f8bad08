"""A secret from the environment never leaves the process that needs it: not into the compiled
artifact, the code location's snapshot, any file of the state directory or Dagster's instance,
the dbt profile, logs or target, traces or lineage, captured output, or error text. The runs
still succeed, so the secret does reach the code that uses it.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from dagster._core.remote_representation.external_data import RepositorySnap
from dagster_shared.serdes import serialize_value
from demo_env import WHOLE_YEAR, compile_project, copy_demo, demo_environment, floe_validate

from floe_config import FloeConfigError, load_config
from floe_dagster import FloeDefinitions, cli_main

STORAGE = "    warehouse: ${FLOE_WAREHOUSE:.floe/warehouse}\n"
SECRET_STORAGE = STORAGE + (
    "    properties:\n"
    "      token: ${CATALOG_TOKEN}\n"  # a whole value: EnvVar("CATALOG_TOKEN")
    '      header: "Bearer ${CATALOG_TOKEN}"\n'  # inside a longer value: resolved late
)
DEMO_ALERT_ARGS = """\
        alerts_path: "${FLOE_ALERTS_PATH:}"
        webhook_url: "${ALERT_WEBHOOK_URL:}"
        auth_token: "${ALERT_TOKEN:}"
"""
ALERT_ARGS = """\
        job_name: medallion_pipeline
        webhook_url: http://127.0.0.1:${ALERT_PORT}/hooks/${CATALOG_TOKEN}
        auth_token: ${CATALOG_TOKEN}
"""


@contextmanager
def webhook() -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """A webhook receiver on 127.0.0.1: the one place the secret is meant to arrive."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
            )
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _dagster(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    dagster = str(Path(sys.executable).parent / "dagster")
    return subprocess.run(
        [dagster, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def _files_holding(secret: bytes, *roots: Path) -> list[str]:
    found = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink() and secret in path.read_bytes():
                found.append(str(path))
    return found


def test_a_secret_never_leaves_the_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = secrets.token_hex(16)  # 32 distinctive characters
    secret = token.encode()
    project = copy_demo(tmp_path / "root", "secret_shop")
    floe_yaml = project / "floe.yaml"
    text = floe_yaml.read_text().replace(STORAGE, SECRET_STORAGE)
    assert DEMO_ALERT_ARGS in text
    floe_yaml.write_text(text.replace(DEMO_ALERT_ARGS, ALERT_ARGS))
    state = tmp_path / "state"
    with webhook() as (port, received):
        env = demo_environment(
            state, CATALOG_TOKEN=token, ALERT_PORT=str(port), FLOE_DEMO_SCALE="0.1"
        )
        env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "root"), *filter(None, sys.path)])
        outputs: list[str] = []

        # compile, validate (as a user runs it), load
        artifact = compile_project(project)
        validate = floe_validate(floe_yaml, env)
        assert validate.returncode == 0, validate.stderr
        outputs += [validate.stdout, validate.stderr]
        defs = FloeDefinitions.from_compiled_artifacts(artifact, env=env)
        with warnings.catch_warnings():  # Dagster's own deprecation inside its snapshot code
            warnings.simplefilter("ignore", DeprecationWarning)
            snapshot = serialize_value(RepositorySnap.from_def(defs.get_repository_def()))
        assert '"CATALOG_TOKEN"' in snapshot  # the resources name the variable...
        assert token not in snapshot  # ...never its value
        config = load_config(floe_yaml, env=env)
        outputs += [repr(config), str(config), repr(config.storage.catalog)]
        assert config.storage.catalog.properties["token"] == token  # in memory, where needed

        # the pipeline and the ops job, through a real instance (multiprocess executor)
        module = "secret_shop.orchestration.definitions"
        for job in ("medallion_pipeline", "send_alert"):
            tags = ["--tags", json.dumps(WHOLE_YEAR)] if job == "medallion_pipeline" else []
            run = _dagster(env, "job", "execute", "-m", module, "-j", job, *tags)
            outputs += [run.stdout, run.stderr]
            assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        [alert] = received  # the secret reached the function, through {env:} and a template
        assert alert["auth"] == f"Bearer {token}"
        assert alert["path"] == f"/hooks/{token}"

        # an invalid value from the environment: the error names the variable, not the value
        bad = floe_yaml.read_text().replace("${PIPELINE_CRON:0 2 * * *}", "${CATALOG_TOKEN}")
        floe_yaml.write_text(bad)
        with pytest.raises(FloeConfigError) as caught:
            load_config(floe_yaml, env=env)
        [issue] = caught.value.issues
        assert issue.code == "invalid_cron"
        assert "CATALOG_TOKEN" in str(caught.value)
        outputs.append(str(caught.value))
        failed = floe_validate(floe_yaml, env)
        assert failed.returncode == 1
        outputs += [failed.stdout, failed.stderr]
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        assert cli_main(["validate", str(floe_yaml)]) == 1

    captured = capsys.readouterr()
    outputs += [captured.out, captured.err]
    assert [o for o in outputs if token in o] == []
    assert token not in artifact.read_text()
    profiles = list((state / "dbt" / "profiles").glob("profiles.yml"))
    assert profiles
    assert 'env_var("CATALOG_TOKEN")' in profiles[0].read_text()
    observability = state / "observability"
    assert (observability / "traces.jsonl").stat().st_size > 0
    assert (observability / "lineage.jsonl").stat().st_size > 0
    assert _files_holding(secret, state, project, Path(env["DAGSTER_HOME"])) == []
