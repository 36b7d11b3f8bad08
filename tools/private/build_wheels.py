"""The main of //packages:wheels: floe's three wheels, built offline from their sources.

``build_wheels.py --out DIR FILE...``: FILE are the packages' ``dist`` files (pyproject.toml,
README.md, src/**); each package is copied out of Bazel's tree (symlinks followed) and built
with ``pip wheel --no-deps --no-build-isolation`` and the toolchain's hatchling, with no index.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("files", nargs="+", type=Path)
    options = parser.parse_args(argv)
    roots = sorted({f.parent for f in options.files if f.name == "pyproject.toml"})
    options.out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env["PIP_NO_CACHE_DIR"] = "1"
    with tempfile.TemporaryDirectory() as scratch:
        for root in roots:
            copy = Path(scratch) / root.name
            for file in options.files:
                if file.is_relative_to(root):
                    target = copy / file.relative_to(root)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(file, target)
            command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
            command += ["-q", "--wheel-dir", str(options.out), str(copy)]
            subprocess.run(command, env=env, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
