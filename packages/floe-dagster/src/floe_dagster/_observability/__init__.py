"""Per-asset OpenTelemetry spans and OpenLineage runs, with zero changes to asset code.

floe attaches a success and a failure hook to every asset, asset check and ops job it builds.
At step end the hook runs one pipeline:

- ``facts``: the step's events in the Dagster instance (start time, materializations, asset
  check evaluations, the failure) and, for a dbt step, dbt's ``run_results.json`` in the step's
  own target folder (each node's real start and end, status, message, rows, compiled SQL);
- ``observations``: pure functions from those facts and the ``catalog`` of the code location
  to one record per span and lineage run;
- ``sinks``: the OpenTelemetry SDK and the OpenLineage client's own transports (a ``breaker``
  keeps a dead backend from slowing runs), flushed before the step process exits.
"""
