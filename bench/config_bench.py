"""Benchmark: load and validate a large floe.yaml (500 jobs, 500 schedules, 200 asset patterns).

Run: tools/bazel run //bench:config

Prints the time of ``load_config`` against the floor of plain ``yaml.safe_load`` of the same
file, measured in one run, as a ratio.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from floe_config import load_config

JOBS, SCHEDULES, PATTERNS = 500, 500, 200


def large_floe_yaml() -> str:
    lines = ["name: big", "orchestration:", "  partitions:"]
    lines += [
        "    daily:",
        "      type: time_window",
        '      start: "2024-01-01"',
        '      cron_schedule: "0 0 * * *"',
        "      timezone: Europe/Berlin",
        "    regions: {type: static, partition_keys: [us, eu, ap]}",
        "    hourly: {type: time_window, start: '2024-01-01-00:00', cron_schedule: '0 * * * *'}",
    ]
    lines.append("  assets:")
    for i in range(PATTERNS):
        partition = ("daily", "regions", "hourly")[i % 3]
        lines += [
            f'    "table_{i:03d}_*":',
            f"      partitions: {partition}",
            "      automation_condition: eager"
            if i % 2
            else "      group_name: layer_" + str(i % 7),
        ]
    lines.append("  jobs:")
    for i in range(JOBS):
        lines += [
            f"    job_{i:03d}:",
            "      type: batch",
            f'      selection: ["group:layer_{i % 7}", "+table_{i % PATTERNS:03d}_x"]',
            f"      tags: {{team: t{i % 5}}}",
        ]
    lines.append("  schedules:")
    for i in range(SCHEDULES):
        lines += [
            f"    schedule_{i:03d}:",
            f"      job: job_{i % JOBS:03d}",
            f'      cron_schedule: "${{CRON_{i % 3}:{i % 60} {i % 24} * * *}}"',
            "      timezone: America/New_York",
            f"      enabled: ${{SCHEDULES_ON:{'true' if i % 2 else 'false'}}}",
        ]
    return "\n".join(lines) + "\n"


def _best(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best, median) wall time of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "floe.yaml"
        path.write_text(large_floe_yaml())
        text = path.read_text()
        load_config(path, env={})  # warm caches (timezones, cron intervals)
        floor_best, floor_median = _best(lambda: yaml.safe_load(text), 5)
        best, median = _best(lambda: load_config(path, env={"SCHEDULES_ON": "true"}), 5)
    print(f"floe.yaml: {JOBS} jobs, {SCHEDULES} schedules, {PATTERNS} partitioned asset patterns")
    floor = f"best {floor_best * 1000:.0f} ms, median {floor_median * 1000:.0f} ms"
    print(f"yaml.safe_load (floor): {floor}")
    print(f"load_config:            best {best * 1000:.0f} ms, median {median * 1000:.0f} ms")
    print(f"ratio load_config / safe_load: {median / floor_median:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
