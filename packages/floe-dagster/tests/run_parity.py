"""What a run's process builds against what the code server builds, job by job (issue 21).

``Location(...).serve()`` builds a location as a code server does (INITIALIZATION: it records
the run plan); ``served.run(job)`` builds it as a run worker or step process of one run does
(RECONSTRUCTION, with the plan the code server recorded), and fails when the run's process
fell back to building the whole location; ``served.assert_same_run(job)`` compares the two. ``shape(job)`` is what execution reads of a job:
for every asset it materializes, the key, its parents, partitions, checks, group, kinds,
tags, owners, metadata and the op output that makes it; for every op, its name and tags
(dagster-dbt's dbt selection) and hooks; the job's tags, resources, and partitions when the
run's assets have any.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster import AssetKey, Definitions

from floe_config import FloeConfig
from floe_dagster import build_definitions
from floe_dagster._assets import Elsewhere
from floe_dagster._dagster_internals import (
    RunTarget,
    initialization_load,
    reconstruction_load,
)
from floe_dagster._dbt.translator import FloeDbtTranslator
from floe_dagster._runs.location import run_definitions
from floe_dagster._runs.plan import METADATA_KEY

RUNTIME_KEYS = {"dagster_dbt/manifest", "dagster_dbt/dagster_dbt_translator"}
"""On one spec of each dbt multi-asset (which one is the op's first): compared per op."""


@dataclass(frozen=True)
class Location:
    """A floe location (and, in a dg project, what the rest of the project defines)."""

    config: FloeConfig
    manifest: Path | None
    env: Mapping[str, str]
    elsewhere: Elsewhere | None = None

    def serve(self) -> Served:
        """The location as a code server builds it (``elsewhere`` merged as Dagster merges it),
        with the reconstruction metadata it left for the runs."""
        with initialization_load() as context:
            defs = build_definitions(
                self.config, manifest_path=self.manifest, env=self.env, elsewhere=self.elsewhere
            )
            if self.elsewhere is not None:
                defs = Definitions.merge(defs, *self.elsewhere.definitions)
            recorded = dict(context.get_pending_reconstruction_metadata())
        assert METADATA_KEY in recorded, recorded
        return Served(self, defs, recorded)


@dataclass(frozen=True)
class Served:
    """What a code server built of a location, and what it recorded for the runs."""

    location: Location
    definitions: Definitions
    recorded: Mapping[str, str]

    def run(self, job: str, selection: Iterable[AssetKey] | None = None) -> Definitions:
        """The definitions a run worker of ``job`` (and ``selection``) builds from the plan."""
        where = self.location
        target = RunTarget(job, frozenset(selection) if selection else None, None, None)
        with reconstruction_load(self.recorded):
            built = run_definitions(
                where.config,
                manifest_path=where.manifest,
                env=where.env,
                translator_class=FloeDbtTranslator,
                elsewhere=where.elsewhere or Elsewhere(),
                target=target,
            )
        assert built is not None, f"the run of {job} {selection} built the whole location"
        return Definitions.merge(built, *where.elsewhere.definitions) if where.elsewhere else built

    def assert_same_run(self, job: str, selection: Iterable[AssetKey] | None = None) -> int:
        """The run's process builds the same job as the code server; how many assets it runs."""
        chosen = list(selection) if selection else None
        expected = shape(self.definitions, job, chosen)
        found = shape(self.run(job, chosen), job, chosen)
        for part in expected:
            assert found[part] == expected[part], (job, chosen, part, expected[part], found[part])
        return len(expected["assets"])


def shape(definitions: Definitions, job: str, selection: Iterable[AssetKey] | None) -> Any:
    """What execution reads of ``job`` (subset to ``selection``) in ``definitions``."""
    resolved = definitions.get_repository_def().get_maybe_subset_job_def(
        job, asset_selection=set(selection) if selection else None
    )
    layer = resolved.asset_layer
    graph = layer.asset_graph
    assets = {}
    for key in sorted(layer.selected_asset_keys, key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "parents": sorted(p.to_user_string() for p in node.parent_keys),
            "partitions": node.partitions_def,
            "checks": sorted(c.to_user_string() for c in node.check_keys),
            "group": node.group_name,
            "kinds": sorted(node.kinds),
            "tags": dict(node.tags),
            "owners": list(node.owners),
            "metadata": {k: repr(v) for k, v in node.metadata.items() if k not in RUNTIME_KEYS},
            "output": str(layer.get_op_output_handle(key)),
            "code_version": node.code_version,
        }
    ops = {
        node.name: {
            "tags": dict(node.definition.tags),
            "hooks": sorted(h.name for h in node.hook_defs),
        }
        for node in resolved.graph.nodes
    }
    return {
        "assets": assets,
        "checks": sorted(
            str(k)
            for k in layer.asset_graph.asset_check_keys
            if k.asset_key in layer.selected_asset_keys
        ),
        "ops": ops,
        "tags": dict(resolved.tags),
        # Dagster's asset job keeps the partitions of the whole location's partitioned assets
        # even when a run selects unpartitioned ones; such a run reads none
        "partitions": resolved.partitions_def
        if any(a["partitions"] is not None for a in assets.values())
        else None,
        "resources": sorted(resolved.resource_defs),
    }
