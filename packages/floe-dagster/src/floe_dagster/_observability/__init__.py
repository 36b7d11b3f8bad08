"""Per-asset OpenTelemetry spans and OpenLineage runs, with zero changes to asset code.

floe attaches a success and a failure hook to every asset and ops job it builds. At step end
the hook reads the step's events from the Dagster instance (start time, materializations,
asset checks) and, for dbt steps, the per-model records taken from dbt's structured events,
then emits spans and lineage events and flushes them before the step process exits.
"""
