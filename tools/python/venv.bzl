"""floe_python_venv: a repository rule that builds floe's Python toolchain.

It creates a virtualenv, installs the hash-pinned lock file with `pip --require-hashes`, and
exposes the venv's interpreter as a Bazel Python toolchain. Bazel re-runs it whenever the lock
file changes. The venv is shared by every checkout on the machine (`shared_venv.py`: one per
lock file and interpreter, under `~/.cache/floe/venvs`, or `$FLOE_VENV_CACHE`), so a fresh
clone does not install the lock again; `FLOE_VENV_CACHE=off` builds it inside the external
repository instead. Set FLOE_PYTHON to choose the interpreter
(default: `python3` on PATH); it must be CPython 3.11, the version the lock is compiled for.
"""

_BUILD = """\
load("@bazel_tools//tools/python:toolchain.bzl", "py_runtime_pair")

package(default_visibility = ["//visibility:public"])

py_runtime(
    name = "py3_runtime",
    interpreter_path = "{python}",
    python_version = "PY3",
    stub_shebang = "#!{python}",
)

py_runtime_pair(
    name = "runtime_pair",
    py3_runtime = ":py3_runtime",
)

toolchain(
    name = "toolchain",
    toolchain = ":runtime_pair",
    toolchain_type = "@bazel_tools//tools/python:toolchain_type",
)

exports_files(["python_path.txt"])
"""

def _run(rctx, argv, what, timeout = 600):
    result = rctx.execute(argv, timeout = timeout, quiet = True)
    if result.return_code != 0:
        fail("floe_python_venv: {} failed (exit {}):\n{}\n{}".format(
            what,
            result.return_code,
            result.stdout,
            result.stderr,
        ))
    return result

def _floe_python_venv_impl(rctx):
    base = rctx.os.environ.get("FLOE_PYTHON") or rctx.which("python3")
    if not base:
        fail("floe_python_venv: no python3 on PATH; install CPython 3.11 or set FLOE_PYTHON")
    version = _run(
        rctx,
        [base, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        "asking {} for its version".format(base),
    ).stdout.strip()
    if version != rctx.attr.python_version:
        fail("floe_python_venv: {} is Python {}, but the lock is compiled for Python {}; ".format(
            base,
            version,
            rctx.attr.python_version,
        ) + "set FLOE_PYTHON to a Python {} interpreter".format(rctx.attr.python_version))

    lock = rctx.path(rctx.attr.lock)
    shared = rctx.os.environ.get("FLOE_VENV_CACHE")
    home = rctx.os.environ.get("HOME")
    if shared != "off" and (shared or home):
        root = shared or home + "/.cache/floe/venvs"  # one venv for every checkout
    else:
        root = str(rctx.path("venvs"))  # this checkout's own, inside the external repository
    rctx.report_progress("the virtualenv of {} in {}".format(lock.basename, root))
    python = _run(
        rctx,
        [base, str(rctx.path(rctx.attr._shared)), str(lock), root],
        "building the venv in {}".format(root),
        timeout = 3600,
    ).stdout.strip()
    _finish(rctx, python)

def _finish(rctx, python):
    rctx.file("python_path.txt", python + "\n")
    rctx.file("WORKSPACE", "workspace(name = \"{}\")\n".format(rctx.name))
    rctx.file("BUILD.bazel", _BUILD.format(python = python))

floe_python_venv = repository_rule(
    implementation = _floe_python_venv_impl,
    attrs = {
        "lock": attr.label(mandatory = True, allow_single_file = True),
        "python_version": attr.string(default = "3.11"),
        "_shared": attr.label(
            default = Label("//tools/python:shared_venv.py"),
            allow_single_file = True,
        ),
    },
    environ = ["FLOE_PYTHON", "FLOE_VENV_CACHE", "HOME"],
    local = False,
)
