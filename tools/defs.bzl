"""floe's public Bazel macros. The implementation lives in //tools/private.

- floe_py_library: a package's library (`imports = ["src"]`, ships py.typed).
- floe_py_test: pytest through a main that fails on zero collected tests; warnings are errors.
- floe_mypy_test: mypy --strict over a library's package and everything it imports.
- floe_ruff_test: ruff check and ruff format --check over a set of files.
- floe_package_test: a package's boundaries and its wheel's declared dependencies.
- floe_package: a package's library with its mypy, ruff and package tests, in one call.
"""

load(
    "//tools/private:py.bzl",
    _floe_mypy_test = "floe_mypy_test",
    _floe_package = "floe_package",
    _floe_package_test = "floe_package_test",
    _floe_py_library = "floe_py_library",
    _floe_py_test = "floe_py_test",
    _floe_ruff_test = "floe_ruff_test",
)

# dagster-dbt's own code emits these DeprecationWarnings (notes/stack-facts.md); each entry is
# the literal start of the message, so nothing else is silenced. Pass as ignore_warnings.
DAGSTER_DBT_WARNINGS = [
    "sqlglotrs is deprecated",
    "AssetExecutionContext.op is deprecated",
    # Dagster's own run tags for multi partitions (dagster/partition/<dimension>)
    "Non-compliant tag keys like ['dagster/partition/",
]

floe_py_library = _floe_py_library
floe_py_test = _floe_py_test
floe_mypy_test = _floe_mypy_test
floe_ruff_test = _floe_ruff_test
floe_package_test = _floe_package_test
floe_package = _floe_package
