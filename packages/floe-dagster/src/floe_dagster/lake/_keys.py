"""The resource keys under which every floe code location gives assets the lake (no imports:
building definitions reads them without loading PyIceberg or DuckDB)."""

ICEBERG_RESOURCE_KEY = "iceberg"
"""The resource key under which every floe code location gives assets floe.yaml's catalog."""
WAREHOUSE_RESOURCE_KEY = "warehouse"
"""The resource key under which every floe code location gives assets floe.yaml's DuckDB file."""
