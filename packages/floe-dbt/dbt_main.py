"""Entry point of //packages/floe-dbt:dbt."""

import sys

from floe_dbt import cli_main

sys.exit(cli_main())
