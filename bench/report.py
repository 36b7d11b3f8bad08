"""What the benchmarks write into docs/: their sections of docs/performance.md and their plots.

``write_section(doc, name, text)`` replaces the text between ``<!-- name:start -->`` and
``<!-- name:end -->`` in ``doc`` (or appends the section), so that each benchmark rewrites only
its own part of a page that several of them share. ``plot(...)`` draws lines with matplotlib
into an SVG whose bytes depend only on the data (no date, a fixed hash salt), so that a
rerun with the same figures leaves git clean.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

COLORS = {
    "floe": "#2563eb",
    "floe-component": "#16a34a",
    "dagster-dbt": "#ea580c",
    "floor": "#6b7280",
}


def docs_folder(here: Path) -> Path:
    """The checkout's docs/ (the workspace's under ``tools/bazel run``)."""
    return Path(os.environ.get("BUILD_WORKSPACE_DIRECTORY", here.parent)) / "docs"


def write_section(doc: Path, name: str, text: str) -> None:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{text.strip()}\n{end}"
    current = doc.read_text() if doc.is_file() else ""
    if start in current and end in current:
        before, rest = current.split(start, 1)
        after = rest.split(end, 1)[1]
        doc.write_text(before + block + after)
    else:
        doc.write_text(current.rstrip() + ("\n\n" if current else "") + block + "\n")


Line = Sequence[tuple[float, float]]


def plot(
    path: Path,
    panels: Sequence[tuple[str, Mapping[str, Line]]],
    *,
    xlabel: str,
    ylabel: str,
    log_x: bool = False,
) -> None:
    """One panel per ``(title, {mode: [(x, y), ...]})``, side by side, written to ``path``."""
    import matplotlib  # noqa: PLC0415  (only a benchmark's --write needs it)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    plt.rcParams["svg.hashsalt"] = "floe"
    figure, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.6), squeeze=False)
    for axis, (title, lines) in zip(axes[0], panels, strict=True):
        for mode, points in lines.items():
            xs, ys = zip(*points, strict=True)
            axis.plot(xs, ys, marker="o", label=mode, color=COLORS.get(mode))
        if log_x:
            axis.set_xscale("log")
            axis.minorticks_off()
        ticks = sorted({x for points in lines.values() for x, _ in points})
        axis.set_xticks(ticks, [f"{x:,.0f}" for x in ticks])
        axis.set_title(title)
        axis.set_xlabel(xlabel)
        axis.set_ylabel(ylabel)
        axis.set_ylim(bottom=0)
        axis.grid(alpha=0.3)
        axis.legend()
    figure.tight_layout()
    figure.savefig(path, format="svg", metadata={"Date": None})
    plt.close(figure)
