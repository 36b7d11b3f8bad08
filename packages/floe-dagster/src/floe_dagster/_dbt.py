"""dbt models, seeds and snapshots as Dagster assets: one asset each, run by one dbt step.

No ``from __future__ import annotations`` here: Dagster checks the ``context`` annotation of
the compute function (DESIGN.md).
"""

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetsDefinition
from dagster_dbt import dbt_assets

from floe_config import FloeConfig
from floe_dagster._observability.dbt_events import start_recording
from floe_dagster._resources import FloeDbtCliResource
from floe_dagster._translator import FloeDbtTranslator
from floe_dagster._warnings import dagster_internal_warnings_silenced
from floe_dbt import DbtManifest

DBT_RESOURCE_KEY = "dbt"
DBT_OP_NAME = "dbt_models"


@dataclass(frozen=True)
class DbtLocation:
    """Where the dbt project, its manifest and floe's dbt state live for one code location."""

    project_dir: Path
    manifest_path: Path
    state_dir: Path
    target: str | None = None

    def target_path(self, run_id: str) -> Path:
        """A fresh dbt target directory for one invocation, under the state directory."""
        return self.state_dir / "target" / f"{run_id[:8]}-{uuid.uuid4().hex[:6]}"


def state_directory(config: FloeConfig, env: Mapping[str, str]) -> Path:
    """``FLOE_STATE_DIR`` if set, else ``.floe`` next to floe.yaml."""
    configured = env.get("FLOE_STATE_DIR")
    return Path(configured).absolute() if configured else config.path(".floe")


def run_dbt_build(
    context: AssetExecutionContext, dbt: FloeDbtCliResource, location: DbtLocation
) -> Iterator[Any]:
    """``dbt build`` of the selected models (and their tests), streaming Dagster events.

    Every structured dbt event also goes to floe's per-model recorder (real start and end
    times, status, messages), which the step observer turns into spans and lineage runs.
    """
    target_path = location.target_path(context.run.run_id)
    step_key = context.op_execution_context.get_step_execution_context().step.key
    record = start_recording(context.run.run_id, step_key, target_path)
    invocation = dbt.cli(["build"], context=context, target_path=target_path)
    for event in invocation.stream_raw_events():
        record.record(event.raw_event)
        yield from event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=invocation.context,
            target_path=invocation.target_path,
            project=invocation.project,
        )


def build_dbt_assets(
    config: FloeConfig,
    *,
    manifest: DbtManifest,
    location: DbtLocation,
    translator: FloeDbtTranslator | None = None,
) -> list[AssetsDefinition]:
    """One Dagster multi-asset holding every dbt model, seed and snapshot as its own asset."""
    translator = translator or FloeDbtTranslator(manifest=manifest, config=config)

    with dagster_internal_warnings_silenced():

        @dbt_assets(
            manifest=location.manifest_path,
            name=DBT_OP_NAME,
            dagster_dbt_translator=translator,
            required_resource_keys={DBT_RESOURCE_KEY},
        )
        def dbt_models(context: AssetExecutionContext):  # type: ignore[no-untyped-def]
            dbt = getattr(context.resources, DBT_RESOURCE_KEY)
            yield from run_dbt_build(context, dbt, location)

    return [dbt_models]
