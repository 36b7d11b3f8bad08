"""Per-model records taken from dbt's structured events during one dbt step."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# node_status values that end a node (others: started, compiling, executing, and a stray "None"
# on some error events)
_FINAL = {"success", "error", "fail", "pass", "warn", "skipped", "no-op"}


def _timestamp(text: str | None) -> float | None:
    """dbt's ``node_started_at`` / ``node_finished_at``: ISO time in UTC, without a zone."""
    if not text:
        return None
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


@dataclass
class NodeRecord:
    unique_id: str
    resource_type: str
    started: float | None = None
    finished: float | None = None
    status: str = "started"
    message: str | None = None
    rows: int | None = None


@dataclass
class DbtStepRecord:
    """Everything one dbt invocation said about its nodes, in arrival order."""

    target_path: Path
    nodes: dict[str, NodeRecord] = field(default_factory=dict)

    def record(self, raw_event: dict[str, Any]) -> None:
        """Take node timing and status from any event that carries ``node_info``.

        dbt prints info-level events on stdout (LogStartLine, LogModelResult, LogTestResult,
        ...); each carries the node's real ``node_started_at`` / ``node_finished_at``.
        """
        data = raw_event.get("data") or {}
        info = data.get("node_info") or {}
        unique_id = info.get("unique_id")
        if not unique_id:
            return
        node = self.nodes.setdefault(
            unique_id, NodeRecord(unique_id, str(info.get("resource_type", "")))
        )
        node.started = _timestamp(info.get("node_started_at")) or node.started
        status = str(info.get("node_status") or "")
        if status in _FINAL:
            node.status = status
            node.finished = _timestamp(info.get("node_finished_at")) or node.finished
        header = raw_event.get("info") or {}
        if header.get("level") == "error" and header.get("msg"):
            node.message = str(header["msg"]).strip()


_records: dict[tuple[str, str], DbtStepRecord] = {}
_lock = threading.Lock()


def start_recording(run_id: str, step_key: str, target_path: Path) -> DbtStepRecord:
    record = DbtStepRecord(target_path=target_path)
    with _lock:
        _records[(run_id, step_key)] = record
    return record


def take_record(run_id: str, step_key: str) -> DbtStepRecord | None:
    with _lock:
        return _records.pop((run_id, step_key), None)
