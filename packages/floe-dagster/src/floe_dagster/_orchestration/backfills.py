"""Named backfills (FR-041..044): which partitions, in which runs, checked against the real
partitions definitions before anything runs.

A backfill's ``batch_size`` is how many partitions one run covers. Dagster's daemon splits a
backfill into runs by the assets' backfill policies, so floe makes ``batch_size`` the policy of
the partitioned assets the backfill's job materializes (``BackfillPolicy.multi_run(batch_size)``,
for a dbt multi-asset: all of its models). The UI's backfills of those assets then batch the
same way. A pattern that gives those assets another policy, or two backfills that disagree, is
an error. Without ``batch_size`` a backfill runs as the assets' policies say (one partition a
run without a policy, dagster-dbt's ``single_run`` for time-partitioned dbt models).

Which keys a backfill names and how they are cut into runs: ``backfill_keys``. The policies
themselves are decided by ``AssetSettings.policies`` (``policies.BackfillPolicies``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dagster import AssetKey, PartitionsDefinition

from floe_config import Backfill, FloeConfig, IssueCode
from floe_dagster._errors import Problems
from floe_dagster._orchestration.asset_settings import AssetSettings
from floe_dagster._orchestration.backfill_keys import BackfillProblem, backfill_keys, batches_of
from floe_dagster._orchestration.jobs import JobAssets
from floe_dagster._orchestration.partitions import describe
from floe_dagster._orchestration.policies import run_size


@dataclass(frozen=True)
class BackfillPlan:
    """One named backfill, resolved: its partition keys in order and the runs they make."""

    name: str
    spec: Backfill
    assets: frozenset[AssetKey]
    partitions_def: PartitionsDefinition
    keys: tuple[str, ...]
    batches: tuple[tuple[str, ...], ...]

    @property
    def runs(self) -> int:
        return len(self.batches)

    @property
    def largest_batch(self) -> int:
        return max((len(b) for b in self.batches), default=0)


def _definition_name(settings: AssetSettings | None, definition: PartitionsDefinition) -> str:
    for name, candidate in (settings.partitions if settings else {}).items():
        if candidate is definition or candidate == definition:
            return f"'{name}'"
    return describe(definition)


def plan_backfills(
    config: FloeConfig,
    *,
    job_assets: Mapping[str, JobAssets],
    graph: Any,
    settings: AssetSettings | None = None,
    problems: Problems,
    instance: Any = None,
) -> dict[str, BackfillPlan]:
    """Every named backfill as a plan, checked against the jobs' real partitions (FR-043).
    ``graph`` gives each asset's backfill policy (for a backfill without ``batch_size``);
    ``instance`` lets dynamic keys be checked (else they are checked when submitted)."""
    plans: dict[str, BackfillPlan] = {}
    for name, spec in config.orchestration.backfills.items():
        here = ("orchestration", "backfills", name)
        job = job_assets.get(spec.job)
        if job is None:  # an ops job (floe-config said so) or a job that failed to build
            continue
        definition = job.partitions_def
        if definition is None:
            problems.append(
                config.source.issue(
                    (*here, "job"),
                    IssueCode.BACKFILL_WITHOUT_PARTITIONS,
                    f"job '{spec.job}' materializes no partitioned asset, so there is nothing to "
                    "backfill",
                    "give its assets partitions (orchestration.assets patterns), or backfill "
                    "another job",
                )
            )
            continue
        size = spec.batch_size or run_size(
            [graph.get(k).backfill_policy for k in job.keys if graph.get(k).partitions_def]
        )
        label = _definition_name(settings, definition)
        try:
            keys = backfill_keys(definition, spec, label, instance)
        except BackfillProblem as problem:
            issue = problem.issue
            problems.append(
                config.source.issue((*here, *problem.where), issue.code, issue.message, issue.hint)
            )
            continue
        plans[name] = BackfillPlan(
            name=name,
            spec=spec,
            assets=job.keys,
            partitions_def=definition,
            keys=tuple(keys),
            batches=tuple(batches_of(definition, keys, size, instance)),
        )
    return plans
