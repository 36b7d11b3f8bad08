"""``python -m floe_dagster``: the ``floe`` command."""

import sys

from floe_dagster.cli import main

sys.exit(main())
