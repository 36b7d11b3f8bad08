"""The venv of a lock file, shared by every checkout on the machine (run by venv.bzl).

``python3 shared_venv.py LOCK ROOT`` prints the venv's interpreter. The venv lives in
``ROOT/<sha256 of the lock file and the base interpreter>/`` and is built there, in place
(console scripts name their interpreter by absolute path, so a venv cannot be moved), once:
a file lock serializes checkouts that build it at the same moment, and a ``complete`` marker,
written last, tells a finished venv from one a killed build left half done (that one is
removed and built again). Standard library only: it runs before any venv exists.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(f"{' '.join(argv)} failed (exit {result.returncode}):\n")
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(result.returncode)


def shared_venv(lock: Path, root: Path) -> Path:
    key = hashlib.sha256(lock.read_bytes())
    key.update(str(Path(sys.executable).resolve()).encode())
    key.update(sys.version.encode())
    home = root / key.hexdigest()[:20]
    python = home / "venv" / "bin" / "python3"
    root.mkdir(parents=True, exist_ok=True)
    with (root / f"{home.name}.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        if (home / "complete").is_file():
            return python
        shutil.rmtree(home, ignore_errors=True)  # a build that did not finish
        home.mkdir()
        _run([sys.executable, "-m", "venv", str(home / "venv")])
        pip = [str(python), "-m", "pip"]
        _run(
            [
                *pip,
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--quiet",
                "--require-hashes",
                "--no-deps",
                "--requirement",
                str(lock),
            ]
        )
        _run([*pip, "check"])
        (home / "requirements_lock.txt").write_bytes(lock.read_bytes())  # what it holds
        (home / "complete").write_text("")
    return python


if __name__ == "__main__":
    print(shared_venv(Path(sys.argv[1]), Path(sys.argv[2])))
