"""The ``floe`` command: validate, plan, compile, dev, init, parse, backfill, schema.

A shell over the rest of floe-dagster that nothing else imports (``floe_dagster.cli_main`` and
``python -m floe_dagster`` are this ``main``).
"""

from floe_dagster.cli._commands import main as main

__all__ = ["main"]
