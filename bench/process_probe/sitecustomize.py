"""Records each Python process of a benchmark run when it exits: its wall time and peak memory.

On ``PYTHONPATH`` with ``FLOE_BENCH_PROCESS_LOG`` set (``run_cost_bench.py`` does both), every
process appends one JSON line: ``role`` (``child`` for a multiprocessing child: a step
process), ``seconds`` since the interpreter started this module, and ``hwm_mb`` (``VmHWM``,
the process's own peak resident memory; ``ru_maxrss`` counts a forked parent's too).
"""

import atexit
import json
import os
import sys
import time

_LOG = os.environ.get("FLOE_BENCH_PROCESS_LOG")


def _record(started: float, log: str) -> None:
    import multiprocessing  # noqa: PLC0415  # only at exit

    peak = 0
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) // 1024
    role = "child" if multiprocessing.parent_process() is not None else "main"
    record = {
        "pid": os.getpid(),
        "role": role,
        "argv": sys.argv[:3],
        "seconds": time.time() - started,
        "hwm_mb": peak,
    }
    with open(log, "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


if _LOG:
    atexit.register(_record, time.time(), _LOG)
