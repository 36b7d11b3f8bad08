"""Partition definitions (FR-011..014, FR-017): time_window, static, multi, dynamic."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated, Literal

from croniter import croniter
from pydantic import BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from floe_config._base import FloeModel
from floe_config._codes import IssueCode
from floe_config._types import Cron, DagsterName, FunctionPath, Text, Timezone


def _without_multi_marks(key: str) -> str:
    """``key`` with the characters a multi partition forbids replaced by '-'."""
    return re.sub(r"[|,\[\]]+", "-", key).strip("-") or "key"


# Dagster rejects these in any partition key, and these more in a multi-partition dimension.
FORBIDDEN_KEY_SUBSTRINGS = ("...", "\a", "\b", "\f", "\n", "\r", "\t", "\v", "\0")
FORBIDDEN_MULTI_KEY_CHARACTERS = ("|", ",", "[", "]")
MINUTE_FMT = "%Y-%m-%d-%H:%M"
DAY_FMT = "%Y-%m-%d"


@cache
def cron_interval(cron: str) -> timedelta:
    """The shortest gap between two ticks of ``cron`` over a sample of ticks."""
    ticks = croniter(cron, datetime(2024, 1, 1, tzinfo=UTC))
    previous = ticks.get_next(datetime)
    shortest = timedelta(days=400)
    for _ in range(64):
        current = ticks.get_next(datetime)
        shortest = min(shortest, current - previous)
        previous = current
    return shortest


def _ticks(cron: str, count: int) -> list[datetime]:
    ticks = croniter(cron, datetime(2024, 1, 1, tzinfo=UTC))
    return [ticks.get_next(datetime) for _ in range(count)]


def default_fmt(cron: str) -> str:
    """Dagster's convention: minute resolution below a day, day resolution otherwise."""
    return MINUTE_FMT if cron_interval(cron) < timedelta(days=1) else DAY_FMT


def parse_partition_date(value: str, fmt: str) -> datetime | None:
    try:
        return datetime.strptime(value, fmt)
    except (ValueError, TypeError, OverflowError):  # a bad value, or a bad fmt
        return None


def _error(code: IssueCode, message: str, field: str, **context: object) -> PydanticCustomError:
    return PydanticCustomError(code, message, {"field": field, **context})


class TimeWindowPartitions(FloeModel):
    """Time windows from ``start`` on ``cron_schedule``, keys formatted by ``fmt``.

    ``start`` is the first window's key and ``end`` (optional) the last one's: both inclusive.
    Without ``end`` the windows run up to the last complete one."""

    type: Literal["time_window"]
    start: Text
    end: Text | None = None
    cron_schedule: Cron = "0 0 * * *"
    timezone: Timezone = "UTC"
    fmt: Text | None = Field(default=None, description="derived from the cron when omitted")

    @property
    def effective_fmt(self) -> str:
        return self.fmt or default_fmt(self.cron_schedule)

    @model_validator(mode="after")
    def _consistent(self) -> TimeWindowPartitions:
        fmt = self.effective_fmt
        interval = cron_interval(self.cron_schedule)
        if self.fmt is not None:
            if interval < timedelta(days=1) and "%H" not in fmt and "%I" not in fmt:
                raise _error(
                    IssueCode.FMT_TOO_COARSE,
                    "fmt '{fmt}' has no hour, but cron '{cron}' ticks more than once a day; "
                    "two partitions would get the same key",
                    "fmt",
                    fmt=fmt,
                    cron=self.cron_schedule,
                    hint=f"use fmt '{MINUTE_FMT}', or omit fmt to derive it",
                )
            if interval < timedelta(hours=1) and "%M" not in fmt:
                raise _error(
                    IssueCode.FMT_TOO_COARSE,
                    "fmt '{fmt}' has no minute, but cron '{cron}' ticks more than once an hour",
                    "fmt",
                    fmt=fmt,
                    cron=self.cron_schedule,
                    hint=f"use fmt '{MINUTE_FMT}'",
                )
        ticks = _ticks(self.cron_schedule, 48)
        keys = {tick.strftime(fmt) for tick in ticks}
        if len(keys) < len(ticks):
            raise _error(
                IssueCode.FMT_TOO_COARSE,
                "fmt '{fmt}' gives two windows of cron '{cron}' the same key",
                "fmt",
                fmt=fmt,
                cron=self.cron_schedule,
                hint=f"use a finer fmt, e.g. '{MINUTE_FMT}', or omit fmt to derive it",
            )
        start = parse_partition_date(self.start, fmt)
        if start is None:
            raise _error(
                IssueCode.INVALID_PARTITION_DATE,
                "start '{value}' does not match the format '{fmt}'",
                "start",
                value=self.start,
                fmt=fmt,
                hint=f"write it as {datetime(2024, 1, 1).strftime(fmt)!r}",
            )
        if self.end is not None:
            end = parse_partition_date(self.end, fmt)
            if end is None:
                raise _error(
                    IssueCode.INVALID_PARTITION_DATE,
                    "end '{value}' does not match the format '{fmt}'",
                    "end",
                    value=self.end,
                    fmt=fmt,
                    hint=f"write it as {datetime(2024, 12, 31).strftime(fmt)!r}",
                )
            if end <= start:
                raise _error(
                    IssueCode.START_AFTER_END,
                    "end '{end}' is not after start '{start}'",
                    "end",
                    end=self.end,
                    start=self.start,
                    hint="swap start and end, or remove end for an open-ended window",
                )
        return self


class StaticPartitions(FloeModel):
    """A fixed list of keys (regions, tenants, ...)."""

    type: Literal["static"]
    partition_keys: list[Text] = Field(min_length=1)

    @model_validator(mode="after")
    def _valid_keys(self) -> StaticPartitions:
        seen: dict[str, int] = {}
        for index, key in enumerate(self.partition_keys):
            if key in seen:
                raise _error(
                    IssueCode.DUPLICATE_PARTITION_KEY,
                    "partition key '{key}' is listed twice (also at index {first})",
                    f"partition_keys.{index}",
                    key=key,
                    first=seen[key],
                    hint="remove the duplicate",
                )
            seen[key] = index
            bad = [s for s in FORBIDDEN_KEY_SUBSTRINGS if s in key]
            if bad or not key:
                raise _error(
                    IssueCode.INVALID_PARTITION_KEY,
                    "partition key '{key}' is empty or contains {bad}, which Dagster forbids",
                    f"partition_keys.{index}",
                    key=key,
                    bad=" ".join(repr(b) for b in bad) or "nothing",
                    hint="use letters, digits, '-', '_' and '.'",
                )
        return self


class DynamicPartitions(FloeModel):
    """Keys added at run time; ``fn`` (``module.function``) may list the initial keys."""

    type: Literal["dynamic"]
    fn: FunctionPath | None = None


InlinePartition = Annotated[
    TimeWindowPartitions | StaticPartitions | DynamicPartitions, Field(discriminator="type")
]


class PartitionRef(FloeModel):
    """A dimension that names a partition defined under ``orchestration.partitions``."""

    type: Literal["ref"]
    name: DagsterName


def _dimension_shorthand(value: object) -> object:
    return {"type": "ref", "name": value} if isinstance(value, str) else value


Dimension = Annotated[
    PartitionRef | TimeWindowPartitions | StaticPartitions | DynamicPartitions,
    Field(discriminator="type"),
    BeforeValidator(_dimension_shorthand, json_schema_input_type=str | InlinePartition),
]


class MultiPartitions(FloeModel):
    """Exactly two named dimensions, each a named partition or an inline definition."""

    type: Literal["multi"]
    dimensions: dict[DagsterName, Dimension]

    @model_validator(mode="after")
    def _two_dimensions(self) -> MultiPartitions:
        if len(self.dimensions) != 2:
            raise _error(
                IssueCode.MULTI_DIMENSIONS,
                "a multi partition needs exactly 2 dimensions (Dagster supports no other "
                "number), found {count}",
                "dimensions",
                count=len(self.dimensions),
                hint="keep two dimensions, e.g. date and region",
            )
        for name, dimension in self.dimensions.items():
            if isinstance(dimension, StaticPartitions):
                for index, key in enumerate(dimension.partition_keys):
                    if any(c in key for c in FORBIDDEN_MULTI_KEY_CHARACTERS):
                        raise _error(
                            IssueCode.INVALID_PARTITION_KEY,
                            "partition key '{key}' contains one of | , [ ], which Dagster "
                            "forbids in a multi partition",
                            f"dimensions.{name}.partition_keys.{index}",
                            key=key,
                            hint=f"rename it without them, e.g. '{_without_multi_marks(key)}'",
                        )
        return self


Partition = Annotated[
    TimeWindowPartitions | StaticPartitions | MultiPartitions | DynamicPartitions,
    Field(discriminator="type"),
]
