"""Terminal output of the ``floe`` command: colour and progress on a terminal, plain in a pipe.

Colour follows the usual conventions: only when the stream is a terminal, never with
``NO_COLOR`` set or ``TERM=dumb``, always with ``FORCE_COLOR`` set. A long step shows an
updating line with the seconds it has taken on a terminal, and nothing in a pipe.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}
FRAMES = "|/-\\"


def uses_colour(stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    environment = os.environ if env is None else env
    if environment.get("FORCE_COLOR"):
        return True
    if "NO_COLOR" in environment or environment.get("TERM") == "dumb":
        return False
    return stream.isatty()


class Style:
    """``style.red("text")``: the text in colour when the stream shows colour, else as is."""

    def __init__(self, stream: TextIO, env: Mapping[str, str] | None = None) -> None:
        self.enabled = uses_colour(stream, env)

    def __call__(self, name: str, text: str) -> str:
        return f"\033[{CODES[name]}m{text}\033[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self("bold", text)

    def dim(self, text: str) -> str:
        return self("dim", text)

    def red(self, text: str) -> str:
        return self("red", text)

    def green(self, text: str) -> str:
        return self("green", text)

    def yellow(self, text: str) -> str:
        return self("yellow", text)


def coloured_report(text: str, style: Style) -> str:
    """A floe error report with its problem lines in red and its ``fix:`` lines in green."""
    if not style.enabled:
        return text
    lines = []
    for line in text.splitlines():
        if line.lstrip().startswith("fix:"):
            lines.append(style.green(line))
        elif line.strip():
            lines.append(style.red(line))
        else:
            lines.append(line)
    return "\n".join(lines)


@contextmanager
def progress(label: str, stream: TextIO = sys.stderr) -> Iterator[None]:
    """On a terminal, show that ``label`` is under way: one updating line with the seconds it
    has taken, then how it ended. In a pipe, nothing: the output stays what the command says."""
    if not stream.isatty():
        yield
        return
    started = time.monotonic()
    stop = threading.Event()

    def tick() -> None:
        frame = 0
        while not stop.wait(0.2):
            seconds = time.monotonic() - started
            stream.write(f"\r{FRAMES[frame % len(FRAMES)]} {label} {seconds:.0f}s ")
            stream.flush()
            frame += 1

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    outcome = "failed"
    try:
        yield
        outcome = "done"
    finally:
        stop.set()
        ticker.join()
        seconds = time.monotonic() - started
        stream.write(f"\r{label}: {outcome} in {seconds:.1f}s{' ' * 8}\n")
        stream.flush()


def parsing_again(why: str, stream: TextIO = sys.stderr) -> None:
    """Say why floe parses the dbt project before it goes on (``compile_project``'s
    ``parsing``), over ``progress``'s line on a terminal."""
    start = "\r" if stream.isatty() else ""
    stream.write(f"{start}floe: {why}; parsing it again\n")
    stream.flush()
