"""The one registry of error codes: every floe error, in every package, carries one of these.

Codes are stable: tools and tests match them, never the message text. A code's value is its
name in lower case (``IssueCode.UNKNOWN_JOB == "unknown_job"``).
"""

from __future__ import annotations

from enum import StrEnum


class IssueCode(StrEnum):
    """What kind of problem a ``ConfigIssue`` reports."""

    # floe.yaml as a document
    FILE_NOT_FOUND = "file_not_found"
    UNREADABLE_FILE = "unreadable_file"
    EMPTY_FILE = "empty_file"
    INVALID_YAML = "invalid_yaml"
    NOT_A_MAPPING = "not_a_mapping"
    INVALID_KEY = "invalid_key"
    DUPLICATE_KEY = "duplicate_key"
    TOO_LARGE = "too_large"
    INVALID_CONFIG = "invalid_config"
    # ${VAR:default}
    INVALID_PLACEHOLDER = "invalid_placeholder"
    SHELL_DEFAULT = "shell_default"
    UNSET_VARIABLE = "unset_variable"
    # the schema
    UNKNOWN_KEY = "unknown_key"
    MISSING_KEY = "missing_key"
    INVALID_TYPE = "invalid_type"
    INVALID_CHOICE = "invalid_choice"
    INVALID_VALUE = "invalid_value"
    EMPTY_VALUE = "empty_value"
    EMPTY_LIST = "empty_list"
    MUST_BE_POSITIVE = "must_be_positive"
    INVALID_NAME = "invalid_name"
    INVALID_TAG_KEY = "invalid_tag_key"
    INVALID_MODULE_PATH = "invalid_module_path"
    INVALID_FUNCTION_PATH = "invalid_function_path"
    INVALID_TIMEZONE = "invalid_timezone"
    INVALID_CRON = "invalid_cron"
    MISSING_CRON = "missing_cron"
    MISSING_URL = "missing_url"
    # partitions
    FMT_TOO_COARSE = "fmt_too_coarse"
    INVALID_PARTITION_DATE = "invalid_partition_date"
    START_AFTER_END = "start_after_end"
    DUPLICATE_PARTITION_KEY = "duplicate_partition_key"
    INVALID_PARTITION_KEY = "invalid_partition_key"
    MULTI_DIMENSIONS = "multi_dimensions"
    NESTED_MULTI = "nested_multi"
    # references between sections
    UNKNOWN_JOB = "unknown_job"
    UNKNOWN_PARTITION = "unknown_partition"
    DUPLICATE_NAME = "duplicate_name"
    RELATIVE_MODULE_OUTSIDE_PACKAGE = "relative_module_outside_package"
    MISSING_MANIFEST_PATH = "missing_manifest_path"
    # backfills and policies
    INVALID_BACKFILL_POLICY = "invalid_backfill_policy"
    BACKFILL_POLICY_WITHOUT_PARTITIONS = "backfill_policy_without_partitions"
    INVALID_BACKFILL_TARGET = "invalid_backfill_target"
    BACKFILL_NEEDS_BATCH_JOB = "backfill_needs_batch_job"
    BACKFILL_KIND_MISMATCH = "backfill_kind_mismatch"
    BACKFILL_OUT_OF_RANGE = "backfill_out_of_range"
    UNKNOWN_PARTITION_KEY = "unknown_partition_key"
    # the compiled artifact
    ARTIFACT_NOT_FOUND = "artifact_not_found"
    ARTIFACT_VERSION = "artifact_version"
    ARTIFACT_GRAMMAR = "artifact_grammar"
    INVALID_ARTIFACT = "invalid_artifact"
    MISSING_MANIFEST = "missing_manifest"
    # the dbt project and manifest (floe-dbt)
    MANIFEST_NOT_FOUND = "manifest_not_found"
    MANIFEST_UNREADABLE = "manifest_unreadable"
    MANIFEST_NOT_JSON = "manifest_not_json"
    NOT_A_MANIFEST = "not_a_manifest"
    MANIFEST_VERSION = "manifest_version"
    MANIFEST_DANGLING_DEPENDENCY = "manifest_dangling_dependency"
    MANIFEST_CYCLE = "manifest_cycle"
    DUPLICATE_NODE_NAME = "duplicate_node_name"
    MANIFEST_CHANGED = "manifest_changed"
    DBT_PROJECT_NOT_FOUND = "dbt_project_not_found"
    DBT_PROJECT_UNREADABLE = "dbt_project_unreadable"
    DBT_PROJECT_WITHOUT_PROFILE = "dbt_project_without_profile"
    PROFILES_DIR_NOT_FOUND = "profiles_dir_not_found"
    PROFILES_YML_NOT_FOUND = "profiles_yml_not_found"
    DBT_NOT_INSTALLED = "dbt_not_installed"
    DBT_PARSE_FAILED = "dbt_parse_failed"
    DBT_ERROR = "dbt_error"
    # Python code (floe-dagster)
    MISSING_MODULE = "missing_module"
    MODULE_SYNTAX_ERROR = "module_syntax_error"
    MODULE_IMPORT_ERROR = "module_import_error"
    MODULE_REJECTED = "module_rejected"
    DUPLICATE_MODULE = "duplicate_module"
    DUPLICATE_ASSET = "duplicate_asset"
    UNKNOWN_FUNCTION = "unknown_function"
    UNKNOWN_ARGUMENT = "unknown_argument"
    MISSING_ARGUMENT = "missing_argument"
    INVALID_ARGUMENT = "invalid_argument"
    # Dagster definitions (floe-dagster)
    INVALID_SELECTION = "invalid_selection"
    SELECTION_MATCHES_NOTHING = "selection_matches_nothing"
    DAGSTER_REJECTS = "dagster_rejects"
    ASSET_CYCLE = "asset_cycle"
    # partitions, automation and backfills against the built assets (floe-dagster)
    PARTITIONS_CONFLICT = "partitions_conflict"
    MIXED_PARTITIONS = "mixed_partitions"
    JOB_MIXED_PARTITIONS = "job_mixed_partitions"
    SELECTOR_WITHOUT_PARTITIONS = "selector_without_partitions"
    SELECTOR_MISMATCH = "selector_mismatch"
    SCHEDULE_ALL_AUTOMATED = "schedule_all_automated"
    SCHEDULE_LEAVES_OUT_AUTOMATED = "schedule_leaves_out_automated"
    PATTERN_MATCHES_NOTHING = "pattern_matches_nothing"
    PARTITIONS_UNUSED = "partitions_unused"
    BACKFILL_WITHOUT_PARTITIONS = "backfill_without_partitions"
    BACKFILL_BATCH_CONFLICT = "backfill_batch_conflict"
    PARTITION_FUNCTION_FAILED = "partition_function_failed"
    # sensors (floe-dagster)
    UNKNOWN_ASSET = "unknown_asset"
    SENSOR_FUNCTION_FAILED = "sensor_function_failed"
    WATCHED_FOLDER_MISSING = "watched_folder_missing"
    WATCHED_PATH_NOT_A_FOLDER = "watched_path_not_a_folder"
    # settings that load but do nothing where they are (warnings)
    SETTING_IGNORED = "setting_ignored"
    # the lake: Iceberg tables and the DuckDB warehouse (floe_dagster.lake)
    CATALOG_UNAVAILABLE = "catalog_unavailable"
    INVALID_MAINTENANCE_ARGUMENT = "invalid_maintenance_argument"
    COMPACTION_CONFLICT = "compaction_conflict"
    COMPACTION_LOST_ROWS = "compaction_lost_rows"
    WAREHOUSE_NOT_FOUND = "warehouse_not_found"
    # floe as a Dagster component (floe_dagster.FloeComponent)
    COMPONENT_STATE_MISSING = "component_state_missing"
    COMPONENT_STATE_STALE = "component_state_stale"
    COMPONENT_STATE_INVALID = "component_state_invalid"
    TWO_FLOE_COMPONENTS = "two_floe_components"
    # the floe command (floe-dagster's cli)
    POSTGRES_URL_INVALID = "postgres_url_invalid"
    POSTGRES_UNREACHABLE = "postgres_unreachable"
    NOT_A_DBT_PROJECT = "not_a_dbt_project"
    WOULD_OVERWRITE = "would_overwrite"
    IN_DG_PROJECT = "in_dg_project"
