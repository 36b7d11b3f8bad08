"""What a dbt invocation says it did: its ``run_results.json``, node by node.

A step's observations read each node's timing, status and rows from it, and a failed run's
report names the nodes dbt failed, in dbt's own words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})
"""dbt's statuses of a node that did not do its job: a model or seed that errored, a test that
failed or could not run (``warn`` is a pass with a warning)."""
TRACEBACK = "Traceback (most recent call last):"


@dataclass(frozen=True)
class DbtNodeResult:
    """One node of dbt's run_results.json."""

    unique_id: str
    status: str
    started: float | None = None
    finished: float | None = None
    message: str | None = None
    rows: int | None = None
    compiled_sql: str | None = None

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES

    @property
    def label(self) -> str:
        """``model stg_orders``, ``test unique_orders_id``: the node as dbt's log names it
        (a test's unique_id ends with a hash dbt adds)."""
        kind, _, rest = self.unique_id.partition(".")
        _, _, name = rest.partition(".")
        if kind == "test" and "." in name:
            name = name.rsplit(".", 1)[0]
        return f"{kind} {name or self.unique_id}"

    def failure(self) -> str:
        """What dbt said about a failed node, in one line: its first line (which names the
        node and its file for an error) and the reason after it."""
        said = [line.strip() for line in (self.message or "").splitlines() if line.strip()]
        if not said:
            return f"{self.label}: {self.status}"
        head = said[0] if self.label.split(" ", 1)[1] in said[0] else f"{self.label}: {said[0]}"
        reason = said[1:2]
        if TRACEBACK in said:  # a Python model's: the exception is its last line
            reason = [*said[1 : said.index(TRACEBACK)], said[-1]]
        return ": ".join(part.rstrip(":") for part in [head, *reason])


def _timestamp(text: Any) -> float | None:
    """dbt's timing stamps: ISO time in UTC, with or without a zone."""
    if not isinstance(text, str) or not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def read_run_results(target_path: Path) -> dict[str, DbtNodeResult] | None:
    """The nodes of ``target_path/run_results.json`` by unique_id, in dbt's order; None when
    dbt wrote none (or no JSON)."""
    try:
        data = json.loads((target_path / "run_results.json").read_text())
    except (OSError, ValueError):
        return None
    results = data.get("results") if isinstance(data, dict) else None
    nodes = {}
    for result in results if isinstance(results, list) else []:
        if not isinstance(result, dict) or not result.get("unique_id"):
            continue
        timing = [t for t in result.get("timing") or [] if isinstance(t, dict)]
        starts = [s for s in (_timestamp(t.get("started_at")) for t in timing) if s]
        ends = [e for e in (_timestamp(t.get("completed_at")) for t in timing) if e]
        response = result.get("adapter_response") or {}
        rows = response.get("rows_affected") if isinstance(response, dict) else None
        message = result.get("message")
        nodes[result["unique_id"]] = DbtNodeResult(
            unique_id=result["unique_id"],
            status=str(result.get("status") or ""),
            started=min(starts) if starts else None,
            finished=max(ends) if ends else None,
            message=str(message).strip() if message else None,
            rows=rows if isinstance(rows, int) and rows >= 0 else None,
            compiled_sql=result.get("compiled_code"),
        )
    return nodes
