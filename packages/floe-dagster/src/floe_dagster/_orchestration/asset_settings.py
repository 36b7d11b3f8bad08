"""What ``orchestration.assets`` patterns and named backfills give each asset, as Dagster objects:
group, kind, partitions, an automation condition and a backfill policy (FR-015, 016, 036-044).

``AssetSettings`` is built once per load and shared by the Python assets and the dbt translator,
so identical partitions are one object. It decides each asset's backfill policy in one place,
with its ``policies`` (``policies.BackfillPolicies``).
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dagster import (
    AssetDep,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    AutomationCondition,
    PartitionsDefinition,
)

from floe_config import BackfillPolicy as PolicySpec
from floe_config import ConfigIssue, FloeConfig, IssueCode
from floe_dagster._errors import Problems
from floe_dagster._orchestration.automation import automation_condition
from floe_dagster._orchestration.partitions import build_partitions, default_mapping, describe
from floe_dagster._orchestration.patterns import PatternSettings, key_text, pattern_settings
from floe_dagster._orchestration.policies import BackfillPolicies
from floe_dagster._warnings import dagster_internal_warnings_silenced


@dataclass(frozen=True)
class DbtGroupKey:
    """Which dbt multi-asset a node joins: its partitions (the translator's, as the index of a
    distinct definition) and its backfill policy as the patterns give it."""

    partitions: int | None
    policy: PolicySpec | None


@dataclass
class AssetSettings:
    """The patterns of one config, resolved against its partitions (built once, shared)."""

    config: FloeConfig
    partitions: Mapping[str, PartitionsDefinition] = field(default_factory=dict)
    _keys: dict[AssetKey, PatternSettings] = field(default_factory=dict, repr=False)
    _distinct: list[PartitionsDefinition] = field(default_factory=list, repr=False)
    policies: BackfillPolicies = field(init=False, repr=False)
    """Each asset's backfill policy, decided in one place."""

    def __post_init__(self) -> None:
        self.policies = BackfillPolicies(self.config, self.policy_spec)

    @classmethod
    def of(cls, config: FloeConfig) -> AssetSettings:
        return cls(config, build_partitions(config))

    def of_key(self, key: AssetKey) -> PatternSettings:
        """What the patterns give ``key`` (looked up once per key)."""
        found = self._keys.get(key)
        if found is None:
            found = self._keys[key] = pattern_settings(self.config, key)
        return found

    def partitions_name(self, key: AssetKey) -> str | None:
        name: str | None = self.of_key(key)["partitions"]
        return name

    def partitions_of(self, key: AssetKey) -> PartitionsDefinition | None:
        name = self.partitions_name(key)
        return self.partitions.get(name) if name else None

    def automation_of(
        self, key: AssetKey, partitions_def: PartitionsDefinition | None
    ) -> AutomationCondition[Any] | None:
        spec = self.of_key(key)["automation_condition"]
        return automation_condition(spec, partitions_def) if spec is not None else None

    def policy_spec(self, key: AssetKey) -> PolicySpec | None:
        spec: PolicySpec | None = self.of_key(key)["backfill_policy"]
        return spec

    def dbt_group(self, key: AssetKey, partitions_def: PartitionsDefinition | None) -> DbtGroupKey:
        """The group of a dbt node with ``partitions_def`` (the translator's decision)."""
        return DbtGroupKey(self.distinct(partitions_def), self.policy_spec(key))

    def distinct(self, definition: PartitionsDefinition | None) -> int | None:
        """The index of ``definition`` among the distinct definitions seen so far (equal ones
        share one), so that nodes whose partitions are equal share a multi-asset."""
        if definition is None:
            return None
        for index, known in enumerate(self._distinct):
            if known is definition or known == definition:
                return index
        self._distinct.append(definition)
        return len(self._distinct) - 1

    def group_partitions(self, group: Any) -> PartitionsDefinition | None:
        """The partitions of a dbt multi-asset's group key."""
        if not isinstance(group, DbtGroupKey) or group.partitions is None:
            return None
        return self._distinct[group.partitions]

    def group_name(self, group: Any) -> str | None:
        """floe.yaml's name for a group's partitions (None: unpartitioned, or not from
        floe.yaml)."""
        definition = self.group_partitions(group)
        if definition is None:
            return None
        return next((n for n, d in self.partitions.items() if d is definition), None) or next(
            (n for n, d in self.partitions.items() if d == definition), None
        )

    @property
    def configured(self) -> bool:
        """Whether any pattern sets partitions or a backfill policy (so dbt nodes group)."""
        patterns = self.config.orchestration.assets.values()
        return any(p.partitions or p.backfill_policy for p in patterns)

    # --- specs --------------------------------------------------------------------------------

    def spec_with_settings(self, spec: AssetSpec) -> AssetSpec:
        """``spec`` with what the patterns give its key: group, kind, partitions, condition.
        A pattern's value wins over the code's (partitions are checked for conflicts first)."""
        found = self.of_key(spec.key)
        group, kind = found["group_name"], found["compute_kind"]
        partitions = self.partitions_of(spec.key) or spec.partitions_def
        condition = self.automation_of(spec.key, partitions)
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
                    done.append(self.policies.with_policy(mapped, dbt=False))
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
        for name in ("partitions", "backfill_policy"):
            values = {k: self.of_key(k)[name] for k in keys}
            if len({repr(v) for v in values.values()}) > 1:
                pattern = next(p for k in keys if (p := self.of_key(k).pattern(name)))
                shown = ", ".join(f"{k.to_user_string()} ({values[k] or 'none'})" for k in keys)
                problems.append(
                    self.config.source.issue(
                        ("orchestration", "assets", pattern, name),
                        IssueCode.MIXED_PARTITIONS,
                        f"the multi-asset '{op}' in '{module}' would get different {name} for its "
                        f"assets: {shown}; Dagster gives a multi-asset one {name}",
                        "make the patterns give every asset of the multi-asset the same value",
                    )
                )
                ok = False
        code = item.partitions_def
        named = self.partitions_name(first)
        wanted = self.partitions.get(named) if named else None
        if code is not None and wanted is not None and code != wanted:
            pattern = self.of_key(first).pattern("partitions") or ""
            problems.append(
                self.config.source.issue(
                    ("orchestration", "assets", pattern, "partitions"),
                    IssueCode.PARTITIONS_CONFLICT,
                    f"'{first.to_user_string()}' ('{op}' in '{module}') declares partitions in "
                    f"code ({describe(code)}); pattern '{pattern}' gives it '{named}' "
                    f"({describe(wanted)})",
                    "declare the partitions in one place: remove partitions_def from the code or "
                    "the pattern",
                )
            )
            ok = False
        return ok


def unused_declarations(
    config: FloeConfig, partitions: Mapping[str, PartitionsDefinition], graph: Any
) -> list[ConfigIssue]:
    """What ``orchestration.assets`` and ``orchestration.partitions`` declare that no asset of
    ``graph`` takes: a pattern that matches no key (``pattern_matches_nothing``) and a
    partitions definition that no asset has, on its own or as a dimension (``partitions_unused``).
    Warnings, not errors: the settings are harmless, but what they say happens does not.
    ``partitions`` are floe.yaml's, built (``build_partitions``)."""
    texts = sorted(key_text(k) for k in graph.get_all_asset_keys())
    issues = []
    for pattern in config.orchestration.assets:
        if fnmatch.filter(texts, pattern):
            continue
        close = difflib.get_close_matches(pattern.replace("*", ""), texts, n=3, cutoff=0.5)
        issues.append(
            config.source.issue(
                ("orchestration", "assets", pattern),
                IssueCode.PATTERN_MATCHES_NOTHING,
                f"pattern '{pattern}' matches no asset, so its settings apply to nothing",
                f"assets are matched by key, parts joined by '/' (closest: {', '.join(close)})"
                if close
                else "assets are matched by key, parts joined by '/'; `floe plan` lists them",
            )
        )
    taken: dict[int, PartitionsDefinition] = {}
    for key in graph.get_all_asset_keys():
        definition = graph.get(key).partitions_def
        if definition is not None and id(definition) not in taken:
            dimensions = [d.partitions_def for d in getattr(definition, "partitions_defs", [])]
            taken.update((id(d), d) for d in [definition, *dimensions])
    for name, definition in partitions.items():
        if id(definition) in taken or definition in taken.values():
            continue
        issues.append(
            config.source.issue(
                ("orchestration", "partitions", name),
                IssueCode.PARTITIONS_UNUSED,
                f"no asset has partitions '{name}' ({describe(definition)})",
                f"give assets these partitions with a pattern under orchestration.assets "
                f'(`"stg_*": {{partitions: {name}}}`), or remove them',
            )
        )
    return issues
