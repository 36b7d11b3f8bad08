"""What ``orchestration.assets`` patterns give each asset, as Dagster objects: partitions, an
automation condition and a backfill policy (FR-015, 016, 036-039)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dagster import (
    AssetDep,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    AutomationCondition,
    BackfillPolicy,
    PartitionsDefinition,
    TimeWindowPartitionsDefinition,
)

from floe_config import BackfillPolicy as PolicySpec
from floe_config import FloeConfig, IssueCode
from floe_dagster._automation import automation_condition
from floe_dagster._partitions import build_partitions, default_mapping, describe
from floe_dagster._patterns import compute_kind_override, group_override, setting
from floe_dagster._problems import Problems
from floe_dagster._warnings import dagster_internal_warnings_silenced


def backfill_policy(spec: PolicySpec) -> BackfillPolicy:
    if spec.type == "single_run":
        return BackfillPolicy.single_run()
    return BackfillPolicy.multi_run(spec.max_partitions_per_run or 1)


@dataclass(frozen=True)
class DbtGroupKey:
    """Which dbt multi-asset a node joins: its partitions (by floe.yaml name) and its backfill
    policy as the patterns give them."""

    partitions: str | None
    policy: PolicySpec | None


@dataclass
class AssetSettings:
    """The patterns of one config, resolved against its partitions (built once, shared)."""

    config: FloeConfig
    partitions: Mapping[str, PartitionsDefinition] = field(default_factory=dict)

    @classmethod
    def of(cls, config: FloeConfig) -> AssetSettings:
        return cls(config, build_partitions(config))

    def partitions_name(self, key: AssetKey) -> str | None:
        name: str | None = setting(self.config, key, "partitions")[1]
        return name

    def partitions_of(self, key: AssetKey) -> PartitionsDefinition | None:
        name = self.partitions_name(key)
        return self.partitions.get(name) if name else None

    def automation_of(
        self, key: AssetKey, partitions_def: PartitionsDefinition | None
    ) -> AutomationCondition[Any] | None:
        spec = setting(self.config, key, "automation_condition")[1]
        return automation_condition(spec, partitions_def) if spec is not None else None

    def policy_spec(self, key: AssetKey) -> PolicySpec | None:
        spec: PolicySpec | None = setting(self.config, key, "backfill_policy")[1]
        return spec

    def backfill_policy_of(self, key: AssetKey) -> BackfillPolicy | None:
        spec = self.policy_spec(key)
        return backfill_policy(spec) if spec is not None else None

    def dbt_group(self, key: AssetKey) -> DbtGroupKey:
        return DbtGroupKey(self.partitions_name(key), self.policy_spec(key))

    def group_partitions(
        self, group: Any
    ) -> tuple[PartitionsDefinition | None, BackfillPolicy | None]:
        """The partitions and backfill policy of a dbt multi-asset. A time-partitioned one runs
        a range in one run unless a pattern says otherwise, as dagster-dbt's ``@dbt_assets``."""
        if not isinstance(group, DbtGroupKey):
            return None, None
        partitions = self.partitions.get(group.partitions) if group.partitions else None
        policy = backfill_policy(group.policy) if group.policy else None
        if policy is None and isinstance(partitions, TimeWindowPartitionsDefinition):
            policy = BackfillPolicy.single_run()
        return partitions, policy

    @property
    def configured(self) -> bool:
        """Whether any pattern sets partitions or a backfill policy (so dbt nodes group)."""
        patterns = self.config.orchestration.assets.values()
        return any(p.partitions or p.backfill_policy for p in patterns)

    def spec_with_settings(self, spec: AssetSpec) -> AssetSpec:
        """``spec`` with what the patterns give its key: group, kind, partitions, condition.
        A pattern's value wins over the code's (partitions are checked for conflicts first)."""
        key = spec.key
        group, kind = group_override(self.config, key), compute_kind_override(self.config, key)
        partitions = self.partitions_of(key) or spec.partitions_def
        condition = self.automation_of(key, partitions)
        changes: dict[str, Any] = {}
        if group:
            changes["group_name"] = group
        if partitions is not spec.partitions_def:
            changes["partitions_def"] = partitions
        deps = [self._dep_with_mapping(dep, partitions) for dep in spec.deps]
        if any(new is not old for new, old in zip(deps, spec.deps, strict=True)):
            changes["deps"] = deps
        if condition is not None:
            changes["automation_condition"] = condition
        if changes:
            spec = spec.replace_attributes(**changes)
        if kind and kind not in spec.kinds:
            spec = spec.merge_attributes(kinds={kind})
        return spec

    def _dep_with_mapping(self, dep: AssetDep, partitions: PartitionsDefinition | None) -> AssetDep:
        """``dep`` with floe's default mapping where the patterns make Dagster's invalid."""
        if dep.partition_mapping is not None:
            return dep
        mapping = default_mapping(partitions, self.partitions_of(dep.asset_key))
        return dep if mapping is None else AssetDep(dep.asset_key, partition_mapping=mapping)

    def apply(
        self,
        assets: Sequence[Any],
        *,
        owners: Mapping[AssetKey, tuple[str, str]],
        problems: Problems,
    ) -> list[Any]:
        """Python assets with the patterns' settings. A multi-asset has one partitions
        definition and one backfill policy, so patterns that split it are an error, as is a
        pattern that changes partitions the code declares; those assets are left unchanged."""
        done: list[Any] = []
        with dagster_internal_warnings_silenced():
            for item in assets:
                if isinstance(item, AssetSpec):
                    done.append(self.spec_with_settings(item))
                elif isinstance(item, AssetsDefinition) and self._consistent(
                    item, owners, problems
                ):
                    mapped = item.map_asset_specs(self.spec_with_settings)
                    policy = self.backfill_policy_of(next(iter(item.keys))) if item.keys else None
                    if policy is not None and mapped.partitions_def is not None:
                        mapped = mapped.with_attributes(backfill_policy=policy)
                    done.append(mapped)
                else:  # SourceAsset, or a definition reported above
                    done.append(item)
        return done

    def _consistent(
        self,
        item: AssetsDefinition,
        owners: Mapping[AssetKey, tuple[str, str]],
        problems: Problems,
    ) -> bool:
        keys = sorted(item.keys, key=lambda k: k.to_user_string())
        if not keys:
            return True
        first = keys[0]
        module, op = owners.get(first, ("?", item.node_def.name if item.is_executable else "?"))
        ok = True
        for name, read in (
            ("partitions", self.partitions_name),
            ("backfill_policy", self.policy_spec),
        ):
            values = {k: read(k) for k in keys}
            if len({repr(v) for v in values.values()}) > 1:
                pattern = next(p for k in keys if (p := setting(self.config, k, name)[0]))
                shown = ", ".join(f"{k.to_user_string()} ({values[k] or 'none'})" for k in keys)
                problems.add(
                    self.config,
                    ("orchestration", "assets", pattern, name),
                    IssueCode.MIXED_PARTITIONS,
                    f"the multi-asset '{op}' in '{module}' would get different {name} for its "
                    f"assets: {shown}; Dagster gives a multi-asset one {name}",
                    "make the patterns give every asset of the multi-asset the same value",
                )
                ok = False
        code = item.partitions_def
        named = self.partitions_name(first)
        wanted = self.partitions.get(named) if named else None
        if code is not None and wanted is not None and code != wanted:
            pattern = setting(self.config, first, "partitions")[0] or ""
            problems.add(
                self.config,
                ("orchestration", "assets", pattern, "partitions"),
                IssueCode.PARTITIONS_CONFLICT,
                f"'{first.to_user_string()}' ('{op}' in '{module}') declares partitions in "
                f"code ({describe(code)}); pattern '{pattern}' gives it '{named}' "
                f"({describe(wanted)})",
                "declare the partitions in one place: remove partitions_def from the code or "
                "the pattern",
            )
            ok = False
        return ok
