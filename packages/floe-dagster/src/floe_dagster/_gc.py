"""Building a large code location without paying the cyclic garbage collector for it.

A 10,000-model code location allocates millions of objects that live as long as the process.
While they are being built, CPython's cyclic collector keeps scanning them, over and over
(parsing the manifest alone takes 0.7 s with it and 0.2 s without). floe pauses it for the
build, collects once at the end, and freezes what is left (``gc.freeze``), so later
collections never scan the definitions again. Measured on 10,000 models: 11.7 s -> 7.9 s.

Each build first unfreezes what the previous build froze, so a process that builds many times
(tests, a reloading code server) frees the definitions it no longer holds; the collection at
the end finds the same garbage the many collections during the build would have found.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause cyclic garbage collection for the block; then collect once and freeze."""
    if not gc.isenabled():  # someone else manages the collector: leave it to them
        yield
        return
    gc.unfreeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()
        gc.freeze()
