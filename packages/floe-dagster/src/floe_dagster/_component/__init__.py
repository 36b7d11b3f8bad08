"""floe as a Dagster component: ``type: floe_dagster.FloeComponent`` in a ``dg`` project.

- ``state``: what the component keeps between loads (the compiled artifact, the dbt manifest
  and a fingerprint of what they were made from), without Dagster;
- ``component``: ``FloeComponent`` itself, a ``StateBackedComponent`` whose definitions are
  ``build_definitions`` over that state;
- ``outside``: the rest of the ``dg`` project, which floe's checks see but do not own;
- ``scaffold``: ``dg scaffold defs floe_dagster.FloeComponent``.
"""
