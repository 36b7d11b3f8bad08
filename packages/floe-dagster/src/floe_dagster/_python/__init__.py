"""The Python wing: the user's code that floe.yaml names.

``modules`` imports the asset modules and collects what Dagster can define in them;
``functions`` imports a ``module.function`` target (ops jobs, custom sensors, dynamic
partitions) and checks floe.yaml's ``args`` against its signature.
"""
