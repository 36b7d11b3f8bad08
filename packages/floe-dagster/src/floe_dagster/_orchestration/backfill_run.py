"""Running a named backfill: submitted to the Dagster instance for the daemon, or in-process.

- ``submit``: a backfill of the named job in the instance, as the UI's "Launch backfill" on
  the job's partitions page makes one; the daemon runs it as runs of that job (ranges of
  ``batch_size`` partitions: floe made that the backfill policy of the job's partitioned
  assets, and a job's policy is its assets' smallest) and the UI's Backfills page shows it.
  ``wait`` follows it to the end; ``daemon_absent`` says when no daemon would start it.
- ``run_in_process``: the plan's runs one after the other in this process, in partition order,
  each a contiguous range of ``batch_size`` partitions, recorded in the instance like any run.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from dagster import DagsterInstance, DagsterRun, DagsterRunStatus, Definitions, RunsFilter

from floe_dagster._dagster_internals import (
    backfill_daemon_heartbeat,
    backfill_error,
    backfill_status,
    submit_job_backfill,
)
from floe_dagster._failures import run_failures
from floe_dagster._orchestration.backfills import BackfillPlan

BACKFILL_TAG = "floe/backfill"
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
DAGSTER_BACKFILL_TAG = "dagster/backfill"
PARTITION_TAG = "dagster/partition"
FINISHED = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}


@dataclass
class BatchResult:
    keys: tuple[str, ...]
    run_id: str
    success: bool
    seconds: float
    error: str = ""


@dataclass
class BackfillResult:
    plan: BackfillPlan
    batches: list[BatchResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def succeeded(self) -> list[BatchResult]:
        return [b for b in self.batches if b.success]

    @property
    def failed(self) -> list[BatchResult]:
        return [b for b in self.batches if not b.success]

    @property
    def success(self) -> bool:
        return not self.failed and len(self.batches) == self.plan.runs


def span(keys: tuple[str, ...]) -> str:
    return keys[0] if len(keys) == 1 else f"{keys[0]}..{keys[-1]}"


def batch_tags(plan: BackfillPlan, keys: tuple[str, ...]) -> dict[str, str]:
    """The run tags of one batch: the backfill's own, floe's, and the partition range."""
    tags = {**plan.spec.tags, BACKFILL_TAG: plan.name}
    if len(keys) > 1:
        tags.update({RANGE_START: keys[0], RANGE_END: keys[-1]})
    return tags


def run_in_process(
    definitions: Definitions,
    plan: BackfillPlan,
    instance: DagsterInstance,
    *,
    progress: Callable[[BackfillResult], None] | None = None,
    log_level: str = "WARNING",
    output: TextIO | None = None,
    dbt_state_dir: Path | None = None,
) -> BackfillResult:
    """Run ``plan``'s batches in order in this process; a failed batch does not stop the rest
    (as in Dagster's backfills); the result says which failed and why. Dagster logs below
    ``log_level`` stay in the instance's event log only; what the runs print (dbt's output)
    goes to ``output`` (default: this process's stdout). A failed run's error is
    ``run_failures``'s lines (a dbt step's failed nodes from its target under
    ``dbt_state_dir``)."""
    job = definitions.resolve_job_def(plan.spec.job)
    result = BackfillResult(plan)
    started = time.monotonic()
    loggers = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    printed = contextlib.redirect_stdout(output) if output else contextlib.nullcontext()
    for keys in plan.batches:
        begun = time.monotonic()
        single = keys[0] if len(keys) == 1 else None
        try:
            with printed:
                run = job.execute_in_process(
                    instance=instance,
                    partition_key=single,
                    tags=batch_tags(plan, keys),
                    run_config=loggers,
                    raise_on_error=False,
                )
            outcome = BatchResult(
                keys,
                run.run_id,
                run.success,
                time.monotonic() - begun,
                ""
                if run.success
                else "\n".join(run_failures(instance, run.run_id, dbt_state_dir=dbt_state_dir)),
            )
        except Exception as error:  # a run that could not even start: report it, go on
            outcome = BatchResult(
                keys, "", False, time.monotonic() - begun, f"{type(error).__name__}: {error}"
            )
        result.batches.append(outcome)
        result.seconds = time.monotonic() - started
        if progress is not None:
            progress(result)
    return result


DAEMON_SILENT_SECONDS = 120
"""A daemon reports every 30 s (Dagster's heartbeat interval); four missed reports mean it is
most likely not running, though Dagster's own health check allows it 30 minutes."""


def daemon_absent(instance: DagsterInstance, now: float | None = None) -> str | None:
    """Why a backfill submitted to ``instance`` would not start now, or None when a daemon
    reported lately: none ever ran on it, or the last report is older than
    ``DAEMON_SILENT_SECONDS``. A note, not an error: the backfill waits until a daemon runs."""
    last = backfill_daemon_heartbeat(instance)
    if last is None:
        return "no Dagster daemon has ever run on this instance"
    silent = (time.time() if now is None else now) - last
    if silent <= DAEMON_SILENT_SECONDS:
        return None
    return f"this instance's Dagster daemon last reported {silent / 60:.0f} min ago"


def submit(plan: BackfillPlan, instance: DagsterInstance, *, location: str) -> str:
    """Submit ``plan`` to ``instance`` as a backfill of its job in code location ``location``,
    for the daemon; its id."""
    return submit_job_backfill(
        instance,
        location=location,
        job=plan.spec.job,
        partitions=plan.keys,
        title=plan.name,
        description=plan.spec.description or f"floe backfill {plan.name} of job {plan.spec.job}",
        tags={**plan.spec.tags, BACKFILL_TAG: plan.name},
    )


@dataclass(frozen=True)
class BackfillProgress:
    status: str | None
    runs: int
    succeeded: int
    failed: int
    error: str = ""

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def failed_runs(instance: DagsterInstance, backfill_id: str) -> list[DagsterRun]:
    """The backfill's failed runs, oldest first."""
    runs = instance.get_runs(
        RunsFilter(tags={DAGSTER_BACKFILL_TAG: backfill_id}, statuses=[DagsterRunStatus.FAILURE])
    )
    return list(reversed(runs))


def partitions_of(run: DagsterRun) -> tuple[str, ...]:
    """The partition or the first and last of the range a run of a backfill ran."""
    tags = run.tags
    if RANGE_START in tags:
        return (tags[RANGE_START], tags[RANGE_END])
    return (tags.get(PARTITION_TAG, "?"),)


def progress_of(instance: DagsterInstance, backfill_id: str) -> BackfillProgress:
    runs = instance.get_runs(RunsFilter(tags={DAGSTER_BACKFILL_TAG: backfill_id}))
    status = backfill_status(instance, backfill_id)
    return BackfillProgress(
        status=status,
        runs=len(runs),
        succeeded=sum(r.status == DagsterRunStatus.SUCCESS for r in runs),
        failed=sum(r.status == DagsterRunStatus.FAILURE for r in runs),
        error=backfill_error(instance, backfill_id) if status == "FAILED" else "",
    )


def wait(
    instance: DagsterInstance,
    backfill_id: str,
    *,
    timeout: float,
    poll: float = 2.0,
    progress: Callable[[BackfillProgress], None] | None = None,
) -> BackfillProgress:
    """Poll the backfill until the daemon finishes it or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        state = progress_of(instance, backfill_id)
        if progress is not None:
            progress(state)
        if state.finished or time.monotonic() > deadline:
            return state
        time.sleep(poll)


class ProgressBar:
    """One line per batch, or one updating line on a terminal."""

    def __init__(self, plan: BackfillPlan, stream: TextIO = sys.stderr, width: int = 24) -> None:
        self.plan, self.stream, self.width = plan, stream, width
        self.live = stream.isatty()

    def __call__(self, result: BackfillResult) -> None:
        done = len(result.batches)
        partitions = sum(len(b.keys) for b in result.batches)
        filled = round(self.width * done / max(self.plan.runs, 1))
        last = result.batches[-1]
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.plan.runs} runs  "
            f"{partitions}/{len(self.plan.keys)} partitions  {span(last.keys)} "
            f"{'ok' if last.success else 'FAILED'} {last.seconds:.1f}s"
        )
        if self.live:
            self.stream.write("\r" + line + ("\n" if done == self.plan.runs else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def failed_run_lines(keys: tuple[str, ...], run_id: str, reasons: list[str]) -> list[str]:
    """One failed run of a backfill: its partitions and run id with the first of ``reasons``
    (``run_failures``'s lines), the rest under it."""
    first, *rest = reasons or ["failed"]
    run = f" (run {run_id})" if run_id else ""
    return [f"  FAILED {span(keys)}{run}: {first}", *(f"    {line}" for line in rest)]


def summary(result: BackfillResult) -> list[str]:
    plan = result.plan
    done = sum(len(b.keys) for b in result.succeeded)
    lines = [
        f"backfill {plan.name}: {len(result.succeeded)} of {plan.runs} runs succeeded, "
        f"{len(result.failed)} failed; {done} of {len(plan.keys)} partitions materialized "
        f"in {result.seconds:.1f} s"
    ]
    for failed in result.failed:
        lines += failed_run_lines(failed.keys, failed.run_id, failed.error.splitlines())
    if result.failed:
        lines.append("  re-run the backfill to retry: each run replaces its partitions")
    return lines
