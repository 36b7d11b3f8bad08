"""The demo's Dagster code location: everything comes from floe.yaml."""

from floe_dagster import FloeDefinitions

defs = FloeDefinitions.from_compiled_artifacts()
