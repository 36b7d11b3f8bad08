"""Every name floe uses that Dagster or dagster-dbt does not export, in one place (STYLE 24).

- Dagster has no public constructor for an asset graph from a list of assets that skips
  resource checks (``Definitions.resolve_asset_graph`` validates resources first, which a
  half-built code location cannot pass), no public backfill submission, and no public way to
  ask whether a load is a run worker's reconstruction. ``AssetGraph.from_assets`` normalizes
  every time (it reads each spec's table metadata to resolve deps by table name); floe's graph
  skips that when every referenced key is defined, through the same class's own steps.
- A ``StateBackedComponent`` that decides itself when its state is stale needs what the base
  class uses for that (``using_dagster_dev``, the local state path, the load context's state
  record), and floe's checks of a ``dg`` project walk its component declarations, which the
  component tree keeps without a public accessor.
- A run worker and a step process rebuild the location without being told which job they
  run: ``run_target`` reads it off the ``ReconstructableJob`` that is loading the repository
  (its ``job_name`` and asset selection), so that floe builds only what that run needs.
- A run's partition is in its tags, under names Dagster does not export (``dagster/partition``,
  ``dagster/asset_partition_range_start``); floe's executor checks them before a partitioned
  job's first step, and an ``Executor`` is handed Dagster's unexported ``PlanOrchestrationContext``,
  ``ExecutionPlan`` and ``RetryMode``.
- dagster-dbt reads its runtime facts off an asset spec's metadata, under keys it does not
  export (``DAGSTER_DBT_*``), and wraps the manifest in ``DbtManifestWrapper``; floe's faster
  spec builder writes the same keys, so that ``DbtCliResource.cli`` runs floe's specs unchanged.
- Which of an instance's daemon heartbeats is the backfill daemon's is a name on Dagster's
  daemon class (``BackfillDaemon.daemon_type()``); ``floe backfill`` says when none reports.
- How long a code server outlives a webserver that stopped without shutting it down
  (``WEBSERVER_GRPC_SERVER_HEARTBEAT_TTL``) is a constant only Dagster's workspace module
  holds; floe's ``dg`` project tests wait that long before they call a process left over.

``tests/test_dagster_internals.py`` fails loudly when an upgrade moves any of these.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster import AssetKey, AssetsDefinition, AssetSpec, DagsterInstance
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.definitions.definitions_load_context import (
    DefinitionsLoadContext,
    DefinitionsLoadType,
)
from dagster._core.definitions.metadata.metadata_value import (
    CodeLocationReconstructionMetadataValue,
)
from dagster._core.definitions.reconstruct import ReconstructableJob
from dagster._core.definitions.repository_definition import RepositoryLoadData
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)
from dagster._core.execution.context.system import PlanOrchestrationContext
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.retries import RetryMode
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_START_TAG, PARTITION_NAME_TAG
from dagster._core.workspace.context import WEBSERVER_GRPC_SERVER_HEARTBEAT_TTL
from dagster._utils.env import using_dagster_dev
from dagster.components.core.decl import ComponentDecl
from dagster.components.utils.project_paths import get_local_state_path
from dagster_dbt.asset_utils import (
    DAGSTER_DBT_EXCLUDE_METADATA_KEY,
    DAGSTER_DBT_MANIFEST_METADATA_KEY,
    DAGSTER_DBT_SELECT_METADATA_KEY,
    DAGSTER_DBT_TRANSLATOR_METADATA_KEY,
    DAGSTER_DBT_UNIQUE_ID_METADATA_KEY,
)
from dagster_dbt.dagster_dbt_translator import DbtManifestWrapper

from floe_dagster._warnings import dagster_internal_warnings_silenced

__all__ = [
    "ASSET_PARTITION_RANGE_START_TAG",
    "DAGSTER_DBT_EXCLUDE_METADATA_KEY",
    "DAGSTER_DBT_MANIFEST_METADATA_KEY",
    "DAGSTER_DBT_SELECT_METADATA_KEY",
    "DAGSTER_DBT_TRANSLATOR_METADATA_KEY",
    "DAGSTER_DBT_UNIQUE_ID_METADATA_KEY",
    "PARTITION_NAME_TAG",
    "WEBSERVER_GRPC_SERVER_HEARTBEAT_TTL",
    "AssetGraph",
    "ComponentDecl",
    "DbtManifestWrapper",
    "ExecutionPlan",
    "PlanOrchestrationContext",
    "RetryMode",
    "RunTarget",
    "UnresolvedAssetJobDefinition",
    "asset_graph",
    "backfill_error",
    "backfill_status",
    "component_root",
    "dev_cli",
    "initializing",
    "local_state_path",
    "reconstructing",
    "reconstruction_metadata",
    "record_for_reconstruction",
    "record_state_version",
    "run_target",
    "submit_job_backfill",
]


def reconstructing() -> bool:
    """True in a run worker or step process, which rebuilds definitions a code server already
    built and checked (Dagster's ``DefinitionsLoadType.RECONSTRUCTION``)."""
    return DefinitionsLoadContext.get().load_type == DefinitionsLoadType.RECONSTRUCTION


@dataclass(frozen=True)
class RunTarget:
    """What a reconstructing process runs: a job, and the part of it the run selected."""

    job_name: str
    asset_selection: frozenset[AssetKey] | None
    asset_check_selection: frozenset[Any] | None
    op_selection: frozenset[str] | None


_LOADING_FRAMES = frozenset({"get_repository_definition", "get_definition"})


def run_target() -> RunTarget | None:
    """The job (and selection) whose ``ReconstructableJob`` is loading the code location in
    this process: a run worker's or a step's. None anywhere else (a code server, a sensor, a
    load by hand), and when Dagster no longer loads through one."""
    frame = sys._getframe(1)  # no public API says which job is rebuilt
    while frame is not None:
        if frame.f_code.co_name in _LOADING_FRAMES:
            job = frame.f_locals.get("self")
            if isinstance(job, ReconstructableJob):
                return RunTarget(
                    job.job_name,
                    frozenset(job.asset_selection) if job.asset_selection is not None else None,
                    (
                        frozenset(job.asset_check_selection)
                        if job.asset_check_selection is not None
                        else None
                    ),
                    frozenset(job.op_selection) if job.op_selection else None,
                )
        frame = frame.f_back  # type: ignore[assignment]
    return None


def record_for_reconstruction(key: str, value: str) -> None:
    """Leave ``value`` under ``key`` for every process that rebuilds this location (the load
    context's pending reconstruction metadata, which Dagster stores with each run)."""
    DefinitionsLoadContext.get().add_to_pending_reconstruction_metadata(key, value)


def reconstruction_metadata(key: str) -> str | None:
    """What the code server recorded under ``key`` for the processes that rebuild its location
    (``Definitions.with_reconstruction_metadata``); None at a code server's own load."""
    context = DefinitionsLoadContext.get()
    if context.load_type != DefinitionsLoadType.RECONSTRUCTION:
        return None
    value = context.reconstruction_metadata.get(key)
    return value if isinstance(value, str) else None


@contextmanager
def _load_as(
    load_type: DefinitionsLoadType, data: RepositoryLoadData | None
) -> Iterator[DefinitionsLoadContext]:
    previous = DefinitionsLoadContext.get()
    context = DefinitionsLoadContext(load_type, data)
    DefinitionsLoadContext.set(context)
    try:
        yield context
    finally:
        DefinitionsLoadContext.set(previous)


def initialization_load() -> AbstractContextManager[DefinitionsLoadContext]:
    """Build definitions inside this as a code server's first load does; the context it gives
    holds what that load recorded (``get_pending_reconstruction_metadata()``,
    ``accessed_defs_state_info``). For tests and benchmarks that stand in for a code server."""
    return _load_as(DefinitionsLoadType.INITIALIZATION, None)


def reconstruction_load(
    metadata: Mapping[str, str],
) -> AbstractContextManager[DefinitionsLoadContext]:
    """Build definitions inside this as a run worker or step process does, given the
    reconstruction ``metadata`` the code server recorded."""
    wrapped = {
        key: CodeLocationReconstructionMetadataValue(value) for key, value in metadata.items()
    }
    data = RepositoryLoadData(cacheable_asset_data={}, reconstruction_metadata=wrapped)
    return _load_as(DefinitionsLoadType.RECONSTRUCTION, data)


def initializing() -> bool:
    """True in a code server's (or a ``dg`` command's) load, which checks and may refresh state
    (``DefinitionsLoadType.INITIALIZATION``)."""
    return DefinitionsLoadContext.get().load_type == DefinitionsLoadType.INITIALIZATION


def dev_cli() -> bool:
    """True under ``dg`` (every command) and ``dagster dev``: ``DAGSTER_IS_DEV_CLI`` is set."""
    return using_dagster_dev()


def local_state_path(key: str, project_root: Path) -> Path:
    """The file a ``LOCAL_FILESYSTEM`` component state of ``key`` lives in (its folder is made)."""
    return get_local_state_path(key, project_root)


def record_state_version(key: str, version: str) -> None:
    """Tell the load which version of the state ``key`` it built from, as the base class does
    after a refresh."""
    DefinitionsLoadContext.get().add_defs_state_info(key, version)


def component_root(tree: Any) -> ComponentDecl[Any]:
    """The root of a ``dg`` project's component declarations (``decl.loc``, ``decl.component_type``,
    ``decl.iterate_child_component_decls()``)."""
    root: ComponentDecl[Any] = tree.find_root_decl()
    return root


def job_asset_keys(job: Any) -> frozenset[AssetKey]:
    """The assets a built job materializes (its asset layer's selection; none for a job of
    plain ops)."""
    return frozenset(job.asset_layer.selected_asset_keys)


def asset_graph(assets: Iterable[Any]) -> AssetGraph:
    """The asset graph of ``assets`` (assets, multi-assets, specs, asset checks). Plain
    ``AssetSpec`` objects become external assets, one definition per partitions definition,
    as ``Definitions`` does."""
    items = list(assets)
    specs: dict[Any, list[AssetSpec]] = {}
    for item in items:
        if isinstance(item, AssetSpec):
            specs.setdefault(item.partitions_def, []).append(item)
    with dagster_internal_warnings_silenced():
        external = [AssetsDefinition(specs=group) for group in specs.values()]
        others = [item for item in items if not isinstance(item, AssetSpec)]
        assets = [*others, *external]
        if not _resolved(assets):
            return AssetGraph.from_assets(assets)
        nodes, checks = _Resolved.key_mappings_from_assets(assets)
        return AssetGraph(asset_nodes_by_key=nodes, assets_defs_by_check_key=checks)


class _Resolved(AssetGraph):
    """An asset graph whose every referenced key is defined: Dagster's normalization (source
    assets to external ones, deps by table name, stub definitions for undefined keys) would
    return the list unchanged, after reading every spec's table metadata (0.2 s at 10,000)."""

    @staticmethod
    def normalize_assets(assets: Iterable[AssetsDefinition | Any]) -> Sequence[AssetsDefinition]:
        return list(assets)


def _resolved(assets: Sequence[Any]) -> bool:
    """Whether ``assets`` are all definitions and every key they reference is one of theirs."""
    if not all(isinstance(a, AssetsDefinition) for a in assets):
        return False
    keys = {key for a in assets for key in a.keys}
    for a in assets:
        for spec in a.specs:
            if any(dep.asset_key not in keys for dep in spec.deps):
                return False
        for check in a.check_specs:
            if check.asset_key not in keys or any(
                dep.asset_key not in keys for dep in check.additional_deps
            ):
                return False
    return True


def submit_job_backfill(
    instance: DagsterInstance,
    *,
    location: str,
    job: str,
    partitions: Sequence[str],
    title: str,
    description: str | None,
    tags: Mapping[str, str],
) -> str:
    """Submit a backfill of job ``job`` of code location ``location`` over ``partitions`` for
    the daemon to run: what the UI's "Launch backfill" on a job's partitions page and GraphQL's
    ``launchPartitionBackfill`` with a partition set make (there is no public Python API). Its
    runs are runs of ``job``, split by the job's backfill policy (ranges of its
    ``max_partitions_per_run``). The daemon finds the job by the location's name alone (the
    origin Dagster keeps for a location it does not load itself)."""
    # a backfill's module brings the remote asset graph (0.02 s): a submission imports it, a
    # load does not
    from dagster._core.definitions.repository_definition.valid_definitions import (  # noqa: PLC0415
        SINGLETON_REPOSITORY_NAME,
    )
    from dagster._core.execution.backfill import (  # noqa: PLC0415
        BulkActionStatus,
        PartitionBackfill,
    )
    from dagster._core.remote_origin import (  # noqa: PLC0415
        RegisteredCodeLocationOrigin,
        RemotePartitionSetOrigin,
        RemoteRepositoryOrigin,
    )
    from dagster._core.remote_representation.external_data import (  # noqa: PLC0415
        partition_set_snap_name_for_job_name,
    )
    from dagster._core.utils import make_new_backfill_id  # noqa: PLC0415

    repository = RemoteRepositoryOrigin(
        code_location_origin=RegisteredCodeLocationOrigin(location_name=location),
        repository_name=SINGLETON_REPOSITORY_NAME,
    )
    backfill_id = make_new_backfill_id()
    with dagster_internal_warnings_silenced():
        backfill = PartitionBackfill(
            backfill_id=backfill_id,
            partition_set_origin=RemotePartitionSetOrigin(
                repository_origin=repository,
                partition_set_name=partition_set_snap_name_for_job_name(job),
            ),
            status=BulkActionStatus.REQUESTED,
            partition_names=list(partitions),
            from_failure=False,
            reexecution_steps=None,
            tags=dict(tags),
            backfill_timestamp=time.time(),
            asset_selection=None,
            title=title,
            description=description,
        )
        instance.add_backfill(backfill)
    return backfill_id


def backfill_status(instance: DagsterInstance, backfill_id: str) -> str | None:
    """The status of a backfill (``BulkActionStatus`` name), or None if the instance lacks it."""
    backfill = instance.get_backfill(backfill_id)
    return backfill.status.value if backfill is not None else None


def backfill_daemon_heartbeat(instance: DagsterInstance) -> float | None:
    """When the daemon that runs backfills last reported to ``instance`` (seconds since the
    epoch), or None if none ever did. Dagster keeps the daemon's type name on its class."""
    # the daemon's module brings 450 others (0.4 s): `floe backfill` imports it, a load does not
    from dagster._daemon.daemon import BackfillDaemon  # noqa: PLC0415

    heartbeat = instance.get_daemon_heartbeats().get(BackfillDaemon.daemon_type())
    return heartbeat.timestamp if heartbeat is not None else None


def backfill_error(instance: DagsterInstance, backfill_id: str) -> str:
    """The last line of the error the daemon recorded on a backfill (say, no code location of
    that name), or ``""``."""
    backfill = instance.get_backfill(backfill_id)
    error = backfill.error if backfill is not None else None
    lines = error.message.strip().splitlines() if error is not None else []
    return lines[-1] if lines else ""
