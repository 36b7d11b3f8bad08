"""The ``orchestration:`` section: asset modules, dbt, partitions, assets, jobs, schedules,
sensors and backfills (FR-001..048). Key names follow spec/floe-yaml.md."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from floe_config._base import FloeModel
from floe_config._codes import IssueCode
from floe_config._model_partitions import Partition
from floe_config._types import (
    Cron,
    DagsterName,
    FunctionPath,
    GroupName,
    ModulePath,
    PositiveInt,
    Tags,
    Text,
    Timezone,
    suggest,
)


class DbtOrchestration(FloeModel):
    """Where the dbt manifest is and how dbt models are observed."""

    manifest_path: Text | None = Field(
        default=None, description="default: <project_dir>/target/manifest.json"
    )
    project_dir: Text | None = Field(
        default=None, description="default: transforms.dbt.project_dir"
    )
    profiles_dir: Text | None = None
    target: Text | None = None
    observability_level: Literal["per_model", "job_level"] = "per_model"
    table_metadata: bool = Field(
        default=True,
        description="after each dbt step, every model's column schema, and the row count of "
        "every table, incremental model, seed and snapshot (views: a note instead), as the "
        "materialization's metadata and in its lineage; false skips those queries",
    )
    asset_keys: Literal["name", "dagster_dbt"] = Field(
        default="name",
        description="name: every model, seed and snapshot keyed by its name; dagster_dbt: "
        "as dagster-dbt's default translator keys them ([schema, name] for a custom schema), "
        "so a project moving from dagster-dbt keeps its assets' history. Both honour "
        "meta.dagster.asset_key",
    )


# --- assets: patterns -> partitions, automation, backfill policy -------------------------------


class EagerCondition(FloeModel):
    """Materialize when upstream data changes (Dagster ``AutomationCondition.eager()``)."""

    type: Literal["eager"]


class OnMissingCondition(FloeModel):
    """Materialize missing partitions once upstream is ready (``on_missing()``)."""

    type: Literal["on_missing"]


class OnCronCondition(FloeModel):
    """Materialize on a cron tick once upstream has updated (``AutomationCondition.on_cron()``).

    Without ``cron_schedule`` the asset's own time partitions give the cron and timezone."""

    type: Literal["on_cron"]
    cron_schedule: Cron | None = Field(
        default=None, description="default: the cron of the asset's time partitions"
    )
    timezone: Timezone | None = Field(default=None, description="default: the cron's own, or UTC")


AutomationCondition = Annotated[
    EagerCondition | OnMissingCondition | OnCronCondition, Field(discriminator="type")
]


class BackfillPolicy(FloeModel):
    """How a backfill splits partitions into runs (Dagster's single_run / multi_run)."""

    type: Literal["single_run", "multi_run"]
    max_partitions_per_run: PositiveInt | None = Field(
        default=None, description="multi_run only; default 1"
    )

    @model_validator(mode="after")
    def _max_only_for_multi(self) -> BackfillPolicy:
        if self.type == "single_run" and self.max_partitions_per_run is not None:
            raise PydanticCustomError(
                IssueCode.INVALID_BACKFILL_POLICY,
                "single_run takes every partition in one run; max_partitions_per_run "
                "applies to multi_run only",
                {
                    "field": "max_partitions_per_run",
                    "hint": "use type: multi_run, or remove the key",
                },
            )
        return self


_CONDITION_NAMES = ("eager", "on_missing", "on_cron")


def _condition_shorthand(value: Any) -> Any:
    """``eager``, ``on_missing`` and ``on_cron`` stand for ``{type: ...}``."""
    if not isinstance(value, str):
        return value
    if value not in _CONDITION_NAMES:
        near = suggest(value, _CONDITION_NAMES)
        raise PydanticCustomError(
            IssueCode.INVALID_CHOICE,
            "'{value}' is not an automation condition; expected eager, on_missing or on_cron",
            {"value": value, "hint": f"did you mean '{near}'?" if near else None},
        )
    return {"type": value}


class AssetConfig(FloeModel):
    """Settings applied to every asset (Python or dbt) whose key matches the glob pattern."""

    partitions: DagsterName | None = None
    automation_condition: Annotated[
        AutomationCondition | None,
        BeforeValidator(
            _condition_shorthand,
            json_schema_input_type=Literal["eager", "on_missing", "on_cron"]
            | AutomationCondition
            | None,
        ),
    ] = None
    backfill_policy: BackfillPolicy | None = None
    group_name: GroupName | None = None
    compute_kind: Text | None = None


# --- jobs ---------------------------------------------------------------------------------------


class BatchJob(FloeModel):
    """Materializes the union of the selection items (Dagster asset selection syntax)."""

    type: Literal["batch"]
    selection: list[Annotated[Text, Field(min_length=1)]] = Field(min_length=1)
    description: Text | None = None
    tags: Tags = Field(default_factory=dict)


class OpsJob(FloeModel):
    """Calls ``target_function`` with ``args`` as run config (maintenance work)."""

    type: Literal["ops"]
    target_function: FunctionPath
    args: dict[str, Any] = Field(default_factory=dict)
    description: Text | None = None
    tags: Tags = Field(default_factory=dict)


Job = Annotated[BatchJob | OpsJob, Field(discriminator="type")]


class Schedule(FloeModel):
    """Runs ``job`` on ``cron_schedule`` in ``timezone``; ``enabled`` sets RUNNING or STOPPED."""

    job: DagsterName
    cron_schedule: Cron
    timezone: Timezone = "UTC"
    enabled: bool = Field(default=True, description="true -> RUNNING, false -> STOPPED")
    partition_selector: Literal["latest", "all"] = "latest"
    description: Text | None = None
    tags: Tags = Field(default_factory=dict)


# --- sensors ------------------------------------------------------------------------------------


class _Sensor(FloeModel):
    job: DagsterName
    poll_interval_seconds: PositiveInt = 30
    enabled: bool = True
    description: Text | None = None


class FileWatcherSensor(_Sensor):
    """Runs the job once per new or changed file whose name matches ``pattern`` (a glob) in
    ``path`` (and its subfolders with ``recursive``); ``path`` is relative to floe.yaml."""

    type: Literal["file_watcher"]
    path: Annotated[Text, Field(min_length=1)]
    pattern: Annotated[Text, Field(min_length=1)] = "*"
    recursive: bool = False


class AssetSensor(_Sensor):
    """Runs the job once when all (``trigger: all``, the default) or any (``trigger: any``) of
    ``watched_assets`` have materialized since its last run."""

    type: Literal["asset_sensor"]
    watched_assets: list[Annotated[Text, Field(min_length=1)]] = Field(min_length=1)
    trigger: Literal["all", "any"] = Field(
        default="all",
        description="all: every watched asset has a new materialization; any: one has",
    )


class RunStatusSensor(_Sensor):
    """Runs the job when a watched job reaches ``status``."""

    type: Literal["run_status"]
    watched_jobs: list[DagsterName] = Field(min_length=1)
    status: Literal["SUCCESS", "FAILURE", "STARTED"]


class CustomSensor(_Sensor):
    """``target_function([context,] **args)`` decides: RunRequest(s), a SkipReason, a bool
    (True: one run) or None (no run)."""

    type: Literal["custom"]
    target_function: FunctionPath
    args: dict[str, Any] = Field(default_factory=dict)


Sensor = Annotated[
    FileWatcherSensor | AssetSensor | RunStatusSensor | CustomSensor, Field(discriminator="type")
]


# --- backfills ----------------------------------------------------------------------------------


class PartitionRange(FloeModel):
    start: Text
    end: Text


class Backfill(FloeModel):
    """A named backfill of a job over a partition range (time) or a list of keys (static)."""

    job: DagsterName
    partition_range: PartitionRange | None = None
    partitions: list[Text] | None = Field(default=None, min_length=1)
    batch_size: PositiveInt | None = Field(
        default=None,
        description="partitions per run (becomes the assets' multi_run backfill policy); "
        "default: as the assets' backfill policies say",
    )
    description: Text | None = None
    tags: Tags = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_target(self) -> Backfill:
        if (self.partition_range is None) == (self.partitions is None):
            raise PydanticCustomError(
                IssueCode.INVALID_BACKFILL_TARGET,
                "a backfill needs exactly one of partition_range or partitions",
                {
                    "field": "partition_range",
                    "hint": "use partition_range: {start, end} for time partitions, "
                    "or partitions: [keys] for static ones",
                },
            )
        return self


class Orchestration(FloeModel):
    """Everything floe turns into Dagster definitions, keyed by name."""

    asset_modules: list[ModulePath] = Field(default_factory=list)
    dbt: DbtOrchestration | None = None
    partitions: dict[DagsterName, Partition] = Field(default_factory=dict)
    assets: dict[Annotated[str, Field(min_length=1)], AssetConfig] = Field(default_factory=dict)
    jobs: dict[DagsterName, Job] = Field(default_factory=dict)
    schedules: dict[DagsterName, Schedule] = Field(default_factory=dict)
    sensors: dict[DagsterName, Sensor] = Field(default_factory=dict)
    backfills: dict[DagsterName, Backfill] = Field(default_factory=dict)
