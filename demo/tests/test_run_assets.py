"""Issue 21: a run worker of the demo builds exactly what the code server builds for its run,
for every job of the demo and for each asset materialized alone (``run_parity.py``)."""

from __future__ import annotations

from pathlib import Path

from demo_env import ARTIFACT, demo_environment
from run_parity import Location

from floe_config import read_artifacts, resolve


def test_every_demo_job_and_asset_builds_the_same_in_a_run(tmp_path: Path) -> None:
    env = demo_environment(tmp_path)
    artifacts = read_artifacts(ARTIFACT)
    config = resolve(artifacts, env=env)
    served = Location(config, artifacts.manifest_file, env).serve()
    repository = served.definitions.get_repository_def()
    batch = [name for name, spec in config.orchestration.jobs.items() if spec.type == "batch"]
    assert batch, "the demo has batch jobs"
    for job in batch:
        assert served.assert_same_run(job) > 0
    for key in sorted(repository.asset_graph.executable_asset_keys, key=str):
        served.assert_same_run("__ASSET_JOB", [key])
