"""Implementation of the macros in //tools:defs.bzl."""

_PYTEST_MAIN = "//tools/private:pytest_main.py"
_MYPY_MAIN = "//tools/private:mypy_main.py"
_RUFF_MAIN = "//tools/private:ruff_main.py"
_PACKAGE_MAIN = "//tools/private:package_check.py"

def floe_py_library(name, srcs = None, data = [], imports = ["src"], **kwargs):
    """A typed floe library: sources under src/, importable by its top-level name."""
    if srcs == None:
        srcs = native.glob(["src/**/*.py"])
    native.py_library(
        name = name,
        srcs = srcs,
        data = data + native.glob(["src/**/py.typed"]),
        imports = imports,
        srcs_version = "PY3",
        **kwargs
    )

# Tests share the machine by what they use of it. A test holds a core, two units (cpu:2), unless
# it mostly waits on a daemon's ticks or a schedule's minute (`waits = True`: cpu:1). `.bazelrc`
# gives tests two and a half units a core (--local_cpu_resources=HOST_CPUS*2.5), so a waiting
# test runs beside as many busy ones as there are cores (docs/testing.md, measured loads).
_A_CORE = "cpu:2"
_HALF_A_CORE = "cpu:1"

def _cpu(tags, waits = False):
    """`tags` with the share of the machine the test holds, unless they name one."""
    if [t for t in tags if t.startswith("cpu:")]:
        return tags
    return tags + [_HALF_A_CORE if waits else _A_CORE]

def _quoted(arg):
    """One shell-quoted argument (Bazel tokenizes `args` like a Bourne shell)."""
    if "'" in arg:
        return '"%s"' % arg
    return "'%s'" % arg

def floe_py_test(
        name,
        srcs,
        deps = [],
        args = [],
        ignore_warnings = [],
        pytest_plugins = [],
        size = "small",
        tags = [],
        waits = False,
        **kwargs):
    """pytest over `srcs`. Zero collected tests fail; every warning is an error.

    ignore_warnings: third-party warnings to tolerate, each the literal start of its message.
    pytest_plugins: the installed pytest plugins the tests use, as modules (`pytest -p`). No
    other plugin is loaded: pytest_main turns off loading every installed one (hypothesis'
    alone imports hypothesis, about a second in every test process).
    size: "small" for a test of seconds (the fast tier, with lint and mypy); any other size
    tags the test `slow` (runs of Dagster, dbt, a webserver, the daemon or PostgreSQL), so
    `tools/bazel test //... --test_tag_filters=-slow` runs the fast tier alone (docs/testing.md).
    waits: the test spends most of its time waiting (measured load well under one core), so it
    holds half a core (`_cpu`).
    """
    native.py_test(
        name = name,
        srcs = srcs + [_PYTEST_MAIN],
        main = _PYTEST_MAIN,
        args = [_quoted("--ignore-warning=" + w) for w in ignore_warnings] +
               [a for p in pytest_plugins for a in ["-p", p]] +
               ["$(rootpaths %s)" % s for s in srcs] + args,
        deps = deps,
        python_version = "PY3",
        srcs_version = "PY3",
        size = size,
        tags = _cpu(tags + ([] if size == "small" or "slow" in tags else ["slow"]), waits),
        **kwargs
    )

def floe_mypy_test(name, package, deps, size = "medium", tags = [], **kwargs):
    """mypy --strict over the import package `package` and the floe code it imports."""
    native.py_test(
        tags = _cpu(tags),
        name = name,
        srcs = [_MYPY_MAIN],
        main = _MYPY_MAIN,
        args = ["--package", package],
        deps = deps,
        python_version = "PY3",
        srcs_version = "PY3",
        size = size,
        **kwargs
    )

def floe_ruff_test(name, srcs, size = "small", tags = [], **kwargs):
    """ruff check and ruff format --check over `srcs`, with the repository's ruff.toml."""
    native.py_test(
        tags = _cpu(tags),
        name = name,
        srcs = [_RUFF_MAIN],
        main = _RUFF_MAIN,
        data = srcs + ["//:ruff.toml"],
        args = ["--config", "$(rootpath //:ruff.toml)"] + ["$(rootpaths %s)" % s for s in srcs],
        python_version = "PY3",
        srcs_version = "PY3",
        size = size,
        **kwargs
    )

def floe_package_test(
        name,
        import_name,
        tests,
        allowed_floe_deps = [],
        forbidden_imports = [],
        size = "small",
        tags = [],
        **kwargs):
    """Checks a package's import boundaries and builds its wheel offline to audit its metadata.

    import_name: the package's top-level module (floe_config).
    tests: a filegroup of the package's test sources (their imports are checked too).
    allowed_floe_deps: the floe import names this package may depend on (DESIGN.md: down only).
    forbidden_imports: top-level modules the package must never import (floe-dbt: dagster).
    """
    files = native.glob(
        ["pyproject.toml", "README.md", "src/**"],
        exclude = ["**/__pycache__/**"],
    )
    native.py_test(
        name = name,
        srcs = [_PACKAGE_MAIN],
        main = _PACKAGE_MAIN,
        data = files + [tests],
        args = [
            "--package-dir",
            native.package_name(),
            "--import-name",
            import_name,
        ] + ["--allow=" + d for d in allowed_floe_deps] +
        ["--forbid=" + f for f in forbidden_imports],
        python_version = "PY3",
        srcs_version = "PY3",
        size = size,
        tags = _cpu(tags),
        **kwargs
    )

def floe_package(
        name,
        deps = [],
        visibility = None,
        allowed_floe_deps = [],
        forbidden_imports = []):
    """A floe package: the library `name` and its :mypy, :ruff and :package_test targets.

    Expects the package's tests in `tests/` exporting a `files` filegroup.
    """
    tests = "//%s/tests:files" % native.package_name()
    floe_py_library(name = name, deps = deps, visibility = visibility)

    # What `pip wheel` builds the package from (tests that install floe as a user does).
    native.filegroup(
        name = "dist",
        srcs = native.glob(
            ["pyproject.toml", "README.md", "src/**"],
            exclude = ["**/__pycache__/**"],
        ),
        visibility = ["//:__subpackages__"],
    )
    floe_mypy_test(name = "mypy", package = name, deps = [":" + name])
    floe_ruff_test(name = "ruff", srcs = native.glob(["*.py", "src/**/*.py"]) + [tests])
    floe_package_test(
        name = "package_test",
        import_name = name,
        tests = tests,
        allowed_floe_deps = allowed_floe_deps,
        forbidden_imports = forbidden_imports,
    )
