"""Custom sensor functions that floe.yaml's ``type: custom`` sensors call."""

from pathlib import Path
from typing import Any

from dagster import RunRequest, SkipReason


def ready_flag_present(context: Any, flag_path: str) -> RunRequest | SkipReason:
    """Run once per version of a flag file (``incoming/READY``): keyed by its modification time,
    so the same flag never triggers twice, and a touched flag triggers again."""
    flag = Path(flag_path)
    if not flag.is_file():
        return SkipReason(f"no flag file at {flag}")
    modified = flag.stat().st_mtime_ns
    return RunRequest(run_key=f"{flag}:{modified}", tags={"floe/flag": str(flag)})
