"""Schedules (FR-024..027): cron, timezone, and ``enabled`` -> RUNNING / STOPPED, always."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import DefaultScheduleStatus, ScheduleDefinition

from floe_config import FloeConfig, Schedule
from floe_dagster._problems import Problems


def default_status(schedule: Schedule) -> DefaultScheduleStatus:
    return DefaultScheduleStatus.RUNNING if schedule.enabled else DefaultScheduleStatus.STOPPED


def build_schedule(name: str, schedule: Schedule, *, job: Any) -> ScheduleDefinition:
    """One schedule: cron and timezone as configured; ``enabled`` sets the default status."""
    return ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=schedule.cron_schedule,
        execution_timezone=schedule.timezone,
        default_status=default_status(schedule),
        description=schedule.description,
        tags=dict(schedule.tags),
    )


def build_schedules(
    config: FloeConfig, *, jobs: Mapping[str, Any], problems: Problems | None = None
) -> list[ScheduleDefinition]:
    """Every schedule of ``orchestration.schedules``, on the jobs built from the same config."""
    own = problems is None
    problems = Problems() if problems is None else problems
    schedules = []
    for name, schedule in config.orchestration.schedules.items():
        job = jobs.get(schedule.job)
        if job is None:  # floe-config checked the reference: the job failed, and said why
            continue
        schedules.append(build_schedule(name, schedule, job=job))
    if own:
        problems.raise_if_any()
    return schedules
