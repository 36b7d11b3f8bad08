"""The main of every floe_ruff_test: ``ruff check`` and ``ruff format --check``."""

from __future__ import annotations

import subprocess
import sys


def main(argv: list[str]) -> int:
    config, files = argv[1], argv[2:]
    if argv[0] != "--config" or not files:
        print("usage: ruff_main --config RUFF_TOML FILE...", file=sys.stderr)
        return 2
    ruff = [sys.executable, "-m", "ruff"]
    base = ["--config", config, "--no-cache"]
    check = subprocess.run([*ruff, "check", *base, *files], check=False)
    fmt = subprocess.run([*ruff, "format", "--check", "--diff", *base, *files], check=False)
    if fmt.returncode != 0:
        print("ruff format would change the files above; run: ruff format <files>")
    return check.returncode or fmt.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
