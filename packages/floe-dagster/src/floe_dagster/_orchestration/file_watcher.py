"""The ``file_watcher`` sensor: one run per new or changed file, keyed by path and
modification time, at most ``FILES_PER_TICK`` a tick, files settled for ``SETTLE_SECONDS``,
folder listings bounded by ``LISTING_TIMEOUT_SECONDS`` in a thread (a hung mount skips the
tick, with the reason)."""

from __future__ import annotations

import fnmatch
import json
import os
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from dagster import SensorDefinition, SensorEvaluationContext, SensorResult, SkipReason

from floe_config import ConfigIssue, FileWatcherSensor, FloeConfig, IssueCode
from floe_dagster._orchestration.sensor_target import Target, polling_sensor, tick_result

FILES_PER_TICK = 100
"""At most this many runs per file watcher tick; the rest follow on the next ticks."""
SETTLE_SECONDS = 2.0
"""A file counts once it has not changed for this long (a file still being written waits)."""
LISTING_TIMEOUT_SECONDS = 10.0
"""Listing the watched folder may take this long (a dead network mount hangs forever)."""


_LISTINGS: dict[str, threading.Thread] = {}
_LISTINGS_LOCK = threading.Lock()


def list_files(
    root: Path, pattern: str, recursive: bool
) -> tuple[list[tuple[str, int]] | None, str]:
    """``([(path, mtime_ns)], "")`` or ``(None, reason)``: one listing of a folder at a time,
    bounded in time (a hung mount hangs the listing thread, never the tick)."""
    key = str(root)
    with _LISTINGS_LOCK:
        previous = _LISTINGS.get(key)
        if previous is not None and previous.is_alive():
            return None, f"the previous listing of {root} has not returned (unreachable?)"
    found: list[list[tuple[str, int]] | str] = []

    def work() -> None:
        try:
            found.append(_walk(root, pattern, recursive))
        except OSError as error:
            found.append(f"cannot read {root}: {error.strerror or error}")

    thread = threading.Thread(target=work, name=f"floe-list-{root}", daemon=True)
    with _LISTINGS_LOCK:
        _LISTINGS[key] = thread
    thread.start()
    thread.join(LISTING_TIMEOUT_SECONDS)
    if thread.is_alive():
        return None, (
            f"listing {root} took longer than {LISTING_TIMEOUT_SECONDS:.0f} s (an unreachable "
            "mount?); the next tick tries again"
        )
    result = found[0] if found else f"cannot read {root}"
    return (None, result) if isinstance(result, str) else (result, "")


def _walk(root: Path, pattern: str, recursive: bool) -> list[tuple[str, int]] | str:
    if not root.exists():
        return f"the watched folder {root} does not exist (yet)"
    if not root.is_dir():
        return f"{root} is not a folder"
    files = []
    folders = [root]
    while folders:
        folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if recursive:
                        folders.append(Path(entry.path))
                elif entry.is_file() and fnmatch.fnmatchcase(entry.name, pattern):
                    files.append((entry.path, entry.stat().st_mtime_ns))
    return files


def new_files(
    listed: Iterable[tuple[str, int]], seen: Mapping[str, int], *, now: float, limit: int
) -> tuple[list[tuple[str, int]], dict[str, int]]:
    """The files to run now (new or changed, settled, oldest first, at most ``limit``), and
    the cursor after them: every listed file already run, at the version that ran."""
    settled = now - SETTLE_SECONDS
    listed = list(listed)
    candidates = sorted(
        (
            (mtime, path)
            for path, mtime in listed
            if seen.get(path) != mtime and mtime / 1e9 <= settled
        )
    )
    chosen = [(path, mtime) for mtime, path in candidates[:limit]]
    present = {path for path, _ in listed}
    cursor = {path: mtime for path, mtime in seen.items() if path in present}
    cursor.update(chosen)
    return chosen, cursor


STAT_TIMEOUT_SECONDS = 2.0
"""How long the load waits to learn what the watched path is (a dead mount never answers)."""


def _kind(path: Path) -> str | None:
    """``"folder"``, ``"other"`` (a file, say) or ``"missing"``; None when the file system does
    not answer within ``STAT_TIMEOUT_SECONDS`` (the load goes on without the check)."""
    found: list[str] = []

    def work() -> None:
        try:
            found.append("folder" if path.is_dir() else "other" if path.exists() else "missing")
        except OSError:
            found.append("missing")

    thread = threading.Thread(target=work, name=f"floe-stat-{path}", daemon=True)
    thread.start()
    thread.join(STAT_TIMEOUT_SECONDS)
    return found[0] if found else None


def folder_issue(config: FloeConfig, name: str, spec: FileWatcherSensor) -> ConfigIssue | None:
    """What is wrong, on this machine, with the folder file watcher ``name`` watches: a path
    that is not a folder (``watched_path_not_a_folder``, an error: the sensor lists a folder) or
    no folder there (``watched_folder_missing``, a warning: another system may create a landing
    folder later, and each tick skips until it exists)."""
    folder = config.path(spec.path)
    kind = _kind(folder)
    key = ("orchestration", "sensors", name, "path")
    if kind == "other":
        return config.source.issue(
            key,
            IssueCode.WATCHED_PATH_NOT_A_FOLDER,
            f"sensor '{name}' watches {folder}, which is not a folder",
            "give the folder that receives the files as `path`, and their names as `pattern`",
        )
    if kind == "missing":
        return config.source.issue(
            key,
            IssueCode.WATCHED_FOLDER_MISSING,
            f"sensor '{name}' watches {folder}, which does not exist on this machine; until it "
            "does, every tick skips",
            "create the folder, or correct `path` (a relative path is relative to floe.yaml's "
            "folder)",
        )
    return None


def file_watcher(
    name: str, spec: FileWatcherSensor, target: Target, folder: Path
) -> SensorDefinition:
    """One run per new or changed file, keyed by path and modification time."""

    def evaluate(context: SensorEvaluationContext) -> SensorResult | SkipReason:
        listed, reason = list_files(folder, spec.pattern, spec.recursive)
        if listed is None:
            return SkipReason(reason)
        seen: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
        chosen, cursor = new_files(listed, seen, now=time.time(), limit=FILES_PER_TICK)
        if not chosen:
            context.update_cursor(json.dumps(cursor, sort_keys=True))
            return SkipReason(f"no new or changed '{spec.pattern}' file in {folder}")
        requests = []
        for path, mtime in chosen:
            modified = datetime.fromtimestamp(mtime / 1e9, UTC).isoformat()
            tags = {"floe/sensor": name, "floe/file_path": path, "floe/file_mtime": modified}
            requests += target.requests(
                run_key=f"{path}:{mtime}",
                tags=tags,
                values={"file_path": path, "file_mtime": modified},
                instance=context.instance,
            )
        waiting = len([1 for path, mtime in listed if cursor.get(path) != mtime])
        if waiting:
            context.log.info(f"{waiting} more file(s) wait for the next ticks")
        return tick_result(requests, cursor)

    return polling_sensor(
        name,
        spec,
        target,
        evaluate,
        f"Runs {target.name} for each new '{spec.pattern}' file in {folder}",
    )
