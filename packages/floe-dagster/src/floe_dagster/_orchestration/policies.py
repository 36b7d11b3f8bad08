"""Backfill policies, decided once (FR-041..044): how many partitions one run of a backfill of
an asset covers.

``BackfillPolicies`` is part of ``AssetSettings`` (``settings.policies``): the one place that
decides an asset's policy. A named backfill's ``batch_size`` is the policy of the partitioned
assets its job materializes (Dagster's daemon splits a backfill into runs by the assets'
policies), else an ``assets:`` pattern's ``backfill_policy``, else the asset's own; a
time-partitioned dbt multi-asset without one runs a range in one run, as dagster-dbt's
``@dbt_assets``. Assets are built with the policy decided without the backfills; once the jobs
are known, ``settle`` decides again for the assets a backfill claims.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dagster import (
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    PartitionsDefinition,
    TimeWindowPartitionsDefinition,
)

from floe_config import BackfillPolicy as PolicySpec
from floe_config import FloeConfig, IssueCode
from floe_dagster._errors import Problems
from floe_dagster._orchestration.jobs import JobAssets
from floe_dagster._warnings import dagster_internal_warnings_silenced


def backfill_policy(spec: PolicySpec) -> BackfillPolicy:
    if spec.type == "single_run":
        return BackfillPolicy.single_run()
    return BackfillPolicy.multi_run(spec.max_partitions_per_run or 1)


def policy_text(policy: PolicySpec | BackfillPolicy | None) -> str:
    """``single_run``, ``multi_run(10)``, or "one partition a run" (no policy)."""
    if policy is None:
        return "one partition a run"
    if isinstance(policy, PolicySpec):
        policy = backfill_policy(policy)
    if policy.max_partitions_per_run is None:
        return "single_run"
    return f"multi_run({policy.max_partitions_per_run})"


def _per_run(policy: BackfillPolicy | None) -> int | None:
    """Partitions per run under ``policy`` (None: any number)."""
    if policy is None:
        return 1
    return policy.max_partitions_per_run


def run_size(policies: Sequence[BackfillPolicy | None]) -> int | None:
    """How many partitions a run of a backfill over assets with ``policies`` covers: Dagster's
    daemon batches by the smallest (None: any number, in one run)."""
    sizes = [s for s in map(_per_run, policies) if s is not None]
    return min(sizes) if sizes else None


@dataclass
class BackfillPolicies:
    """The backfill policy of every asset of one config, decided in one place."""

    config: FloeConfig
    pattern_policy: Callable[[AssetKey], PolicySpec | None]
    """What the ``assets:`` patterns give a key (``AssetSettings.policy_spec``)."""
    _claims: dict[AssetKey, tuple[str, int]] = field(default_factory=dict, repr=False)

    def policy_of(
        self,
        key: AssetKey,
        partitions_def: PartitionsDefinition | None,
        *,
        own: BackfillPolicy | None = None,
        dbt: bool = False,
    ) -> BackfillPolicy | None:
        """The policy of a partitioned asset: a named backfill's ``batch_size``
        (``multi_run``), else the patterns', else its ``own``; ``single_run`` for a
        time-partitioned dbt multi-asset that has none."""
        if partitions_def is None:
            return own
        claim = self._claims.get(key)
        if claim is not None:
            return BackfillPolicy.multi_run(claim[1])
        spec = self.pattern_policy(key)
        if spec is not None:
            return backfill_policy(spec)
        if dbt and own is None and isinstance(partitions_def, TimeWindowPartitionsDefinition):
            return BackfillPolicy.single_run()
        return own

    def with_policy(self, item: AssetsDefinition, *, dbt: bool) -> AssetsDefinition:
        """``item`` with the policy ``policy_of`` decides for it (itself if that is its own)."""
        key = next(iter(item.keys), None)
        if key is None or not item.is_executable:
            return item
        policy = self.policy_of(key, item.partitions_def, own=item.backfill_policy, dbt=dbt)
        if policy == item.backfill_policy:
            return item
        with dagster_internal_warnings_silenced():
            return item.with_attributes(backfill_policy=policy)

    def settle(
        self,
        assets: Sequence[Any],
        *,
        job_assets: Mapping[str, JobAssets],
        dbt_ops: frozenset[str],
        problems: Problems,
    ) -> list[Any]:
        """``assets`` with each named backfill's ``batch_size`` as the policy of the partitioned
        assets its job materializes. A pattern that gives them another policy, or two backfills
        that disagree, is a problem."""
        self._claim(assets, job_assets, problems)
        if not self._claims:
            return list(assets)
        return [
            self.with_policy(item, dbt=item.node_def.name in dbt_ops)
            if isinstance(item, AssetsDefinition) and item.is_executable
            else item
            for item in assets
        ]

    def _claim(
        self, assets: Sequence[Any], job_assets: Mapping[str, JobAssets], problems: Problems
    ) -> None:
        by_key = {
            k: item
            for item in assets
            if isinstance(item, AssetsDefinition) and item.is_executable
            for k in item.keys
        }
        claimed_items: dict[int, tuple[str, int]] = {}
        for name, spec in self.config.orchestration.backfills.items():
            job = job_assets.get(spec.job)
            if spec.batch_size is None or job is None or job.partitions_def is None:
                continue
            here = ("orchestration", "backfills", name, "batch_size")
            for key in sorted(job.keys, key=lambda k: k.to_user_string()):
                item = by_key.get(key)
                if item is None or item.partitions_def is None:
                    continue
                pattern = self.pattern_policy(key)
                fits = pattern is None or (
                    pattern.type == "multi_run"
                    and (pattern.max_partitions_per_run or 1) == spec.batch_size
                )
                if not fits:
                    problems.append(
                        self.config.source.issue(
                            here,
                            IssueCode.BACKFILL_BATCH_CONFLICT,
                            f"backfill '{name}' runs {spec.batch_size} partition(s) a run, but an "
                            f"assets pattern gives '{key.to_user_string()}' the backfill policy "
                            f"{policy_text(pattern)}; Dagster's daemon batches by the assets' "
                            "policy",
                            f"set max_partitions_per_run: {spec.batch_size} on that pattern, or "
                            "remove batch_size here",
                        )
                    )
                    break
                claim = claimed_items.setdefault(id(item), (name, spec.batch_size))
                if claim[1] != spec.batch_size:
                    problems.append(
                        self.config.source.issue(
                            here,
                            IssueCode.BACKFILL_BATCH_CONFLICT,
                            f"backfills '{claim[0]}' ({claim[1]} a run) and '{name}' "
                            f"({spec.batch_size} a run) both cover '{key.to_user_string()}'; its "
                            "backfill policy can be only one",
                            "give them the same batch_size",
                        )
                    )
                    break
                self._claims.update(dict.fromkeys(item.keys, claim))


def mixed_policies(job_assets: Mapping[str, JobAssets], assets: Sequence[Any]) -> dict[str, str]:
    """Job name -> a note, for each batch job whose partitioned assets have different backfill
    policies (Dagster then batches a backfill of the job by the smallest)."""
    policy_of = {
        k: item.backfill_policy
        for item in assets
        if isinstance(item, AssetsDefinition) and item.is_executable and item.partitions_def
        for k in item.keys
    }
    notes = {}
    for name, job in job_assets.items():
        groups: dict[str, list[str]] = {}
        for key in sorted(job.keys & policy_of.keys(), key=lambda k: k.to_user_string()):
            groups.setdefault(policy_text(policy_of[key]), []).append(key.to_user_string())
        if len(groups) > 1:
            smallest = run_size([policy_of[k] for k in job.keys & policy_of.keys()])
            parts = "; ".join(
                f"{text}: {', '.join(keys[:3])}{' ...' if len(keys) > 3 else ''}"
                for text, keys in groups.items()
            )
            notes[name] = (
                f"job '{name}' materializes partitioned assets with different backfill policies "
                f"({parts}); a backfill of the job runs "
                f"{smallest or 'all'} partition(s) a run"
            )
    return notes
