"""The hooks floe attaches to every asset, asset check and ops job it builds.

At step end each one reads the step's facts, computes its observations and sends them. A
failure to observe is a warning in the step's log, never a failed run.
"""

from __future__ import annotations

import logging

from dagster import HookContext, HookDefinition, failure_hook, success_hook

from floe_dagster._observability.catalog import ObservedDefinitions
from floe_dbt import step_target_path

log = logging.getLogger("floe.observability")


def observe(observed: ObservedDefinitions, context: HookContext) -> None:
    """Facts -> observations -> sinks, for the step ``context`` belongs to. They load here, at
    a step's end (the sinks bring the OpenTelemetry SDK and the OpenLineage client): building
    the definitions never needs them."""
    from floe_dagster._observability.facts import step_facts  # noqa: PLC0415
    from floe_dagster._observability.observations import observe_step  # noqa: PLC0415
    from floe_dagster._observability.sinks import emit, sinks  # noqa: PLC0415

    dbt_target = None
    if context.op.name in observed.dbt_ops and observed.dbt_state_dir is not None:
        dbt_target = step_target_path(observed.dbt_state_dir, context.run_id, context.step_key)
    facts = step_facts(context, dbt_target=dbt_target)
    emit(sinks(observed.settings), facts.run_id, observe_step(observed, facts))


def observation_hooks(observed: ObservedDefinitions) -> set[HookDefinition]:
    """A success and a failure hook that observe every step they are attached to."""

    def guarded(context: HookContext) -> None:
        try:
            observe(observed, context)
        except Exception:
            log.warning("floe: observing step %s failed", context.step_key, exc_info=True)

    @success_hook(name="floe_observe_success")
    def on_success(context: HookContext) -> None:
        guarded(context)

    @failure_hook(name="floe_observe_failure")
    def on_failure(context: HookContext) -> None:
        guarded(context)

    return {on_success, on_failure}
