"""Facts -> observations: what to report for one step, as plain data (pure functions).

One ``Observation`` becomes one span and one lineage run. A step yields:

- a Python asset: one observation named by its key (inputs: its deps; output: itself, with the
  asset checks evaluated in the same step as data-quality assertions);
- a multi-asset floe knows no finer structure for, or an op of an ops job: one named by the op;
- a step that only evaluates asset checks: one named by the op, whose inputs are the checked
  assets carrying the results as data-quality assertions;
- a dbt step, ``per_model``: one for the step and one child per model that ran, with dbt's own
  start and end times, status, compiled SQL and test results; ``job_level``: one for the step.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from floe_dagster._observability.catalog import AssetInfo, ObservedDefinitions
from floe_dagster._observability.facts import Failure, StepFacts
from floe_dbt import DbtNodeResult

OK_STATUSES = frozenset({"success", "pass"})
RAN_STATUSES = OK_STATUSES | {"error", "fail", "warn"}
_ID_NAMESPACE = uuid.UUID("0f1e0b5e-7a3c-4c55-9e2d-6f6c6f650001")
"""Lineage run ids are uuid5(this, seed/name): fresh per step, derived, so testable."""


@dataclass(frozen=True)
class Assertion:
    name: str
    passed: bool
    column: str | None = None


@dataclass(frozen=True)
class Dataset:
    """One asset as a lineage dataset, with what floe knows of it."""

    name: str
    description: str = ""
    owners: tuple[str, ...] = ()
    columns: tuple[tuple[str, str | None, str], ...] = ()
    """(name, type, description)"""
    classifications: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    relation: str | None = None
    row_count: int | None = None
    assertions: tuple[Assertion, ...] = ()


@dataclass(frozen=True)
class SpanEvent:
    name: str
    time: float
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Observation:
    """One span and one lineage run (START, then COMPLETE or FAIL)."""

    name: str
    run_id: str
    start: float
    end: float
    attributes: Mapping[str, Any]
    failure: Failure | None = None
    inputs: tuple[Dataset, ...] = ()
    outputs: tuple[Dataset, ...] = ()
    parent: int | None = None
    """Index of the parent observation in the same list (dbt models: the step)."""
    sql: str | None = None
    events: tuple[SpanEvent, ...] = ()


def _run_id(facts: StepFacts, name: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"{facts.seed}/{name}"))


def _step_observation(
    facts: StepFacts, name: str, attributes: Mapping[str, Any], **datasets: Any
) -> Observation:
    """The observation of a whole step: the step's own times and outcome."""
    return Observation(
        name=name,
        run_id=_run_id(facts, name),
        start=facts.started,
        end=facts.finished,
        attributes=attributes,
        failure=facts.failure,
        **datasets,
    )


def _base_attributes(facts: StepFacts) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "dagster.run_id": facts.run_id,
        "dagster.job": facts.job_name,
        "dagster.step_key": facts.step_key,
    }
    if facts.partition:
        attributes["dagster.partition_key"] = facts.partition
    return attributes


def _inputs(info: AssetInfo | None) -> tuple[Dataset, ...]:
    return tuple(Dataset(name=dep) for dep in info.deps) if info else ()


def _python_dataset(catalog: ObservedDefinitions, facts: StepFacts, key: str) -> Dataset:
    info = catalog.assets.get(key)
    materialized = facts.materialized.get(key)
    return Dataset(
        name=key,
        description=info.description if info else "",
        owners=info.owners if info else (),
        columns=materialized.columns if materialized else (),
        row_count=materialized.row_count if materialized else None,
        assertions=tuple(Assertion(c.name, c.passed) for c in facts.checks if c.asset == key),
    )


def observe_step(catalog: ObservedDefinitions, facts: StepFacts) -> list[Observation]:
    """The observations of one finished step."""
    if facts.op_name in catalog.dbt_ops:
        return _dbt_step(catalog, facts)
    assets = catalog.assets_by_op.get(facts.op_name, [])
    attributes = _base_attributes(facts)
    if not assets and facts.op_name in catalog.checks_by_op:
        checked = sorted({asset for asset, _ in catalog.checks_by_op[facts.op_name]})
        inputs = tuple(
            Dataset(
                name=asset,
                assertions=tuple(
                    Assertion(c.name, c.passed) for c in facts.checks if c.asset == asset
                ),
            )
            for asset in checked
        )
        attributes["dagster.asset_keys"] = checked
        return [_step_observation(facts, facts.op_name, attributes, inputs=inputs)]
    single = assets[0] if len(assets) == 1 else None
    if single is not None:
        attributes["dagster.asset_key"] = single
    elif assets:
        attributes["dagster.asset_keys"] = list(assets)
    return [
        _step_observation(
            facts,
            single or facts.op_name,
            attributes,
            inputs=_inputs(catalog.assets.get(single)) if single else (),
            outputs=tuple(_python_dataset(catalog, facts, key) for key in assets),
        )
    ]


def _dbt_dataset(
    catalog: ObservedDefinitions, key: str, node: DbtNodeResult | None, facts: StepFacts
) -> Dataset:
    info = catalog.assets.get(key)
    dbt = info.dbt if info else None
    assertions = []
    if dbt is not None and facts.dbt is not None:
        for test in dbt.tests:
            result = facts.dbt.get(test.unique_id)
            if result is not None and result.status in RAN_STATUSES:
                assertions.append(Assertion(test.name, result.status in OK_STATUSES, test.column))
    materialized = facts.materialized.get(key)  # what the warehouse said (table_metadata)
    fetched = materialized.row_count if materialized else None
    return Dataset(
        name=key,
        description=info.description if info else "",
        owners=info.owners if info else (),
        columns=_columns(dbt.columns if dbt else (), materialized.columns if materialized else ()),
        classifications=dbt.classifications if dbt and catalog.settings.classifications else {},
        relation=dbt.relation if dbt else None,
        row_count=fetched if fetched is not None else (node.rows if node else None),
        assertions=tuple(assertions),
    )


Column = tuple[str, str | None, str]


def _columns(documented: tuple[Column, ...], fetched: tuple[Column, ...]) -> tuple[Column, ...]:
    """A model's columns: the warehouse's (every column, with its type) when they were fetched,
    each with its dbt description; else the ones dbt's docs list."""
    if not fetched:
        return documented
    described = {name.lower(): (kind, text) for name, kind, text in documented}
    merged = []
    for name, kind, text in fetched:
        doc_kind, doc_text = described.get(name.lower(), (None, ""))
        merged.append((name, kind or doc_kind, text or doc_text))
    return tuple(merged)


def _models_that_ran(
    catalog: ObservedDefinitions, facts: StepFacts, assets: Sequence[str]
) -> list[tuple[str, DbtNodeResult]]:
    """The step's models that dbt ran (succeeded or failed; skipped ones did not run)."""
    if facts.dbt is None:
        return []
    ran = []
    for key in assets:
        info = catalog.assets.get(key)
        node = facts.dbt.get(info.dbt.unique_id) if info and info.dbt else None
        if node is not None and node.status in RAN_STATUSES:
            ran.append((key, node))
    return sorted(ran, key=lambda item: (item[1].started or 0, item[0]))


def _dbt_step(catalog: ObservedDefinitions, facts: StepFacts) -> list[Observation]:
    assets = catalog.assets_by_op.get(facts.op_name, [])
    level = catalog.settings.dbt_level
    attributes = {**_base_attributes(facts), "dbt.observability_level": level}
    ran = _models_that_ran(catalog, facts, assets)
    name = facts.step_key
    if level == "job_level":  # one span and one run for the whole step
        produced = {key for key, _ in ran}
        attributes["dagster.asset_keys"] = sorted(produced)
        deps = {dep for key in produced for dep in catalog.assets[key].deps}
        return [
            _step_observation(
                facts,
                name,
                attributes,
                inputs=tuple(Dataset(name=d) for d in sorted(deps - produced)),
                outputs=tuple(
                    _dbt_dataset(catalog, key, node, facts)
                    for key, node in ran
                    if node.status in OK_STATUSES
                ),
            )
        ]
    observations = [_step_observation(facts, name, attributes)]
    for key, node in ran:
        observations.append(_dbt_model(catalog, facts, key, node))
    return observations


def _dbt_model(
    catalog: ObservedDefinitions, facts: StepFacts, key: str, node: DbtNodeResult
) -> Observation:
    """One model: its real start and end from dbt, a child of the step."""
    info = catalog.assets.get(key)
    failure = None
    if node.status not in OK_STATUSES:
        step = facts.failure
        failure = Failure(node.message or (step.message if step else f"dbt {node.status}"))
    end = node.finished or facts.finished
    start = node.started or facts.started
    events = []
    if info is not None and info.dbt is not None and facts.dbt is not None:
        for test in info.dbt.tests:
            result = facts.dbt.get(test.unique_id)
            if result is not None and result.status in RAN_STATUSES:
                events.append(
                    SpanEvent(
                        "dbt.test",
                        result.finished or end,
                        {"dbt.test": test.name, "dbt.test_status": result.status},
                    )
                )
    return Observation(
        name=key,
        run_id=_run_id(facts, key),
        start=start,
        end=max(end, start),
        attributes={
            **_base_attributes(facts),
            "dagster.asset_key": key,
            "dbt.unique_id": node.unique_id,
            "dbt.status": node.status,
        },
        failure=failure,
        inputs=_inputs(info),
        outputs=(_dbt_dataset(catalog, key, node, facts),),
        parent=0,
        sql=node.compiled_sql,
        events=tuple(events),
    )
