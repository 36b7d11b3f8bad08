"""Which keys a named backfill names, checked against the real partitions, and the runs they
make: contiguous ranges of at most ``batch_size`` keys (in a multi partition, of time windows
for one key of the other dimension)."""

from __future__ import annotations

import pytest
from dagster import (
    DailyPartitionsDefinition,
    MultiPartitionsDefinition,
    StaticPartitionsDefinition,
)

from floe_config import Backfill, IssueCode
from floe_dagster._orchestration.backfill_keys import BackfillProblem, backfill_keys, batches_of

DAYS = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")
REGIONS = StaticPartitionsDefinition(["us", "eu", "ap"])
SALES = MultiPartitionsDefinition({"day": DAYS, "region": REGIONS})


def _range(start: str, end: str) -> Backfill:
    return Backfill.model_validate({"job": "j", "partition_range": {"start": start, "end": end}})


def _listed(*keys: str) -> Backfill:
    return Backfill.model_validate({"job": "j", "partitions": list(keys)})


def test_a_range_of_days_in_runs_of_a_batch() -> None:
    keys = backfill_keys(DAYS, _range("2024-01-01", "2024-01-07"), "'daily'")
    assert keys == [f"2024-01-0{d}" for d in range(1, 8)]
    assert batches_of(DAYS, keys, 3) == [
        ("2024-01-01", "2024-01-02", "2024-01-03"),
        ("2024-01-04", "2024-01-05", "2024-01-06"),
        ("2024-01-07",),
    ]
    assert batches_of(DAYS, keys, None) == [tuple(keys)]


@pytest.mark.parametrize(
    ("spec", "where", "code"),
    [
        (_range("2023-12-31", "2024-01-02"), ("partition_range", "start"), "backfill_out_of_range"),
        (_range("2024-01-01", "2024-03-01"), ("partition_range", "end"), "backfill_out_of_range"),
        (_range("2024-01-05", "2024-01-02"), ("partition_range", "end"), "start_after_end"),
        (
            _range("01/02/2024", "2024-01-02"),
            ("partition_range", "start"),
            "invalid_partition_date",
        ),
        (_listed("2024-01-02", "2024-13-01"), ("partitions", 1), "invalid_partition_date"),
    ],
    ids=["before-first", "after-last", "reversed", "wrong-format", "listed-wrong"],
)
def test_keys_outside_the_partitions_are_refused_at_their_key(
    spec: Backfill, where: tuple[str | int, ...], code: str
) -> None:
    with pytest.raises(BackfillProblem) as raised:
        backfill_keys(DAYS, spec, "'daily'")
    assert raised.value.where == where
    assert raised.value.codes == [IssueCode(code)]


def test_listed_keys_run_in_partition_order_and_split_where_not_neighbours() -> None:
    keys = backfill_keys(REGIONS, _listed("ap", "us"), "'regions'")
    assert keys == ["us", "ap"]
    assert batches_of(REGIONS, keys, 10) == [("us",), ("ap",)]
    with pytest.raises(BackfillProblem) as unknown:
        backfill_keys(REGIONS, _listed("mars"), "'regions'")
    assert unknown.value.codes == [IssueCode.UNKNOWN_PARTITION_KEY]
    with pytest.raises(BackfillProblem) as ranged:
        backfill_keys(REGIONS, _range("us", "eu"), "'regions'")
    assert ranged.value.codes == [IssueCode.BACKFILL_KIND_MISMATCH]


def test_a_range_over_a_multi_partition_covers_every_key_of_the_other_dimension() -> None:
    keys = backfill_keys(SALES, _range("2024-01-01", "2024-01-03"), "'sales'")
    assert len(keys) == 9
    runs = batches_of(SALES, keys, 2)
    assert runs[0] == ("2024-01-01|us", "2024-01-02|us")
    assert all(len({key.split("|")[1] for key in run}) == 1 for run in runs)  # one region a run
    assert sorted(key for run in runs for key in run) == sorted(keys)
