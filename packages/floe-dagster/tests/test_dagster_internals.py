"""floe's private Dagster imports still exist: an upgrade that moves one fails here, loudly."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import (
    AssetKey,
    AssetSpec,
    ComponentTree,
    DagsterInstance,
    asset,
)

from floe_dagster._dagster_internals import (
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
    WEBSERVER_GRPC_SERVER_HEARTBEAT_TTL,
    AssetGraph,
    ExecutionPlan,
    PlanOrchestrationContext,
    RetryMode,
    UnresolvedAssetJobDefinition,
    asset_graph,
    backfill_daemon_heartbeat,
    backfill_error,
    backfill_status,
    component_root,
    dev_cli,
    initialization_load,
    initializing,
    local_state_path,
    reconstructing,
    reconstruction_load,
    reconstruction_metadata,
    record_for_reconstruction,
    record_state_version,
    submit_job_backfill,
)
from floe_dagster._orchestration.backfill_run import DAEMON_SILENT_SECONDS, daemon_absent


@asset
def upstream() -> None: ...


@asset(deps=[upstream])
def downstream() -> None: ...


def test_the_private_names_resolve() -> None:
    assert (PARTITION_NAME_TAG, ASSET_PARTITION_RANGE_START_TAG) == (
        "dagster/partition",
        "dagster/asset_partition_range_start",
    )
    assert isinstance(AssetGraph, type)
    assert all(isinstance(t, type) for t in (ExecutionPlan, PlanOrchestrationContext, RetryMode))
    assert isinstance(UnresolvedAssetJobDefinition, type)
    assert isinstance(WEBSERVER_GRPC_SERVER_HEARTBEAT_TTL, int | float)
    assert 0 < WEBSERVER_GRPC_SERVER_HEARTBEAT_TTL < 600
    graph = asset_graph([upstream, downstream])
    assert graph.get(AssetKey("downstream")).parent_keys == {AssetKey("upstream")}


def test_plain_asset_specs_join_the_graph() -> None:
    """A module may define plain AssetSpecs (external assets, such as a dbt source's table)."""
    specs = [AssetSpec("raw_events"), AssetSpec("raw_users", group_name="raw")]
    graph = asset_graph([*specs, upstream, downstream])
    assert graph.get(AssetKey("raw_users")).group_name == "raw"
    assert not graph.get(AssetKey("raw_events")).is_executable


def test_a_plain_load_is_not_a_reconstruction() -> None:
    assert reconstructing() is False
    assert reconstruction_metadata("floe/run_plan") is None
    with reconstruction_load({"floe/run_plan": "plan.json"}):
        assert reconstructing() is True
        assert initializing() is False
        assert reconstruction_metadata("floe/run_plan") == "plan.json"
    with initialization_load() as context:
        record_for_reconstruction("floe/run_plan", "next.json")
        assert context.get_pending_reconstruction_metadata() == {"floe/run_plan": "next.json"}
    assert reconstructing() is False


def test_what_a_state_backed_component_asks_of_the_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load type, ``DAGSTER_IS_DEV_CLI``, the local state folder and the state record: what
    ``FloeComponent`` uses to decide for itself when its state is stale."""
    assert initializing() is True
    monkeypatch.delenv("DAGSTER_IS_DEV_CLI", raising=False)
    assert dev_cli() is False
    monkeypatch.setenv("DAGSTER_IS_DEV_CLI", "1")
    assert dev_cli() is True
    defs = tmp_path / "src" / "state_shop" / "defs"
    defs.mkdir(parents=True)
    (defs.parent / "__init__.py").write_text("")
    (defs / "__init__.py").write_text("")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "state_shop"\n[tool.dg]\ndirectory_type = "project"\n'
        '[tool.dg.project]\nroot_module = "state_shop"\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    state = local_state_path("FloeComponent[defs/floe.yaml]", tmp_path)
    assert state.parent.is_dir()
    assert not state.exists()
    assert state.is_relative_to(defs / ".local_defs_state")
    with initialization_load() as context:
        record_state_version("FloeComponent[defs/floe.yaml]", "v1")
        info = context.accessed_defs_state_info
        assert info is not None
        assert info.get_version("FloeComponent[defs/floe.yaml]") == "v1"


def test_the_component_tree_gives_its_root_declaration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    defs = tmp_path / "src" / "tree_shop" / "defs"
    (defs / "reports").mkdir(parents=True)
    (defs / "__init__.py").write_text("")
    (defs / "reports" / "orders.py").write_text(
        "import dagster as dg\n\n@dg.asset\ndef orders() -> None: ...\n"
    )
    (tmp_path / "src" / "tree_shop" / "__init__.py").write_text("")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "tree_shop"\n[tool.dg]\ndirectory_type = "project"\n'
        '[tool.dg.project]\nroot_module = "tree_shop"\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    tree = ComponentTree.for_project(tmp_path)
    root = component_root(tree)
    found = {str(d.loc.get_display_key(tmp_path)) for d in root.iterate_all_component_decls()}
    assert "<root>" in found
    assert any("reports" in key for key in found), found


def test_a_job_backfill_submits_through_the_private_api(tmp_path: Path) -> None:
    """``PartitionBackfill``, the origins of a location Dagster does not load itself, the
    partition set's name, ``make_new_backfill_id`` and ``BulkActionStatus`` (no public API
    submits a backfill): the instance records it as requested, for the daemon, as a backfill
    of the job's partition set in the named location."""
    from dagster._core.execution.backfill import BulkActionStatus  # noqa: PLC0415
    from dagster._utils.error import SerializableErrorInfo  # noqa: PLC0415

    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        backfill_id = submit_job_backfill(
            instance,
            location="shop",
            job="daily",
            partitions=["2024-01-01", "2024-01-02"],
            title="two days",
            description=None,
            tags={"floe/test": "yes"},
        )
        assert backfill_status(instance, backfill_id) == "REQUESTED"
        assert backfill_status(instance, "no-such-backfill") is None
        backfill = instance.get_backfill(backfill_id)
        assert backfill is not None
        assert backfill.partition_set_origin is not None
        origin = backfill.partition_set_origin
        assert origin.partition_set_name == "daily_partition_set"
        assert origin.repository_origin.code_location_origin.location_name == "shop"
        assert origin.repository_origin.repository_name == "__repository__"
        assert backfill.partition_names == ["2024-01-01", "2024-01-02"]
        assert backfill.tags == {"floe/test": "yes"}
        assert backfill_error(instance, backfill_id) == ""
        # the daemon records why it gave up; floe shows the last line
        failed = backfill.with_status(BulkActionStatus.FAILED).with_error(
            SerializableErrorInfo("Traceback...\nlocation 'shop' not found\n", [], "Error")
        )
        instance.update_backfill(failed)
        assert backfill_status(instance, backfill_id) == "FAILED"
        assert backfill_error(instance, backfill_id) == "location 'shop' not found"


def test_the_backfill_daemons_heartbeat_is_read_under_its_type_name(tmp_path: Path) -> None:
    """The backfill daemon's type name (``BackfillDaemon.daemon_type()``) is the one its
    heartbeats carry: an instance no daemon ran on has none, and after the daemon controller's
    heartbeat for that daemon, floe reads its time. (A real daemon's is in the demo's
    test_backfill_daemon.)"""
    from dagster._daemon.types import DaemonHeartbeat  # noqa: PLC0415

    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert backfill_daemon_heartbeat(instance) is None
        instance.add_daemon_heartbeat(DaemonHeartbeat(1_700_000_000.0, "SENSOR", "a", None))
        assert backfill_daemon_heartbeat(instance) is None
        instance.add_daemon_heartbeat(DaemonHeartbeat(1_700_000_030.0, "BACKFILL", "a", None))
        assert backfill_daemon_heartbeat(instance) == 1_700_000_030.0
        assert daemon_absent(instance, now=1_700_000_030.0 + DAEMON_SILENT_SECONDS) is None
        assert daemon_absent(instance, now=1_700_000_030.0 + 600) == (
            "this instance's Dagster daemon last reported 10 min ago"
        )


def test_dagster_dbts_unexported_names_are_the_ones_its_own_builder_writes() -> None:
    """floe writes dagster-dbt's runtime facts under dagster-dbt's keys: an upgrade that renames
    them, or moves ``DbtManifestWrapper``, fails here instead of at a dbt step."""
    from dagster_dbt import DagsterDbtTranslator  # noqa: PLC0415

    from floe_dagster._dagster_internals import (  # noqa: PLC0415
        DAGSTER_DBT_EXCLUDE_METADATA_KEY,
        DAGSTER_DBT_MANIFEST_METADATA_KEY,
        DAGSTER_DBT_SELECT_METADATA_KEY,
        DAGSTER_DBT_TRANSLATOR_METADATA_KEY,
        DAGSTER_DBT_UNIQUE_ID_METADATA_KEY,
        DbtManifestWrapper,
    )

    node = {
        "unique_id": "model.shop.orders",
        "name": "orders",
        "resource_type": "model",
        "package_name": "shop",
        "fqn": ["shop", "orders"],
        "original_file_path": "models/orders.sql",
        "config": {"materialized": "table"},
        "meta": {},
        "columns": {},
        "tags": [],
        "depends_on": {"nodes": []},
    }
    raw = {"nodes": {"model.shop.orders": node}, "sources": {}, "metadata": {}}
    spec = DagsterDbtTranslator().get_asset_spec(raw, "model.shop.orders", None)
    assert spec.metadata[DAGSTER_DBT_UNIQUE_ID_METADATA_KEY] == "model.shop.orders"
    assert isinstance(spec.metadata[DAGSTER_DBT_MANIFEST_METADATA_KEY], DbtManifestWrapper)
    assert isinstance(spec.metadata[DAGSTER_DBT_TRANSLATOR_METADATA_KEY], DagsterDbtTranslator)
    assert DAGSTER_DBT_SELECT_METADATA_KEY.startswith("dagster_dbt/")
    assert DAGSTER_DBT_EXCLUDE_METADATA_KEY.startswith("dagster_dbt/")


def test_the_dbt_resource_members_floe_overrides_are_dagster_dbts(tmp_path: Path) -> None:
    """FloeDbtCliResource overrides two private members of dagster-dbt's resource (the dbt
    version, the in-process adapter): a rename would leave floe's override unused, silently."""
    from dagster_dbt import DbtCliResource  # noqa: PLC0415

    from floe_dagster import FloeDbtCliResource  # noqa: PLC0415
    from floe_dbt import dbt_executable  # noqa: PLC0415

    for name in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert name in vars(DbtCliResource), name
        assert name in vars(FloeDbtCliResource), name
    (tmp_path / "dbt_project.yml").write_text("name: shop\nversion: '1.0'\nprofile: shop\n")
    resource = FloeDbtCliResource(
        project_dir=str(tmp_path), dbt_executable=dbt_executable(), in_process_adapter=False
    )
    assert resource._initialize_dbt_core_adapter(["build"]) is None


RUN_TARGET_MODULE = """\
import json, os
import dagster as dg
from floe_dagster._dagster_internals import reconstructing, run_target

found = run_target()
with open(os.environ["RUN_TARGET_LOG"], "a") as out:
    out.write(json.dumps([reconstructing(), found and found.job_name,
        found and sorted(k.to_user_string() for k in found.asset_selection or ())]) + "\\n")

@dg.asset
def a() -> int: return 1

@dg.asset
def b(a: int) -> int: return a + 1

both = dg.define_asset_job("both", selection=["a", "b"], executor_def=dg.multiprocess_executor)
defs = dg.Definitions(assets=[a, b], jobs=[both])
"""


def test_a_step_process_knows_its_run(tmp_path: Path) -> None:
    """``run_target``: each step process of the multiprocess executor finds the job (and the
    run's selection) it rebuilds the location for; the process that launched it finds none."""
    import json  # noqa: PLC0415
    import os  # noqa: PLC0415
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    (tmp_path / "run_target_probe.py").write_text(RUN_TARGET_MODULE)
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    log = tmp_path / "targets.jsonl"
    paths = [str(tmp_path), *(p for p in sys.path if p)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths), RUN_TARGET_LOG=str(log))
    env["DAGSTER_HOME"] = str(tmp_path / "home")
    dagster = [sys.executable, "-m", "dagster", "job", "execute", "-m", "run_target_probe"]
    done = subprocess.run(
        [*dagster, "-j", "both"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen = [json.loads(line) for line in log.read_text().splitlines()]
    steps = [s for s in seen if s[1] is not None]
    assert len(steps) == 2, seen  # one process per step
    assert all(s == [True, "both", []] for s in steps), seen
    assert [s for s in seen if s[1] is None]  # the launcher: no job is loading it
