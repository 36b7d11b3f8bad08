"""Deprecated: the lake's maintenance functions live in ``floe_dagster.lake`` (with the catalog
helpers and the locks they share). This module re-exports them until floe 0.3."""

import warnings

from floe_dagster.lake import (
    CompactionConflict,
    CompactReport,
    VacuumReport,
    analyze,
    compact,
    vacuum,
)

__all__ = ["CompactReport", "CompactionConflict", "VacuumReport", "analyze", "compact", "vacuum"]

warnings.warn(
    "floe_dagster.maintenance is deprecated: import from floe_dagster.lake",
    DeprecationWarning,
    stacklevel=2,
)
