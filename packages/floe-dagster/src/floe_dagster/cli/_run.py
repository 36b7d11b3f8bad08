"""``floe run JOB [floe.yaml] [--partition KEY | --partition-range A..B] [--in-process]``: one
job, headless, for cron and CI.

It runs on the instance ``floe dev`` serves (``$DAGSTER_HOME``, else ``.floe/dagster`` in the
state directory), so its runs show in the UI, with the code location ``floe dev`` serves (the
``definitions.py`` beside floe.yaml, else floe's own module) and the observability a run from
the UI has. By default ``dagster job execute`` runs it with the multiprocess executor, a
process per step; ``--in-process`` runs every step in this process (quicker for a small job).
The partitions are checked before anything runs: a partitioned job without one, a key the job
does not have, a range backwards or outside it, each is an error that names the fix.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter, partition_loading_context

from floe_config import ConfigIssue, FloeError, IssueCode, load_config, suggest
from floe_dagster._dbt.settings import dbt_state_dir
from floe_dagster._definitions import build_definitions
from floe_dagster._failures import run_failures
from floe_dagster._orchestration.backfill_run import PARTITION_TAG, RANGE_END, RANGE_START
from floe_dagster._project import ARTIFACT_ENV, compile_project
from floe_dagster.cli._dev import CODE_LOCATION, DEFINITIONS_FILE, dev_environment, write_instance
from floe_dagster.cli._term import parsing_again

SUPERSEDED = "ignore:Function `job_execute_command` is superseded"
"""Dagster's CLI points at ``dg launch``, which runs a ``dg`` project's jobs, not a floe.yaml's:
a warning ``floe run`` does not pass on."""
REQUEST_TAG = "floe/run_request"
"""A tag on the run, so that ``floe run`` finds the run ``dagster job execute`` made."""


class RunError(FloeError):
    """``floe run`` cannot start the run: an unknown job, or partitions the job cannot run."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(
            [
                ConfigIssue(
                    code=IssueCode.INVALID_VALUE, path="", message=message, file=None, hint=hint
                )
            ]
        )


def _partition_tags(
    options: argparse.Namespace, job: Any, instance: DagsterInstance
) -> dict[str, str]:
    """The run's partition tags, checked against the job's partitions."""
    definition = job.partitions_def
    name = options.job
    if definition is None:
        if options.partition or options.partition_range:
            raise RunError(f"job '{name}' is not partitioned", "run it without --partition")
        return {}
    with partition_loading_context(dynamic_partitions_store=instance):
        keys = list(definition.get_partition_keys(dynamic_partitions_store=instance))
    if not (options.partition or options.partition_range):
        raise RunError(
            f"job '{name}' is partitioned ({len(keys)} partitions) and no partition was named",
            f"floe run {name} --partition {keys[-1] if keys else 'KEY'}, or "
            "--partition-range FIRST..LAST",
        )
    if options.partition:
        key = options.partition
        if key not in keys:
            near = suggest(key, keys)
            hint = f"did you mean '{near}'?" if near else _span(keys)
            raise RunError(f"job '{name}' has no partition '{key}'", hint)
        return {PARTITION_TAG: key}
    first, sep, last = options.partition_range.partition("..")
    if not sep or not first or not last:
        raise RunError(
            f"--partition-range '{options.partition_range}' is not FIRST..LAST",
            "write it as 2024-01-01..2024-01-31",
        )
    missing = [k for k in (first, last) if k not in keys]
    if missing:
        raise RunError(f"job '{name}' has no partition {', '.join(missing)}", _span(keys))
    if keys.index(first) > keys.index(last):
        raise RunError(f"--partition-range {first}..{last} runs backwards", f"{last}..{first}")
    return {RANGE_START: first, RANGE_END: last}


def _span(keys: list[str]) -> str:
    return f"its partitions run from {keys[0]} to {keys[-1]}" if keys else "it has no partitions"


def run_command(options: argparse.Namespace) -> int:
    """Run one job; prints its run id and status; exit 0 on SUCCESS, 1 otherwise."""
    source = options.config.absolute()
    first = load_config(source, env=os.environ)
    environment = dev_environment(first, os.environ, None)
    if os.environ.get("DAGSTER_HOME"):
        environment["DAGSTER_HOME"] = os.environ["DAGSTER_HOME"]
    else:
        write_instance(Path(environment["DAGSTER_HOME"]), None)
    config = load_config(source, env=environment)
    artifact = Path(environment[ARTIFACT_ENV])
    artifact.parent.mkdir(parents=True, exist_ok=True)
    manifest = compile_project(
        config, output=artifact, env=environment, manifest=options.manifest, parsing=parsing_again
    )
    definitions = build_definitions(config, manifest_path=manifest, env=environment)
    jobs = sorted(j.name for j in definitions.resolve_all_job_defs() if not j.name.startswith("__"))
    if options.job not in jobs:
        near = suggest(options.job, jobs)
        raise RunError(
            f"no job named '{options.job}' in {source.name} (there are: {', '.join(jobs)})",
            f"did you mean '{near}'?" if near else "add it under orchestration.jobs",
        )
    instance = DagsterInstance.from_config(environment["DAGSTER_HOME"])
    job = definitions.resolve_job_def(options.job)
    tags = _partition_tags(options, job, instance)
    print(
        f"floe run {options.job}{_shown(tags)}, on {environment['DAGSTER_HOME']}", file=sys.stderr
    )
    dbt_state = dbt_state_dir(config, environment)
    if options.in_process:
        result = job.execute_in_process(
            instance=instance,
            partition_key=tags.get(PARTITION_TAG),
            tags={k: v for k, v in tags.items() if k != PARTITION_TAG},
            raise_on_error=False,
        )
        return _report(instance, result.run_id, dbt_state)
    request = uuid.uuid4().hex
    command = [
        sys.executable,
        "-W",
        SUPERSEDED,
        "-m",
        "dagster",
        "job",
        "execute",
        "-j",
        options.job,
    ]
    definitions_file = source.parent / DEFINITIONS_FILE
    if definitions_file.is_file():
        command += ["-f", str(definitions_file)]
    else:
        command += ["-m", CODE_LOCATION]
    command += ["--working-directory", str(source.parent)]
    command += ["--tags", json.dumps({**tags, REQUEST_TAG: request})]
    finished = subprocess.run(command, env=environment, check=False)
    runs = instance.get_runs(RunsFilter(tags={REQUEST_TAG: request}), limit=1)
    if not runs:
        print(
            f"floe run: the job did not start (dagster job execute exited {finished.returncode})",
            file=sys.stderr,
        )
        return 1
    return _report(instance, runs[0].run_id, dbt_state)


def _shown(tags: dict[str, str]) -> str:
    if PARTITION_TAG in tags:
        return f" for partition {tags['dagster/partition']}"
    if RANGE_START in tags:
        return f" for partitions {tags[RANGE_START]}..{tags[RANGE_END]}"
    return ""


def _report(instance: DagsterInstance, run_id: str, dbt_state: Path) -> int:
    """The run's status and, when it failed, why: the last lines of the output, after
    Dagster's log of the run."""
    record = instance.get_run_by_id(run_id)
    status = record.status if record is not None else DagsterRunStatus.FAILURE
    print(f"run {run_id}: {status.value}")
    if status == DagsterRunStatus.FAILURE:
        for line in run_failures(instance, run_id, dbt_state_dir=dbt_state):
            print(f"  {line}")
    return 0 if status == DagsterRunStatus.SUCCESS else 1
