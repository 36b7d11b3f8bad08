"""Building a large code location without paying the cyclic garbage collector for it.

A 10,000-model code location allocates millions of objects that live as long as the process.
While they are being built, CPython's cyclic collector keeps scanning them, over and over
(parsing the manifest alone takes 0.7 s with it and 0.2 s without). floe pauses it for the
build and then freezes what the process holds (``gc.freeze``), so later collections never scan
the definitions again. Measured on 10,000 models: 11.7 s -> 7.9 s.

It does not collect before freezing: a build leaves almost no cyclic garbage (385 objects at
10,000 models), and a full collection over the new definitions cost 0.86 s of an 8 s load. A
process that builds again (tests, a reloading code server) first unfreezes what earlier builds
froze and collects it, so definitions it no longer holds are freed then, one build later.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause cyclic garbage collection for the block; then freeze what the process holds."""
    if not gc.isenabled():  # someone else manages the collector: leave it to them
        yield
        return
    if gc.get_freeze_count():  # an earlier build froze its definitions: free what is unheld
        gc.unfreeze()
        gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.freeze()
