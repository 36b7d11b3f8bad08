"""floe-dagster's errors: ``FloeDagsterError``, and the ``Problems`` a build collects into one.

Every problem found while building definitions is a ``ConfigIssue`` that floe-config's source
map located at its floe.yaml key (``FloeConfig.source.issue``); ``raise_if_any`` reports them
all at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from floe_config import ConfigIssue, FloeError

log = logging.getLogger("floe")


ISSUE_ATTRIBUTE = "floe_issue"
"""Where a warning's log record keeps its ``ConfigIssue`` (``warn``)."""


def warn(issue: ConfigIssue) -> None:
    """Report ``issue`` as a warning (logged as floe.yaml:LINE:COL, key path, message, fix):
    what floe.yaml says that loads, but does not do what it says."""
    log.warning("floe: warning: %s", issue, extra={ISSUE_ATTRIBUTE: issue})


class _Collecting(logging.Filter):
    """Keeps each warning ``warn`` reports for the innermost ``warnings_collected`` block, if
    one is open, instead of logging it."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[list[ConfigIssue]] = []

    def filter(self, record: logging.LogRecord) -> bool:
        issue = getattr(record, ISSUE_ATTRIBUTE, None)
        if issue is None or not self.blocks:
            return True
        if issue not in self.blocks[-1]:
            self.blocks[-1].append(issue)
        return False


_collecting = _Collecting()


@contextmanager
def warnings_collected() -> Iterator[list[ConfigIssue]]:
    """The warnings ``warn`` reports meanwhile, collected instead of logged: for a command that
    shows them itself (``floe plan``), so each is shown once, or that sorts them first. Blocks
    nest; a warning goes to the innermost. When the block raises, what it collected is warned
    of after all (to the enclosing block, else the log): the command stops before it could show
    them, and a warning found beside an error still helps fix the file."""
    issues: list[ConfigIssue] = []
    _collecting.blocks.append(issues)
    log.addFilter(_collecting)  # once, however deep the blocks
    try:
        yield issues
    except BaseException:
        _close_block()
        for issue in issues:
            warn(issue)
        raise
    _close_block()


def _close_block() -> None:
    _collecting.blocks.pop()
    if not _collecting.blocks:
        log.removeFilter(_collecting)


class FloeDagsterError(FloeError):
    """Definitions that cannot be built from a floe.yaml, with every reason at once.

    Each reason is a ``ConfigIssue`` record (code, key path, floe.yaml line and column, fix),
    the same record every floe error carries.

    >>> issue = ConfigIssue(code=IssueCode.MISSING_MODULE, path="orchestration.asset_modules[0]",
    ...                     message="no module named 'x'", line=3, column=5)
    >>> print(FloeDagsterError([issue]))
    1 problem building the Dagster definitions:
    floe.yaml:3:5 orchestration.asset_modules[0]: no module named 'x' [missing_module]
    """

    def __init__(self, issues: Iterable[ConfigIssue]) -> None:
        super().__init__(issues)

    def heading(self) -> str:
        return f"{self.counted()} building the Dagster definitions:"


class Problems(list[ConfigIssue]):
    """The problems found so far, each a ``ConfigIssue`` the config's source map located
    (``config.source.issue(path, code, message, fix)``); ``raise_if_any`` reports them all.

    >>> problems = Problems()
    >>> issue = config.source.issue(("orchestration",), code, "...", "...")  # doctest: +SKIP
    >>> problems.append(issue)  # doctest: +SKIP
    """

    elsewhere_failed: bool = False
    """Assets defined outside floe (elsewhere in a ``dg`` project) failed to load: an item that
    matches none of the assets that did load is not reported, since it would only echo that
    failure, which Dagster reports itself."""

    @property
    def issues(self) -> list[ConfigIssue]:
        return list(self)

    @property
    def complete(self) -> bool:
        """Every asset loaded: nothing failed so far, here or elsewhere."""
        return not self and not self.elsewhere_failed

    def raise_if_any(self) -> None:
        if self:
            raise FloeDagsterError(self)
