"""The README's "Your own dbt project", run as it stands: its shell block, line by line, in a
folder outside the checkout, on a dbt project that is not the demo (two seeds, three models),
with floe installed from the wheels ``//packages:wheels`` builds, then ``floe dev`` until a
run the daemon launched succeeds, and Ctrl-C.

What the test does not do as written: ``tools/bazel build //packages:wheels`` (Bazel cannot run
inside its own test; the wheels are that target's output, given as data), and ``pip install -r
requirements_lock.txt``, which would download the stack from PyPI: the environment gets the
same packages from floe's own toolchain, which is built from that lock file (a ``.pth`` to its
site-packages and its console scripts, pointed at the new environment's Python). Neither the
test's Python path nor its floe sources reach the commands: floe comes from the wheels.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from dagster_http import launch, run_status, served_assets
from demo_env import free_port
from projects import DBT_MODELS, DBT_SEEDS, lingering, write_dbt_project

REPO = Path(__file__).absolute().parents[2]  # the runfiles tree: README, wheels, lock
WHEELS = ["floe_config", "floe_dagster", "floe_dbt"]
BUILD_LINE = "cd path/to/floe && tools/bazel build //packages:wheels"
LOCK_LINE = "pip install --require-hashes -r path/to/floe/tools/python/requirements_lock.txt"
STARTUP_SECONDS = 180


def readme_block(heading: str = "## Your own dbt project") -> list[str]:
    """The commands of the README's first shell block under ``heading``, comments dropped."""
    text = (REPO / "README.md").read_text()
    section = text.split(f"{heading}\n", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines() if line.strip()]


def checkout(root: Path) -> Path:
    """What the block reads from a checkout: the built wheels and the lock file."""
    wheels = root / "bazel-bin" / "packages" / "wheels"
    wheels.mkdir(parents=True)
    built = REPO / "packages" / "wheels"
    for name in WHEELS:
        [wheel] = built.glob(f"{name}-*.whl")
        shutil.copyfile(wheel, wheels / wheel.name)
    (root / "tools" / "python").mkdir(parents=True)
    lock = REPO / "tools" / "python" / "requirements_lock.txt"
    shutil.copyfile(lock, root / "tools" / "python" / "requirements_lock.txt")
    return root


def stock_from_toolchain(venv: str) -> str:
    """Shell lines that give ``venv`` what the lock file's install would: the toolchain's
    packages (a .pth) and their console scripts (dbt, dagster, ...) run by the venv's Python."""
    scripts = Path(sys.executable).parent
    copies = []
    for script in sorted(scripts.iterdir()):
        try:
            with script.open("rb") as text:
                first = text.readline()
        except OSError:
            continue
        if first.startswith(b"#!") and b"python" in first and script.name not in ("pip", "pip3"):
            copies.append(script.name)
    lines = [
        f"site=$({venv}/bin/python -c \"import sysconfig; print(sysconfig.get_path('purelib'))\")",
        f'echo "{sysconfig.get_path("purelib")}" > "$site/toolchain.pth"',
        f"for name in {' '.join(copies)}; do",
        f'  sed "1s|.*|#!{venv}/bin/python|" "{scripts}/$name" > "{venv}/bin/$name"',
        f'  chmod +x "{venv}/bin/$name"',
        "done",
    ]
    return "\n".join(lines)


def test_the_readme_path_from_clone_to_own_project(tmp_path: Path) -> None:
    lines = readme_block()
    assert lines[0] == BUILD_LINE, lines  # done by Bazel: the wheels are this test's data
    assert LOCK_LINE in lines, lines
    assert lines[-1].startswith("floe dev"), lines
    floe_root = checkout(tmp_path / "floe")
    project = write_dbt_project(tmp_path / "elsewhere" / "tiny_shop")
    python_dir = tmp_path / "bin"
    python_dir.mkdir()
    (python_dir / "python3.11").symlink_to(sys.executable)  # the toolchain's 3.11, on PATH

    script = ["set -euo pipefail"]
    for written in lines[1:-1]:
        if written == LOCK_LINE:
            script.append(stock_from_toolchain(str(project / ".venv")))
            continue
        line = written.replace("path/to/floe", str(floe_root))
        line = line.replace("path/to/your/dbt_project", str(project))
        script += [f"echo {shlex.quote('>>> ' + written)}", line]
    results = readme_block("### Results, state and a fresh start")
    assert results[-1] == "rm -rf .floe", results
    script += ["ls .floe/dbt/target/ > runs.txt"]  # what there was to clean up
    script += [f"echo {shlex.quote('>>> ' + line)}\n{line}" for line in results]
    env = {
        "PATH": f"{python_dir}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(tmp_path / "home"),
        "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
        "PIP_NO_INDEX": "1",  # nothing from the network: a missing package fails the test
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    said = done.stdout + done.stderr
    print(done.stdout)  # the README's commands and what each printed
    assert done.returncode == 0, said[-5000:]
    assert "Traceback" not in said, said[-5000:]
    assert re.search(
        r"^floe 0\.1\.0 \(floe-config 0\.1\.0, floe-dbt 0\.1\.0; dagster ", done.stdout, re.M
    )
    assert f"wrote {project / 'floe.yaml'}" in done.stdout
    assert "floe.yaml OK: tiny_shop" in done.stdout
    assert "all_models" in done.stdout  # the plan names the job
    assert re.search(r"^run \S+: SUCCESS$", done.stdout, re.M), said[-3000:]
    tables = done.stdout.split(">>> python -c", 1)[1]
    for table in DBT_MODELS:  # every model is a table in the warehouse, shown by the one-liner
        assert table in tables, tables
    assert len((project / "runs.txt").read_text().split()) == 1  # floe run all_models: one run
    assert not (project / ".floe").exists()  # the fresh start
    venv = project / ".venv"
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import floe_dagster; print(floe_dagster.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert installed.startswith(str(venv)), installed  # floe from the wheels, not the checkout

    # `floe dev`, in the same environment: GraphQL lists the assets, a run the daemon launches
    # succeeds, and Ctrl-C leaves no process behind
    port = free_port()
    dev_env = dict(env, PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", VIRTUAL_ENV=str(venv))
    log = tmp_path / "dev.log"
    state = project / ".floe"
    with log.open("w") as output:
        process = subprocess.Popen(
            [*lines[-1].split(), "-p", str(port)],
            cwd=project,
            env=dev_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        served = served_assets(url, process, log, STARTUP_SECONDS)
        assert served == sorted([*DBT_MODELS, *DBT_SEEDS])
        run_id = launch(url, "tiny_shop", "all_models")  # queued; the daemon launches it
        while (status := run_status(url, run_id)) not in ("SUCCESS", "FAILURE", "CANCELED"):
            assert time.monotonic() < deadline + 180, log.read_text()[-3000:]
            time.sleep(1)
        assert status == "SUCCESS", log.read_text()[-3000:]
    finally:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal
        try:
            process.wait(timeout=60)
        finally:
            leftover = lingering(state, seconds=30)
            for pid in leftover:
                os.kill(pid, signal.SIGKILL)
    assert leftover == {}, f"still running after Ctrl-C: {leftover}\n{log.read_text()[-2000:]}"
    assert "is superseded" not in log.read_text()
