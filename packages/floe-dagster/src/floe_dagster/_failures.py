"""Why a run failed, in the few lines a terminal or a CI log shows after it.

Each failed step's error, where it was raised; for a dbt step, the models and tests dbt
failed, in dbt's words, from the step's ``run_results.json``. Dagster's log of the run holds
the same facts between stack traces of its own frames, once per event that carries them.

Read from the instance's event log, so a run made in this process, by ``dagster job execute``
or by the daemon is told alike.
"""

from __future__ import annotations

import re
import sysconfig
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from dagster import DagsterEventType, DagsterInstance

from floe_dbt import read_run_results, step_target_path

MAX_NODES = 10
"""dbt nodes named per failed step; the rest are counted (dbt's log has them all)."""

DBT_ERRORS = "Errors parsed from dbt logs:"
"""Where dagster-dbt's error for a failed dbt command starts the error lines of dbt's log."""
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<function>\S+)')
_LIBRARIES = tuple(
    p for p in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"]} if p
)


class ErrorInfo(Protocol):
    """What Dagster records of an exception (its ``SerializableErrorInfo``)."""

    @property
    def message(self) -> str: ...
    @property
    def stack(self) -> Sequence[str]: ...
    @property
    def cls_name(self) -> str | None: ...
    @property
    def cause(self) -> ErrorInfo | None: ...


def innermost(error: ErrorInfo) -> ErrorInfo:
    """The exception the others were raised from: Dagster wraps a step's own error in its
    ``DagsterExecutionStepExecutionError``."""
    while error.cause is not None:
        error = error.cause
    return error


def said(error: ErrorInfo) -> str:
    """The exception's first line, its class without its module: ``ValueError: bad row``."""
    lines = [line.strip() for line in error.message.splitlines() if line.strip()]
    text = lines[0] if lines else (error.cls_name or "an error")
    name, colon, rest = text.partition(": ")
    if colon and "." in name and " " not in name:
        text = f"{name.rsplit('.', 1)[1]}: {rest}"
    return text[:300]


def raised_at(error: ErrorInfo) -> str | None:
    """``path:line in function`` of the last frame outside Python's and the installed
    libraries' files: the user's own code, or floe's when it raised the error itself."""
    for frame in reversed(error.stack):
        found = _FRAME.search(frame)
        if found and not found["file"].startswith(_LIBRARIES):
            return f"{found['file']}:{found['line']} in {found['function']}"
    return None


def _dbt_lines(target: Path, cause: ErrorInfo | None) -> list[str]:
    """What dbt failed in a step whose target is ``target``: the nodes its results name, else
    the errors dagster-dbt read from dbt's log (dbt stopped before it ran a node: a project
    that no longer parses, a profile it cannot use)."""
    nodes = read_run_results(target) or {}
    failed = [n for n in nodes.values() if n.failed]
    log = f"  dbt's log: {target / 'dbt.log'}"
    if failed:
        skipped = sum(n.status == "skipped" for n in nodes.values())
        head = f"dbt failed {len(failed)} of {len(nodes)} node(s)"
        lines = [head + (f"; {skipped} downstream of them skipped" if skipped else "")]
        lines += [f"  {n.failure()}" for n in failed[:MAX_NODES]]
        if len(failed) > MAX_NODES:
            lines.append(f"  and {len(failed) - MAX_NODES} more")
        return [*lines, log]
    message = cause.message if cause is not None else ""
    if DBT_ERRORS not in message:
        return []
    errors = [line.strip() for line in message.split(DBT_ERRORS, 1)[1].splitlines()]
    errors = [line for line in errors if line]
    code = re.search(r"exit code `(\d+)`", message)
    head = "dbt stopped" + (f" (exit code {code[1]})" if code else "") + " before it built a node"
    return [head, *(f"  {line}" for line in errors[:MAX_NODES]), log]


def _step_lines(step_key: str, error: ErrorInfo | None, dbt_target: Path | None) -> list[str]:
    cause = innermost(error) if error is not None else None
    dbt = _dbt_lines(dbt_target, cause) if dbt_target is not None and dbt_target.is_dir() else []
    if dbt:
        return [f"step {step_key}: {dbt[0]}", *dbt[1:]]
    if cause is None:
        return [f"step {step_key} failed"]
    where = raised_at(cause)
    return [f"step {step_key}: {said(cause)}" + (f" (at {where})" if where else "")]


def run_failures(
    instance: DagsterInstance, run_id: str, *, dbt_state_dir: Path | None = None
) -> list[str]:
    """Why run ``run_id`` failed: each failed step's error and, for a dbt step (its target
    under ``dbt_state_dir``), the nodes dbt failed; empty for a run that did not fail."""
    failures = {DagsterEventType.STEP_FAILURE, DagsterEventType.RUN_FAILURE}
    lines: list[str] = []
    run_failure: list[str] = []
    for record in instance.all_logs(run_id, of_type=failures):
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type == DagsterEventType.STEP_FAILURE and record.step_key:
            target = (
                step_target_path(dbt_state_dir, run_id, record.step_key)
                if dbt_state_dir is not None
                else None
            )
            lines += _step_lines(record.step_key, event.step_failure_data.error, target)
        elif event.event_type == DagsterEventType.RUN_FAILURE:
            error = getattr(event.event_specific_data, "error", None)
            cause = innermost(error) if error is not None else None
            run_failure = [said(cause) if cause is not None else event.message or "failed"]
    return lines or [f"the run failed: {line}" for line in run_failure]
