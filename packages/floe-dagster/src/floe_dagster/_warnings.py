"""Dagster warns about its own beta parameters when floe calls public APIs (for example
``AssetSelection.from_string`` passes ``include_sources`` internally). Those warnings say
nothing to a floe user, so floe silences exactly those categories around such calls."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from dagster import BetaWarning, PreviewWarning


@contextmanager
def dagster_internal_warnings_silenced() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BetaWarning)
        warnings.simplefilter("ignore", PreviewWarning)
        # PartitionBackfill calls its own deprecated AssetSelection.sources (that message only)
        warnings.filterwarnings(
            "ignore",
            message="Function `AssetSelection.sources` is deprecated",
            category=DeprecationWarning,
        )
        yield


def dagster_policy_warning_replaced() -> None:
    """Dagster warns each time it resolves an asset job whose partitioned assets have different
    backfill policies, listing no asset. floe reports such a job once, by name, with its assets
    and the batch size that results; this drops Dagster's repeat of it (that message only)."""
    warnings.filterwarnings(
        "ignore",
        message=r"Asset job \S+ materializes assets with varying BackfillPolicies",
        category=UserWarning,
    )
