"""``floe backfill NAME``: a named backfill, planned and checked, then submitted or run here."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dagster import DagsterInstance

from floe_config import BatchJob, FloeConfig, IssueCode, load_config, state_directory, suggest
from floe_dagster._dbt.settings import dbt_state_dir
from floe_dagster._definitions import build_definitions
from floe_dagster._errors import Problems
from floe_dagster._failures import run_failures
from floe_dagster._orchestration.asset_settings import AssetSettings
from floe_dagster._orchestration.backfill_run import (
    BackfillProgress,
    ProgressBar,
    daemon_absent,
    failed_run_lines,
    failed_runs,
    partitions_of,
    run_in_process,
    span,
    submit,
    summary,
    wait,
)
from floe_dagster._orchestration.backfills import BackfillPlan, plan_backfills
from floe_dagster._orchestration.jobs import job_assets

INSTANCE_YAML = "telemetry:\n  enabled: false\n"


def _instance(config: FloeConfig, *, in_process: bool) -> DagsterInstance | None:
    """``$DAGSTER_HOME``'s instance, else the one in the state directory that ``floe dev``
    serves (and its daemon runs a submitted backfill from); an in-process backfill makes it
    when it is missing, so that its runs are recorded somewhere."""
    home = os.environ.get("DAGSTER_HOME")
    if home:
        return DagsterInstance.get()
    local = state_directory(config, os.environ) / "dagster"
    if not (local / "dagster.yaml").exists():
        if not in_process:
            return None
        local.mkdir(parents=True, exist_ok=True)
        (local / "dagster.yaml").write_text(INSTANCE_YAML)
    print(f"floe: DAGSTER_HOME is not set; using the instance in {local}", file=sys.stderr)
    return DagsterInstance.from_config(str(local))


def _plan(
    config: FloeConfig, name: str, graph: object, instance: DagsterInstance | None
) -> BackfillPlan:
    problems = Problems()
    backfills = config.orchestration.backfills
    if name not in backfills:
        near = suggest(name, list(backfills))
        known = ", ".join(backfills) or "none"
        problems.append(
            config.source.issue(
                ("orchestration", "backfills"),
                IssueCode.INVALID_VALUE,
                f"no backfill named '{name}' in {config.source.file.name} (there are: {known})",
                f"did you mean '{near}'?" if near else "add it under orchestration.backfills",
            )
        )
        problems.raise_if_any()
    spec = config.orchestration.jobs[backfills[name].job]
    assert isinstance(spec, BatchJob)  # floe-config refuses a backfill of an ops job
    only = config.model_copy(
        update={
            "orchestration": config.orchestration.model_copy(
                update={"backfills": {name: backfills[name]}}
            )
        }
    )
    plans = plan_backfills(
        only,
        job_assets={backfills[name].job: job_assets(spec, graph=graph)},
        graph=graph,
        settings=AssetSettings.of(config),
        problems=problems,
        instance=instance,
    )
    problems.raise_if_any()
    return plans[name]


def backfill(options: argparse.Namespace) -> int:
    config = load_config(options.config, env=os.environ)
    dbt_state = dbt_state_dir(config, os.environ)
    manifest: Path | None = options.manifest.absolute() if options.manifest else None
    instance = _instance(config, in_process=options.in_process)
    if instance is None:
        print(
            "floe backfill: submitting needs the Dagster instance the daemon runs on: start "
            "`floe dev` on this floe.yaml first (its instance is .floe/dagster in the state "
            "directory), set DAGSTER_HOME to another one, or run the backfill here with "
            "--in-process",
            file=sys.stderr,
        )
        return 1
    definitions = build_definitions(config, manifest_path=manifest, env=os.environ)
    plan = _plan(config, options.name, definitions.resolve_asset_graph(), instance)
    where = "in this process" if options.in_process else "by the daemon"
    print(
        f"floe backfill {plan.name}: job {plan.spec.job}, {len(plan.keys)} partitions "
        f"{span(plan.keys)}, {plan.runs} run(s) of up to {plan.largest_batch}, {where}",
        file=sys.stderr,
    )
    if options.in_process:
        log = state_directory(config, os.environ) / "logs" / f"backfill-{plan.name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        print(f"  dbt's output of each run goes to {log}", file=sys.stderr)
        with log.open("a") as output:
            result = run_in_process(
                definitions,
                plan,
                instance,
                progress=ProgressBar(plan),
                output=output,
                dbt_state_dir=dbt_state,
            )
        print("\n".join(summary(result)))
        return 0 if result.success else 1
    location = options.location or config.name
    backfill_id = submit(plan, instance, location=location)
    print(
        f"submitted backfill {backfill_id} ({plan.name}) of job {plan.spec.job} in code "
        f"location {location}; the daemon runs it, see Backfills"
    )
    absent = daemon_absent(instance)
    if absent:
        print(
            f"  note: {absent} ({instance.root_directory}): the backfill waits until one "
            "runs: `floe dev` on this floe.yaml starts one, or `dagster-daemon run` with "
            "DAGSTER_HOME set to this instance",
            file=sys.stderr,
        )
    if not options.wait:
        return 0
    shown: list[str] = []

    def report(state: BackfillProgress) -> None:
        line = (
            f"  {state.status}: {state.runs} run(s), {state.succeeded} succeeded, "
            f"{state.failed} failed"
        )
        if not shown or shown[-1] != line:
            print(line, file=sys.stderr, flush=True)
            shown.append(line)

    state = wait(instance, backfill_id, timeout=options.timeout, progress=report)
    print(
        f"backfill {backfill_id}: {state.status}, {state.succeeded} run(s) succeeded, "
        f"{state.failed} failed"
    )
    for run in failed_runs(instance, backfill_id):
        reasons = run_failures(instance, run.run_id, dbt_state_dir=dbt_state)
        print("\n".join(failed_run_lines(partitions_of(run), run.run_id, reasons)))
    if state.error:
        print(f"  the daemon says: {state.error}", file=sys.stderr)
        if not state.runs:
            print(
                f"  fix: the daemon serves no job {plan.spec.job} in code location {location}? "
                "name the location with --location",
                file=sys.stderr,
            )
    return 0 if state.status in ("COMPLETED_SUCCESS", "COMPLETED") else 1
