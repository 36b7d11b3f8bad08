"""``python -m floe_dagster``: the ``floe`` command."""

import sys

from floe_dagster._cli import main

sys.exit(main())
