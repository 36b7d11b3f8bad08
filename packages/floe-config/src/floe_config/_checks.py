"""Checks across keys (FR-017, 029, 035, 043, 047): every reference resolves, backfill ranges fit
their partitions, names do not clash.

They run even when some sections failed type validation, so that every problem is reported at
once. The rule that keeps them from crashing on such input: the loader replaces every value that
failed its own type check with ``INVALID`` before the checks see the tree, and every check reads
values through ``_mapping`` / ``_list`` / ``_text``, which turn anything of the wrong shape into
"absent"."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from floe_config._codes import IssueCode
from floe_config._errors import ConfigIssue
from floe_config._model_partitions import default_fmt, parse_partition_date
from floe_config._source_map import KeyPath as Path
from floe_config._types import cron_is_valid, suggest
from floe_config._yaml import RawDocument

_SELECTION_KEY = re.compile(r"(?:key|asset):([^\s()]+)")
_SELECTION_GROUP = re.compile(r"group:([^\s()]+)")
_SELECTION_WORD = re.compile(r"(?<![\w:*])([A-Za-z_][\w*/-]*)(?![\w:])")
_KEYWORDS = {"and", "or", "not"}
_DURATION_ARG = re.compile(r"retention|_days$|_hours$|_seconds$")
_COUNT_ARG = re.compile(r"batch_size|interval")


class _Invalid:
    """Stands for a value that failed its own type check (reported there already)."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


def prune(data: Any, paths: set[Path]) -> Any:
    """``data`` with the value at each of ``paths`` replaced by ``INVALID`` (indices kept)."""
    if not paths:
        return data
    if () in paths:
        return INVALID
    heads: dict[str | int, set[Path]] = {}
    for path in paths:
        heads.setdefault(path[0], set()).add(path[1:])
    if isinstance(data, dict):
        return {k: prune(v, heads[k]) if k in heads else v for k, v in data.items()}
    if isinstance(data, list):
        return [prune(v, heads[i]) if i in heads else v for i, v in enumerate(data)]
    return data


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    """A scalar as text (YAML may type ``fmt: 2024`` as a number); None for anything else."""
    if isinstance(value, bool) or value is None or isinstance(value, _Invalid):
        return None
    return str(value) if isinstance(value, str | int | float) else None


def _entries(section: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, entry in _mapping(section).items():
        if isinstance(entry, dict):
            yield name, entry


class _Checker:
    def __init__(self, document: RawDocument, data: Any, base_package: str | None) -> None:
        self.doc = document
        self.data = _mapping(data)
        self.orchestration = _mapping(self.data.get("orchestration"))
        self.jobs = _mapping(self.orchestration.get("jobs"))
        self.partitions = _mapping(self.orchestration.get("partitions"))
        self.base_package = base_package
        self.issues: list[ConfigIssue] = []

    def add(self, path: Path, code: IssueCode, message: str, hint: str | None = None) -> None:
        self.issues.append(self.doc.source.issue(path, code, message, hint))

    def reference(self, path: Path, name: Any, known: dict[str, Any], what: str) -> bool:
        if not isinstance(name, str) or name in known:
            return isinstance(name, str)
        near = suggest(name, known)
        if near:
            hint = f"did you mean '{near}'?"
        elif known:
            hint = f"define it under orchestration.{what}s, or use one of: {', '.join(known)}"
        else:
            hint = f"define it under orchestration.{what}s"
        code = {"job": IssueCode.UNKNOWN_JOB, "partition": IssueCode.UNKNOWN_PARTITION}[what]
        self.add(path, code, f"unknown {what} '{name}'", hint)
        return False

    def run(self) -> list[ConfigIssue]:
        root: Path = ("orchestration",)
        for name, schedule in _entries(self.orchestration.get("schedules")):
            self.reference((*root, "schedules", name, "job"), schedule.get("job"), self.jobs, "job")
        for name, sensor in _entries(self.orchestration.get("sensors")):
            here = (*root, "sensors", name)
            self.reference((*here, "job"), sensor.get("job"), self.jobs, "job")
            watched = sensor.get("watched_jobs")
            if sensor.get("type") == "run_status":
                for index, job in enumerate(_list(watched)):
                    self.reference((*here, "watched_jobs", index), job, self.jobs, "job")
            self.positive_args((*here, "args"), sensor.get("args"))
        for name, job in _entries(self.jobs):
            if job.get("type") == "ops":
                self.positive_args((*root, "jobs", name, "args"), job.get("args"))
        self.assets()
        self.multi_dimensions()
        self.backfills()
        self.instigator_names()
        self.modules()
        self.dbt()
        return self.issues

    def positive_args(self, path: Path, args: Any) -> None:
        """Args named like a duration (``retention_days``) must not be negative, and like a
        count or interval (``batch_size``) must be positive: the usual slips in maintenance
        arguments. Everything else is checked against the function's signature at load."""
        for key, value in _mapping(args).items():
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number:
                continue
            if _DURATION_ARG.search(key) and value < 0:
                self.add(
                    (*path, key),
                    IssueCode.MUST_BE_POSITIVE,
                    f"{key} must not be negative, found {value}",
                    "a negative retention or duration is meaningless; use 0 or more",
                )
            elif _COUNT_ARG.search(key) and value <= 0:
                self.add(
                    (*path, key),
                    IssueCode.MUST_BE_POSITIVE,
                    f"{key} must be greater than 0, found {value}",
                    "a batch size or interval of zero or less would never run",
                )

    def time_partitioned(self, name: Any) -> bool:
        """Whether partition ``name`` is a time window, or a multi with a time dimension."""
        definition = _mapping(self.partitions.get(name)) if isinstance(name, str) else {}
        if definition.get("type") == "time_window":
            return True
        dimensions = _mapping(definition.get("dimensions")).values()
        return any(
            _mapping(d).get("type") == "time_window" or self.time_partitioned(d)
            for d in dimensions
            if d != name
        )

    def assets(self) -> None:
        for pattern, config in _entries(self.orchestration.get("assets")):
            here = ("orchestration", "assets", pattern)
            condition = config.get("automation_condition")
            without_cron = condition == "on_cron" or (
                isinstance(condition, dict)
                and condition.get("type") == "on_cron"
                and condition.get("cron_schedule") is None
            )
            if without_cron and not self.time_partitioned(config.get("partitions")):
                self.add(
                    (*here, "automation_condition"),
                    IssueCode.MISSING_CRON,
                    f"on_cron needs a cron: '{pattern}' sets no cron_schedule and has no "
                    "time partitions whose cron it could use",
                    "write automation_condition: {type: on_cron, cron_schedule: "
                    "'0 * * * *'}, or give the pattern time_window partitions",
                )
            partition = config.get("partitions")
            if partition is not None:
                self.reference((*here, "partitions"), partition, self.partitions, "partition")
            elif config.get("backfill_policy") is not None:
                self.add(
                    (*here, "backfill_policy"),
                    IssueCode.BACKFILL_POLICY_WITHOUT_PARTITIONS,
                    f"a backfill policy applies to partitioned assets, but '{pattern}' has "
                    "no partitions",
                    "add 'partitions: <name>' or remove backfill_policy",
                )

    def multi_dimensions(self) -> None:
        for name, partition in _entries(self.partitions):
            if partition.get("type") != "multi":
                continue
            for dim, ref in _mapping(partition.get("dimensions")).items():
                path = ("orchestration", "partitions", name, "dimensions", dim)
                if not isinstance(ref, str):
                    continue
                if ref == name:
                    self.add(
                        path,
                        IssueCode.NESTED_MULTI,
                        f"partition '{name}' names itself as a dimension",
                        "name a time_window, static or dynamic partitions definition here",
                    )
                elif self.reference(path, ref, self.partitions, "partition"):
                    target = _mapping(self.partitions.get(ref))
                    if target.get("type") == "multi":
                        self.add(
                            path,
                            IssueCode.NESTED_MULTI,
                            f"dimension '{dim}' names multi partition '{ref}'; a dimension must "
                            "be time_window, static or dynamic",
                            f"name one of the dimensions of '{ref}' instead (Dagster's multi "
                            "partitions have two dimensions, neither a multi)",
                        )

    def instigator_names(self) -> None:
        schedules = _mapping(self.orchestration.get("schedules"))
        for name in _mapping(self.orchestration.get("sensors")):
            if name in schedules:
                self.add(
                    ("orchestration", "sensors", name),
                    IssueCode.DUPLICATE_NAME,
                    f"'{name}' names both a schedule and a sensor; Dagster needs distinct names",
                    "rename one of them",
                )

    def dotted_paths(self) -> Iterator[tuple[Path, Any]]:
        """Every module or function path of the document: asset modules, ops and custom sensor
        targets, dynamic partition functions (inline dimensions too)."""
        root: Path = ("orchestration",)
        for index, module in enumerate(_list(self.orchestration.get("asset_modules"))):
            yield (*root, "asset_modules", index), module
        for name, job in _entries(self.jobs):
            yield (*root, "jobs", name, "target_function"), job.get("target_function")
        for name, sensor in _entries(self.orchestration.get("sensors")):
            yield (*root, "sensors", name, "target_function"), sensor.get("target_function")
        for name, partition in _entries(self.partitions):
            yield (*root, "partitions", name, "fn"), partition.get("fn")
            for dim, inline in _entries(partition.get("dimensions")):
                yield (*root, "partitions", name, "dimensions", dim, "fn"), inline.get("fn")

    def modules(self) -> None:
        if self.base_package is not None:
            return
        for path, dotted in self.dotted_paths():
            if isinstance(dotted, str) and dotted.startswith("."):
                what = "module" if "asset_modules" in path else "function"
                self.add(
                    path,
                    IssueCode.RELATIVE_MODULE_OUTSIDE_PACKAGE,
                    f"relative {what} path '{dotted}', but floe.yaml is not inside a Python "
                    "package",
                    "add an __init__.py next to floe.yaml, or write the absolute module path",
                )

    def dbt(self) -> None:
        dbt = self.orchestration.get("dbt")
        if not isinstance(dbt, dict) or dbt.get("manifest_path") or dbt.get("project_dir"):
            return
        transforms = _mapping(_mapping(self.data.get("transforms")).get("dbt"))
        if not transforms.get("project_dir"):
            self.add(
                ("orchestration", "dbt"),
                IssueCode.MISSING_MANIFEST_PATH,
                "orchestration.dbt needs manifest_path (or a dbt project_dir to find it in)",
                "add manifest_path: dbt/target/manifest.json",
            )

    # --- backfills -----------------------------------------------------------------------------

    def job_partitions(self, job: dict[str, Any]) -> set[str]:
        """Partition names of the asset patterns a job's selection can reach (best effort)."""
        keys: set[str] = set()
        groups: set[str] = set()
        for item in _list(job.get("selection")):
            if not isinstance(item, str):
                continue
            keys.update(_SELECTION_KEY.findall(item))
            groups.update(_SELECTION_GROUP.findall(item))
            stripped = _SELECTION_KEY.sub(" ", _SELECTION_GROUP.sub(" ", item))
            keys.update(
                w for w in _SELECTION_WORD.findall(stripped.replace("+", " ")) if w not in _KEYWORDS
            )
        found = set()
        for pattern, config in _entries(self.orchestration.get("assets")):
            partition = config.get("partitions")
            if not isinstance(partition, str):
                continue
            by_key = any(
                fnmatch.fnmatchcase(k, pattern) or fnmatch.fnmatchcase(pattern, k) for k in keys
            )
            if by_key or config.get("group_name") in groups:
                found.add(partition)
        return found

    def backfills(self) -> None:
        for name, backfill in _entries(self.orchestration.get("backfills")):
            here = ("orchestration", "backfills", name)
            job_name = backfill.get("job")
            if not self.reference((*here, "job"), job_name, self.jobs, "job"):
                continue
            job = _mapping(self.jobs.get(str(job_name)))
            if job.get("type") == "ops":
                self.add(
                    (*here, "job"),
                    IssueCode.BACKFILL_NEEDS_BATCH_JOB,
                    f"job '{job_name}' is an ops job; only batch jobs over partitioned assets "
                    "can be backfilled",
                    f"name a batch job over partitioned assets; an ops job runs on its own "
                    f"(`floe run {job_name}`, or a schedule)",
                )
                continue
            for partition_name in sorted(self.job_partitions(job)):
                definition = _mapping(self.partitions.get(partition_name))
                self.backfill_fits(here, backfill, partition_name, definition)

    def backfill_fits(
        self, here: Path, backfill: dict[str, Any], name: str, definition: dict[str, Any]
    ) -> None:
        kind = definition.get("type")
        keys = backfill.get("partitions")
        window = _mapping(backfill.get("partition_range"))
        if kind == "static":
            allowed = [str(k) for k in _list(definition.get("partition_keys"))]
            if window:
                self.add(
                    (*here, "partition_range"),
                    IssueCode.BACKFILL_KIND_MISMATCH,
                    f"partition '{name}' is static; a range does not apply to it",
                    f"list keys instead: partitions: [{', '.join(allowed[:3])}]",
                )
            for index, key in enumerate(keys if isinstance(keys, list) else []):
                if str(key) not in allowed:
                    near = suggest(str(key), allowed)
                    self.add(
                        (*here, "partitions", index),
                        IssueCode.UNKNOWN_PARTITION_KEY,
                        f"'{key}' is not a key of partition '{name}' ({', '.join(allowed)})",
                        f"did you mean '{near}'?" if near else f"use one of: {', '.join(allowed)}",
                    )
        elif kind == "time_window":
            self.time_backfill(here, window, keys, name, definition)

    def time_backfill(
        self,
        here: Path,
        window: dict[str, Any],
        keys: Any,
        name: str,
        definition: dict[str, Any],
    ) -> None:
        cron = definition.get("cron_schedule", "0 0 * * *")
        if not isinstance(cron, str) or not cron_is_valid(cron):
            return
        fmt = _text(definition.get("fmt")) or default_fmt(cron)
        start, end = _text(definition.get("start")), _text(definition.get("end"))
        first = parse_partition_date(start, fmt) if start else None
        last = parse_partition_date(end, fmt) if end else None
        if first is None:
            return
        points: list[tuple[Path, Any]] = []
        if window:
            points = [((*here, "partition_range", k), window.get(k)) for k in ("start", "end")]
        elif isinstance(keys, list):
            points = [((*here, "partitions", i), key) for i, key in enumerate(keys)]
        parsed: list[datetime] = []
        for path, value in points:
            when = parse_partition_date(str(value), fmt)
            if when is None:
                self.add(
                    path,
                    IssueCode.INVALID_PARTITION_DATE,
                    f"'{value}' does not match partition '{name}' format '{fmt}'",
                    f"write it as {first.strftime(fmt)!r}",
                )
                continue
            parsed.append(when)
            if when < first or (last is not None and when > last):
                bounds = f"{first.strftime(fmt)} .. {last.strftime(fmt) if last else 'now'}"
                self.add(
                    path,
                    IssueCode.BACKFILL_OUT_OF_RANGE,
                    f"'{value}' is outside partition '{name}' ({bounds})",
                    "move the range inside the partition definition",
                )
        if window and len(parsed) == 2 and parsed[0] > parsed[1]:
            self.add(
                (*here, "partition_range", "end"),
                IssueCode.START_AFTER_END,
                f"end '{window.get('end')}' is before start '{window.get('start')}'",
                "swap start and end",
            )


def cross_check(document: RawDocument, data: Any, *, base_package: str | None) -> list[ConfigIssue]:
    return _Checker(document, data, base_package).run()
