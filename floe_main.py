"""Entry point of //:floe: `tools/bazel run //:floe -- validate path/to/floe.yaml`."""

import os
import sys

from floe_dagster import cli_main

if "BUILD_WORKING_DIRECTORY" in os.environ:  # `bazel run`: paths are the user's, not runfiles
    os.chdir(os.environ["BUILD_WORKING_DIRECTORY"])
sys.exit(cli_main())
