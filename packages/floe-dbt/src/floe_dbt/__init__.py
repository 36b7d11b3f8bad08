"""floe-dbt: the dbt side of floe.

Reads and validates a dbt ``manifest.json`` into a typed model graph, and runs dbt safely
(generated profiles, writable state paths, no network). Never imports dagster.
"""

from floe_dbt._errors import FloeDbtError as FloeDbtError

__all__ = [
    "FloeDbtError",
]
