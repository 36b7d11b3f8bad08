"""floe-config: the floe.yaml contract.

Schema, ``${VAR:default}`` interpolation, validation with precise errors, and the versioned
CompiledArtifacts that floe-dagster reads. Imports no other floe package, and no dagster.
"""

from floe_config._errors import ConfigIssue as ConfigIssue
from floe_config._errors import FloeConfigError as FloeConfigError

__all__ = [
    "ConfigIssue",
    "FloeConfigError",
]
