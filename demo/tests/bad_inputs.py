"""The demo's bad inputs: each edits a copy of the demo and says which problem must follow.

``test_bad_inputs`` loads each into a code location; ``test_validate_cli`` runs ``floe
validate`` over each as a subprocess.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from demo_env import compile_project


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


REGENERATE = "run `floe parse "
"""How the fix for a missing or broken manifest starts (the command that writes it)."""
MODULES = "  asset_modules:\n    - .orchestration.assets.bronze\n"
Case = tuple[str, str, str, str]
"""(text on the line the problem must point at, code, key path, message)"""


def missing_module(project: Path) -> list[Case]:
    edit(project / "floe.yaml", MODULES, MODULES + "    - .orchestration.assets.nope\n")
    return [
        (
            ".orchestration.assets.nope",
            "missing_module",
            "orchestration.asset_modules[1]",
            f"no module named '{project.name}.orchestration.assets.nope' (is it on the Python "
            "path, spelled right?)",
        )
    ]


def syntax_error(project: Path) -> list[Case]:
    broken = project / "orchestration" / "assets" / "broken.py"
    broken.write_text("from dagster import asset\n\n\ndef oops(:\n    pass\n")
    edit(project / "floe.yaml", MODULES, MODULES + "    - .orchestration.assets.broken\n")
    return [
        (
            ".orchestration.assets.broken",
            "module_syntax_error",
            "orchestration.asset_modules[1]",
            f"module '{project.name}.orchestration.assets.broken' has a syntax error at "
            f"{broken}:4: invalid syntax",
        )
    ]


def missing_manifest(project: Path) -> list[Case]:
    manifest = project / "dbt" / "target" / "manifest.json"
    compile_project(project)
    manifest.unlink()
    return [
        (
            "manifest_path:",
            "manifest_not_found",
            "orchestration.dbt.manifest_path",
            f"{manifest}: no dbt manifest here",
        )
    ]


def corrupt_manifest(project: Path) -> list[Case]:
    manifest = project / "dbt" / "target" / "manifest.json"
    manifest.write_text('{"metadata": {"dbt_schema_version": ')
    return [
        (
            "manifest_path:",
            "manifest_not_json",
            "orchestration.dbt.manifest_path",
            f"{manifest}: the dbt manifest is not valid JSON: unexpected end of data: line 1 "
            "column 37 (char 36)",
        )
    ]


def selection_matches_nothing(project: Path) -> list[Case]:
    edit(project / "floe.yaml", 'selection: ["group:bronze"]', 'selection: ["group:platinum"]')
    return [
        (
            'selection: ["group:platinum"]',
            "selection_matches_nothing",
            "orchestration.jobs.bronze_refresh.selection[0]",
            "'group:platinum' matches no asset; every item must match at least one (an empty "
            "selection never means all assets)",
        )
    ]


def one_item_with_a_typo(project: Path) -> list[Case]:
    edit(
        project / "floe.yaml",
        'selection: ["+customer_orders", "+revenue_by_product"]',
        'selection:\n        - "+customer_orders"\n        - "+revenu_by_product"',
    )
    return [
        (
            '"+revenu_by_product"',
            "selection_matches_nothing",
            "orchestration.jobs.medallion_pipeline.selection[1]",
            "'+revenu_by_product' matches no asset; every item must match at least one (an "
            "empty selection never means all assets)",
        )
    ]


def ops_arg_not_accepted(project: Path) -> list[Case]:
    edit(
        project / "floe.yaml",
        "        dry_run: ${VACUUM_DRY_RUN:false}\n",
        "        dry_run: ${VACUUM_DRY_RUN:false}\n        force: true\n",
    )
    return [
        (
            "        force: true",
            "unknown_argument",
            "orchestration.jobs.vacuum_tables.args.force",
            ".orchestration.assets.ops.vacuum_old_snapshots() takes no argument 'force' (it "
            "takes: retention_days, dry_run, tables, retain_last, orphan_grace_hours)",
        )
    ]


def profiles_dir_not_a_folder(project: Path) -> list[Case]:
    edit(
        project / "floe.yaml",
        "    project_dir: dbt\n",
        '    project_dir: dbt\n    profiles_dir: "\\0"\n',
    )
    return [
        (
            "profiles_dir:",
            "profiles_dir_not_found",
            "transforms.dbt.profiles_dir",
            f"profiles_dir '\\x00' is not a folder ({project / chr(0)})",
        )
    ]


CASES: dict[str, Callable[[Path], list[Case]]] = {
    "missing_module": missing_module,
    "syntax_error": syntax_error,
    "missing_manifest": missing_manifest,
    "corrupt_manifest": corrupt_manifest,
    "selection_matches_nothing": selection_matches_nothing,
    "one_item_with_a_typo": one_item_with_a_typo,
    "ops_arg_not_accepted": ops_arg_not_accepted,
    "profiles_dir_not_a_folder": profiles_dir_not_a_folder,
}
