"""Property test of the whole load: every mutated floe.yaml ends in success or a floe error that
names ``floe.yaml:LINE``; never a raw exception.

It starts from a realistic floe.yaml with every section (dbt, partitions, patterns, jobs,
schedules, sensors, backfills) on the demo's real dbt manifest and asset modules, applies the
ways people break YAML (a value replaced by any YAML value, a line deleted, duplicated,
re-indented or swapped, a key renamed), one to three at once, and runs both paths users run:
``floe validate`` (load_config, then build_definitions) and the code location
(compile_artifacts, then FloeDefinitions.from_compiled_artifacts).

``FLOE_FUZZ_EXAMPLES`` sets the number of examples (default 300). By default the examples are
derandomized, so CI runs the same ones every time and a red CI always means a change broke
something; ``FLOE_FUZZ_DERANDOMIZE=0`` explores new ones (run it by hand, with many examples).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from demo_env import compile_project, copy_demo, demo_environment
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from floe_config import FloeConfigError, load_config
from floe_dagster import FloeDagsterError, FloeDefinitions, build_definitions

BASE = """\
name: fuzzed_shop
version: "1.0.0"
transforms:
  dbt:
    project_dir: dbt
    target: ${DBT_TARGET:dev}
storage:
  catalog:
    type: sql
    uri: ${FLOE_CATALOG_URI:sqlite:///.floe/catalog.db}
    warehouse: ${FLOE_WAREHOUSE:.floe/warehouse}
  compute:
    type: duckdb
    path: ${FLOE_DUCKDB_PATH:.floe/warehouse.duckdb}
    threads: 2
governance:
  classification_source: dbt_meta
  emit_lineage: true
observability:
  service_name: fuzzed_shop
  traces:
    enabled: false
  lineage:
    enabled: false
    namespace: ${OPENLINEAGE_NAMESPACE:fuzzed_shop}
    transport: file
orchestration:
  asset_modules:
    - .orchestration.assets.bronze
    - .orchestration.assets.ops
  dbt:
    manifest_path: dbt/target/manifest.json
    observability_level: per_model
  partitions:
    daily:
      type: time_window
      start: "2024-01-01"
      cron_schedule: "0 0 * * *"
      timezone: UTC
    regions:
      type: static
      partition_keys: [us, eu, ap]
    daily_by_region:
      type: multi
      dimensions:
        date: daily
        region: regions
  assets:
    "bronze_*":
      partitions: daily
      automation_condition: on_missing
      backfill_policy:
        type: multi_run
        max_partitions_per_run: 10
    "stg_*":
      partitions: daily
      automation_condition: eager
    revenue_by_product:
      automation_condition:
        type: on_cron
        cron_schedule: "0 * * * *"
  jobs:
    bronze_refresh:
      type: batch
      selection: ["group:bronze"]
      description: Regenerate bronze
      tags: {layer: bronze}
    medallion_pipeline:
      type: batch
      selection:
        - "+customer_orders"
        - "+revenue_by_product"
    vacuum_tables:
      type: ops
      target_function: .orchestration.assets.ops.vacuum_old_snapshots
      args:
        retention_days: ${VACUUM_RETENTION_DAYS:7}
        dry_run: false
    send_alert:
      type: ops
      target_function: .orchestration.assets.ops.notify_failure
  schedules:
    nightly_pipeline:
      job: medallion_pipeline
      cron_schedule: ${PIPELINE_CRON:0 2 * * *}
      timezone: Europe/Berlin
      enabled: ${PIPELINE_SCHEDULE_ENABLED:false}
    weekly_vacuum:
      job: vacuum_tables
      cron_schedule: "0 3 * * 0"
  sensors:
    incoming_files:
      type: file_watcher
      job: bronze_refresh
      path: incoming
      pattern: "orders_*.csv"
      poll_interval_seconds: 30
    gold_on_bronze:
      type: asset_sensor
      job: medallion_pipeline
      watched_assets: [bronze_orders, bronze_order_items]
    failure_alert:
      type: run_status
      job: send_alert
      watched_jobs: [bronze_refresh, medallion_pipeline]
      status: FAILURE
  backfills:
    bronze_2024:
      job: bronze_refresh
      partition_range: {start: "2024-01-01", end: "2024-03-31"}
      batch_size: 10
"""

YAML_VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "~",
            "null",
            "true",
            "no",
            "0",
            "-1",
            "1e309",
            "3.5",
            "[]",
            "{}",
            "[a, b]",
            "{x: 1}",
            "'quoted'",
            '"\\u0000"',
            "${X}",
            "${X:-1}",
            "${X:}",
            "$${X}",
            "nightly-",
            "a.b",
            ".x.y",
            "@daily",
            "0 0 31 4 *",
            "* * * * * *",
            "Mars/Olympus",
            "A" * 300,
            "group:",
            "+",
            "key:*",
            "2024-13-01",
            "|",
            ">",
            "&a",
            "*a",
            "!!binary x",
            "[unclosed",
            "{unclosed",
            "- item",
            "? key",
            "%YAML 1.2",
            "'\\\\'",
            "not and or",
        ]
    ),
    st.integers(min_value=-(10**9), max_value=10**9).map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12).map(
        lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'
    ),
)
KEYS = st.one_of(
    st.sampled_from(
        [
            "type",
            "job",
            "jobs",
            "selection",
            "cron_schedule",
            "timezone",
            "enabled",
            "partitions",
            "partition_keys",
            "dimensions",
            "start",
            "end",
            "fmt",
            "args",
            "target_function",
            "watched_assets",
            "watched_jobs",
            "status",
            "path",
            "pattern",
            "batch_size",
            "partition_range",
            "manifest_path",
            "project_dir",
            "profiles_dir",
            "asset_modules",
            "automation_condition",
            "backfill_policy",
            "max_partitions_per_run",
            "name",
            "x",
        ]
    ),
    st.from_regex(r"[a-z_][a-z0-9_\-.]{0,8}", fullmatch=True),
)
_KEY_VALUE = re.compile(r"^(\s*(?:- )?)([^:#\s][^:#]*?):(\s.*)?$")


def _typo(draw: st.DrawFn, value: str) -> str:
    """A near miss of ``value``: one character dropped, doubled, replaced or inserted."""
    if not value:
        return draw(YAML_VALUES)
    at = draw(st.integers(min_value=0, max_value=len(value) - 1))
    how = draw(st.sampled_from(["drop", "double", "replace", "insert"]))
    char = draw(st.sampled_from(list("abz_-.:*+ 0/")))
    if how == "drop":
        return value[:at] + value[at + 1 :]
    if how == "double":
        return value[: at + 1] + value[at:]
    if how == "replace":
        return value[:at] + char + value[at + 1 :]
    return value[:at] + char + value[at:]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """BASE with one to three mutations. Most keep the YAML well-formed and change what it
    says (a value replaced, mistyped or swapped with another key's), so that the mutants reach
    the Dagster build and not only the YAML parser; the rest break the structure."""
    lines = BASE.splitlines()
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        line = lines[index]
        match = _KEY_VALUE.match(line)
        value = (match.group(3) or "").strip() if match else ""
        kinds = ["delete", "duplicate", "indent", "swap"]
        if match:
            kinds += ["rename", "value", "value", "typo", "typo", "typo", "exchange", "exchange"]
        kind = draw(st.sampled_from(kinds))
        if kind == "value" and match:
            lines[index] = f"{match.group(1)}{match.group(2)}: {draw(YAML_VALUES)}"
        elif kind == "typo" and match:
            lines[index] = f"{match.group(1)}{match.group(2)}: {_typo(draw, value)}"
        elif kind == "exchange" and match:
            others = [m for m in map(_KEY_VALUE.match, lines) if m and (m.group(3) or "").strip()]
            other = draw(st.sampled_from(others))
            lines[index] = f"{match.group(1)}{match.group(2)}: {(other.group(3) or '').strip()}"
        elif kind == "rename" and match:
            lines[index] = f"{match.group(1)}{draw(KEYS)}:{match.group(3) or ''}"
        elif kind == "delete" and len(lines) > 1:
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, line)
        elif kind == "indent":
            shift = draw(st.sampled_from([-4, -2, -1, 1, 2, 4]))
            lines[index] = " " * max(0, len(line) - len(line.lstrip()) + shift) + line.lstrip()
        else:
            other = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("fuzz")
    folder = copy_demo(root / "src", "fuzzed_shop")
    return folder, demo_environment(root / "state")


def _load_everything(folder: Path, env: dict[str, str]) -> None:
    """Both paths: what `floe validate` runs, and what a code location runs."""
    config = load_config(folder / "floe.yaml", env=env)
    build_definitions(config, env=env)
    FloeDefinitions.from_compiled_artifacts(compile_project(folder), env=env)


def test_the_base_document_loads(project: tuple[Path, dict[str, str]]) -> None:
    folder, env = project
    (folder / "floe.yaml").write_text(BASE)
    _load_everything(folder, env)


_LOCATED = re.compile(r"floe\.yaml:\d+")
EXAMPLES = int(os.environ.get("FLOE_FUZZ_EXAMPLES", "300"))
DERANDOMIZE = os.environ.get("FLOE_FUZZ_DERANDOMIZE", "1") != "0"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=mutated())
def test_every_mutant_ends_in_success_or_a_located_floe_error(
    project: tuple[Path, dict[str, str]], text: str
) -> None:
    folder, env = project
    (folder / "compiled_artifacts.json").unlink(missing_ok=True)
    (folder / "floe.yaml").write_text(text)
    try:
        _load_everything(folder, env)
    except (FloeConfigError, FloeDagsterError) as error:  # any other exception: the crash
        if not _LOCATED.search(str(error)):
            pytest.fail(f"an error without a floe.yaml line:\n{error}")


def test_regressions_from_the_issue(project: tuple[Path, dict[str, str]]) -> None:
    """The four crashes found by hand before this test existed, each now a located floe error."""
    folder, env = project
    cases = [  # (what the line was, what it becomes, code, key path)
        (
            'selection: ["group:bronze"]',
            "selection: -1",
            "invalid_type",
            "orchestration.jobs.bronze_refresh.selection",
        ),
        (
            "    nightly_pipeline:",
            "    nightly-:",
            "invalid_name",
            "orchestration.schedules.nightly-",
        ),
        (
            "timezone: Europe/Berlin",
            "timezone: " + "A" * 300,
            "invalid_timezone",
            "orchestration.schedules.nightly_pipeline.timezone",
        ),
        (
            "    project_dir: dbt",
            '    project_dir: dbt\n    profiles_dir: "\\0"',
            "profiles_dir_not_found",
            "transforms.dbt.profiles_dir",
        ),
    ]
    for old, new, code, path in cases:
        text = BASE.replace(old + "\n", new + "  # <-\n", 1)
        (folder / "floe.yaml").write_text(text)
        line = next(n for n, row in enumerate(text.splitlines(), 1) if row.endswith("# <-"))
        with pytest.raises((FloeConfigError, FloeDagsterError)) as caught:
            _load_everything(folder, env)
        found = [(i.code, i.line, i.path) for i in caught.value.issues]
        assert found == [(code, line, path)], str(caught.value)
