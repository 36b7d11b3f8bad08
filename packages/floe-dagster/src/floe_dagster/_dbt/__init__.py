"""The dbt wing: dbt nodes -> Dagster assets.

``settings`` (where dbt runs), ``translator`` (every mapping decision, overridable),
``specs`` (asset and check specs from the one parsed manifest), ``groups`` (which nodes share a
multi-asset), ``assets`` (the multi-assets and their ``dbt build`` step), ``resource`` (the
``dbt`` resource).
"""
