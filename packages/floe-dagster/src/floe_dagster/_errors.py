"""The one error type of floe-dagster."""

from __future__ import annotations

from collections.abc import Sequence


class FloeDagsterError(Exception):
    """Definitions that cannot be built from a floe.yaml, with every reason at once.

    >>> print(FloeDagsterError(["floe.yaml:3:5 orchestration.asset_modules.0: no module 'x'"]))
    1 problem building the Dagster definitions:
    floe.yaml:3:5 orchestration.asset_modules.0: no module 'x'
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        lines = [f"{len(self.problems)} {noun} building the Dagster definitions:", *self.problems]
        super().__init__("\n".join(lines))
