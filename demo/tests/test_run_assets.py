"""Issue 21: a run worker of the demo builds exactly what the code server builds for its run,
for every job of the demo and for each asset materialized alone (``run_parity.py``)."""

from __future__ import annotations

from pathlib import Path

from demo_env import ARTIFACT, demo_environment
from run_parity import assert_same_run, code_server

from floe_config import read_artifacts, resolve


def test_every_demo_job_and_asset_builds_the_same_in_a_run(tmp_path: Path) -> None:
    env = demo_environment(tmp_path)
    artifacts = read_artifacts(ARTIFACT)
    config = resolve(artifacts, env=env)
    manifest = artifacts.manifest_file
    server, recorded = code_server(config, manifest, env)
    repository = server.get_repository_def()
    batch = [name for name, spec in config.orchestration.jobs.items() if spec.type == "batch"]
    assert batch, "the demo has batch jobs"
    for job in batch:
        assert assert_same_run(server, config, manifest, env, recorded, job) > 0
    for key in sorted(repository.asset_graph.executable_asset_keys, key=str):
        assert_same_run(server, config, manifest, env, recorded, "__ASSET_JOB", [key])
