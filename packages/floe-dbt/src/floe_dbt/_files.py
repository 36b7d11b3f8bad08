"""Files that several processes share: writes that readers never see half-done.

Every Dagster step may run in its own process, and several runs can overlap, so floe's state
files (the generated dbt profile) are written atomically. The lake's locks live in
``floe_dagster.lake``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` so that a concurrent reader sees the old or the new file,
    never a half-written one; a file that already holds ``text`` is left alone."""
    try:
        if path.read_text() == text:
            return path
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def copy_atomically(source: Path, path: Path) -> Path:
    """Copy ``source`` to ``path`` so that a concurrent reader sees the old or the new file,
    never a half-copied one (copied aside in the same folder, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(descriptor)
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
