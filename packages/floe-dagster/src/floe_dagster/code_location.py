"""floe's own code location: ``dagster dev -m floe_dagster.code_location`` (what ``floe dev``
runs) loads the compiled artifact named by ``$FLOE_COMPILED_ARTIFACTS``."""

from floe_dagster import FloeDefinitions  # through the package: imported with the collector paused

defs = FloeDefinitions.from_compiled_artifacts()
