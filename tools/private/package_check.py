"""The main of every floe_package_test: a package's boundaries and its wheel's metadata.

1. No module of the package (sources or tests) imports another floe package's private module
   (``floe_x._anything``); other floe packages are imported only as DESIGN.md's dependency
   direction allows.
2. ``pip wheel --no-deps`` builds the package offline, and every third-party module its sources
   import is declared in the wheel's ``Requires-Dist``.
"""

from __future__ import annotations

import argparse
import ast
import email.parser
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

FLOE_PACKAGES = {"floe_config", "floe_dbt", "floe_dagster"}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def boundary_problems(
    package_dir: Path, import_name: str, allowed: set[str], forbidden: set[str]
) -> list[str]:
    problems = []
    for path in sorted(package_dir.rglob("*.py")):
        for line, module in _imports(path):
            parts = module.split(".")
            top = parts[0]
            if top in forbidden:
                problems.append(
                    f"{path}:{line}: imports {top}, which {import_name} must never import"
                )
            if top not in FLOE_PACKAGES or top == import_name:
                continue
            where = f"{path}:{line}"
            if any(p.startswith("_") for p in parts[1:]):
                problems.append(
                    f"{where}: imports private module {module}; use `from {top} import ...`"
                )
            elif top not in allowed:
                problems.append(f"{where}: imports {top}, which {import_name} may not depend on")
    return problems


def _build_wheel(package_dir: Path, work: Path) -> Path:
    source = work / "src_copy"
    shutil.copytree(package_dir, source, ignore=shutil.ignore_patterns("__pycache__"))
    out = work / "dist"
    env = dict(
        os.environ, PIP_NO_CACHE_DIR="1", PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1"
    )
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--quiet",
        "--wheel-dir",
        str(out),
        str(source),
    ]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(
            f"pip wheel failed for {package_dir}:\n{completed.stdout}{completed.stderr}"
        )
    wheels = list(out.glob("*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one wheel from {package_dir}, found {wheels}")
    return wheels[0]


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(name).decode())


def entry_point_problems(wheel: Path, shipped: list[str]) -> list[str]:
    """Every console script must name a module the wheel ships and a name that module binds;
    every ``dagster_dg_cli.registry_modules`` entry (what ``dg list components`` reads) a module
    the wheel ships."""
    problems = []
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in shipped if n.endswith(".dist-info/entry_points.txt")]
        text = archive.read(names[0]).decode() if names else ""
        section = ""
        for line in text.splitlines():
            if line.startswith("["):
                section = line.strip("[] ")
                continue
            if "=" not in line:
                continue
            script, target = (part.strip() for part in line.split("=", 1))
            module, _, attribute = target.partition(":")
            base = module.replace(".", "/")
            source = next((f for f in (f"{base}.py", f"{base}/__init__.py") if f in shipped), None)
            if source is None:
                problems.append(f"{section} entry {script} names module {module}, not in the wheel")
                continue
            if section == "console_scripts" and not re.search(
                rf"\b{re.escape(attribute)}\b", archive.read(source).decode()
            ):
                problems.append(f"console script {script}: {module} defines no {attribute}")
    return problems


def metadata_problems(package_dir: Path, import_name: str, allowed: set[str]) -> list[str]:
    with tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR")) as tmp:
        wheel = _build_wheel(package_dir, Path(tmp))
        metadata = _metadata(wheel)
        with zipfile.ZipFile(wheel) as archive:
            shipped = archive.namelist()
        problems = entry_point_problems(wheel, shipped)
    if f"{import_name}/py.typed" not in shipped:
        problems.append(f"{wheel.name} does not ship {import_name}/py.typed")
    declared = {
        canonicalize_name(Requirement(r).name)
        for r in metadata.get_all("Requires-Dist") or []
        if "extra ==" not in r
    }
    distributions = importlib.metadata.packages_distributions()
    stdlib = set(sys.stdlib_module_names)
    for path in sorted((package_dir / "src").rglob("*.py")):
        for line, module in _imports(path):
            top = module.split(".")[0]
            if top in stdlib or top in (import_name, "__future__"):
                continue
            if top in FLOE_PACKAGES:
                needed = {canonicalize_name(top.replace("_", "-"))}
                if top not in allowed:
                    continue  # reported by the boundary check
            else:
                needed = {canonicalize_name(d) for d in distributions.get(top, [])}
                if not needed:
                    problems.append(
                        f"{path}:{line}: imports {top}, which no installed distribution provides"
                    )
                    continue
            if not needed & declared:
                problems.append(
                    f"{path}:{line}: imports {top} (from {', '.join(sorted(needed))}), "
                    f"not declared in {package_dir}/pyproject.toml dependencies"
                )
    floe_declared = {d for d in declared if d.startswith("floe-")}
    for dist in sorted(floe_declared):
        if dist.replace("-", "_") not in allowed:
            problems.append(
                f"pyproject.toml declares {dist}, which {import_name} may not depend on"
            )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--package-dir", required=True)
    parser.add_argument("--import-name", required=True)
    parser.add_argument("--allow", action="append", default=[])
    parser.add_argument("--forbid", action="append", default=[])
    options = parser.parse_args()
    package_dir = Path(options.package_dir)
    allowed = set(options.allow)
    problems = boundary_problems(package_dir, options.import_name, allowed, set(options.forbid))
    problems += metadata_problems(package_dir, options.import_name, allowed)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {package_dir}")
        return 1
    print(f"{package_dir}: boundaries and wheel metadata OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
