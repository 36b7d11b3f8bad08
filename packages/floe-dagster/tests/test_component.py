"""FloeComponent in a ``dg`` project, through the real ``dg`` command (the checks; the runs are
in test_component_runs.py): ``dg list components``, ``dg check yaml``, ``dg check defs``,
``dg list defs``, ``dg scaffold defs``, and floe's errors under them.

The project is laid out as ``create-dagster project`` lays one out, outside the repository,
with floe installed from its wheels (``dg_project.py``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from dg_project import (
    FLOE_YAML,
    REPORTS,
    build_wheels,
    list_defs,
    write_dbt_project,
    write_project,
)

from floe_dagster._project import (
    PARTITION_MACROS,
    PARTITION_MACROS_FILE,
    project_name,
    starter_floe_yaml,
)

DBT_NODES = {
    "raw_customers",
    "raw_orders",
    "stg_customers",
    "stg_orders",
    "stg_payments",
    "customer_totals",
}
FLOE_FILE = "src/shop_project/defs/shop/floe.yaml"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build_wheels(Path.cwd(), tmp_path_factory.mktemp("wheels"))


def _output(done: object) -> str:
    return ANSI.sub("", f"{getattr(done, 'stdout', '')}{getattr(done, 'stderr', '')}")


def floe_frames(text: str) -> list[str]:
    """The stack-trace frames of floe's own code in ``text``."""
    return re.findall(r'File "[^"]*/floe_dagster/[^"]*", line \d+', text)


def assert_floe_error(text: str, location: str, code: str) -> None:
    """floe's own error: its ``file:line:col key: ... [code]`` line, and one frame of floe."""
    assert re.search(rf"^{re.escape(location)}\S* .*\[{code}\]$", text, re.M), text[-4000:]
    assert len(floe_frames(text)) == 1, floe_frames(text) or text[-4000:]


def test_dg_lists_checks_and_describes_the_component(wheels: list[Path], tmp_path: Path) -> None:
    project = write_project(tmp_path / "shop", wheels)
    components = project.dg("list", "components", "--json").stdout
    listed = {item["key"]: item["summary"] for item in _json(components)["items"]}
    assert listed["floe_dagster.FloeComponent"] == (
        "floe.yaml as Dagster definitions: dbt models as assets, jobs, schedules, sensors."
    )
    inspected = project.dg("utils", "inspect-component", "floe_dagster.FloeComponent").stdout
    schema = json.loads(inspected[inspected.index("{", inspected.index("Component schema")) :])
    assert sorted(schema["properties"]) == ["config", "refresh_if_dev"]
    assert schema["additionalProperties"] is False

    assert "validated successfully" in project.dg("check", "yaml").stdout
    defs_yaml = project.defs / "shop" / "defs.yaml"
    defs_yaml.write_text(defs_yaml.read_text().replace("config:", "confg:"))
    misspelt = project.dg("check", "yaml", check=False)
    assert misspelt.returncode != 0
    assert "confg" in _output(misspelt)
    defs_yaml.write_text(defs_yaml.read_text().replace("confg:", "config:"))
    assert project.parses() == 0
    checked = project.dg("check", "defs")
    assert "All definitions loaded successfully" in checked.stdout, _output(checked)
    assert project.parses() == 1, project.dbt_calls()  # the state, made once
    defs = list_defs(project)
    assert project.parses() == 1, "an unchanged project is not parsed again by the next dg command"

    assets = {a["asset_key"]: a for a in defs["assets"]}
    assert set(assets) >= DBT_NODES, sorted(assets)  # every dbt node its own asset
    assert "customer_totals" in assets["order_summary"]["dependency_keys"]  # Python after dbt
    assert "payments" in assets["stg_payments"]["dependency_keys"]  # dbt after Python
    assert {j["name"] for j in defs["jobs"]} >= {"shop_daily", "marts"}
    assert [s["name"] for s in defs["schedules"]] == ["nightly"]
    assert "marts_after_report" in {s["name"] for s in defs["sensors"]}


def test_broken_floe_yaml_is_floe_error_under_dg(wheels: list[Path], tmp_path: Path) -> None:
    project = write_project(tmp_path / "shop", wheels)
    floe_yaml = project.defs / "shop" / "floe.yaml"
    cases = {
        "unknown_key": (
            FLOE_YAML.replace("  service_name: shop\n", "  service_name: shop\n  sevice: x\n"),
            f"{FLOE_FILE}:16:3 observability.sevice:",
        ),
        "selection_matches_nothing": (
            FLOE_YAML.replace('["customer_totals"]', '["customer_total"]'),
            f"{FLOE_FILE}:28:19 orchestration.jobs.marts.selection[0]:",
        ),
        "invalid_cron": (
            FLOE_YAML.replace('"0 2 * * *"', '"0 25 * * *"'),
            f"{FLOE_FILE}:32:22 orchestration.schedules.nightly.cron_schedule:",
        ),
    }
    for code, (text, location) in cases.items():
        floe_yaml.write_text(text)
        checked = project.dg("check", "defs", check=False)
        assert checked.returncode != 0
        assert_floe_error(_output(checked), location, code)
        if code == "selection_matches_nothing":
            assert "fix: did you mean 'customer_totals'?" in _output(checked)
    listed = project.dg("list", "defs", "--json", check=False)
    assert listed.returncode != 0
    assert_floe_error(_output(listed), cases["invalid_cron"][1], "invalid_cron")


def test_missing_and_stale_state_without_refresh(wheels: list[Path], tmp_path: Path) -> None:
    project = write_project(tmp_path / "shop", wheels)
    defs_yaml = project.defs / "shop" / "defs.yaml"
    defs_yaml.write_text(defs_yaml.read_text() + "  refresh_if_dev: false\n")
    where = "src/shop_project/defs/shop/defs.yaml:1:1"
    for command in (("check", "defs"), ("list", "defs")):
        missing = project.dg(*command, check=False)
        assert missing.returncode != 0
        assert_floe_error(_output(missing), where, "component_state_missing")
        assert "fix: run `dg utils refresh-defs-state`" in _output(missing)
    assert project.parses() == 0, "refresh_if_dev: false never parses under dg"

    project.dg("utils", "refresh-defs-state")
    assert project.parses() == 1
    project.dg("check", "defs")
    manifest = next(p for p in project.state_files() if p.name == "manifest.json")
    manifest.write_text(manifest.read_text().replace('"shop"', '"shop" ', 1))
    for command in (("check", "defs"), ("list", "defs")):
        stale = project.dg(*command, check=False)
        assert stale.returncode != 0
        assert_floe_error(_output(stale), FLOE_FILE, "manifest_changed")
        assert "fix: run `dg utils refresh-defs-state`" in _output(stale)

    project.dg("utils", "refresh-defs-state")
    model = project.root / "dbt" / "shop" / "models" / "stg_orders.sql"
    model.write_text(model.read_text() + "\n-- a new line\n")
    changed = project.dg("check", "defs", check=False)
    assert_floe_error(_output(changed), where, "component_state_stale")
    assert "the dbt project's files" in _output(changed)


def test_scaffold_writes_a_component_that_checks_unedited(
    wheels: list[Path], tmp_path: Path
) -> None:
    project = write_project(tmp_path / "shop", wheels, component=False)
    nowhere = project.dg("scaffold", "defs", "floe_dagster.FloeComponent", "x", check=False)
    assert nowhere.returncode != 0
    assert "fix: pass --dbt-project PATH" in _output(nowhere)
    assert not (project.defs / "x").exists()

    project.dg(
        "scaffold", "defs", "floe_dagster.FloeComponent", "defs/shop", "--dbt-project", "dbt/shop"
    )
    folder = project.defs / "defs" / "shop"  # dg reads the path from the defs folder
    assert (folder / "defs.yaml").read_text().startswith("type: floe_dagster.FloeComponent")
    dbt = project.root / "dbt" / "shop"
    name = project_name(dbt / "dbt_project.yml")
    assert (folder / "floe.yaml").read_text() == starter_floe_yaml(name, "../../../../../dbt/shop")
    assert ".floe/" in (folder / ".gitignore").read_text()
    macros = dbt / "macros" / PARTITION_MACROS_FILE  # as `floe init` writes them
    assert macros.read_text() == PARTITION_MACROS
    checked = project.dg("check", "defs")
    assert "All definitions loaded successfully" in checked.stdout, _output(checked)
    assets = {a["asset_key"] for a in list_defs(project)["assets"]}
    assert assets >= DBT_NODES


def test_a_second_component_fails_naming_both(wheels: list[Path], tmp_path: Path) -> None:
    project = write_project(tmp_path / "shop", wheels)
    write_dbt_project(project.root / "dbt" / "other")
    other = project.defs / "other"
    other.mkdir()
    (other / "defs.yaml").write_text((project.defs / "shop" / "defs.yaml").read_text())
    (other / "floe.yaml").write_text(FLOE_YAML.replace("dbt/shop", "dbt/other"))
    both = project.dg("check", "defs", check=False)
    text = _output(both)
    assert both.returncode != 0
    assert_floe_error(text, "src/shop_project/defs/", "two_floe_components")
    for named in ("defs/other/defs.yaml", "defs/other/floe.yaml", "defs/shop/defs.yaml", FLOE_FILE):
        assert named in text, text[-3000:]


def test_an_asset_defined_twice_or_a_cycle_across_the_project_is_named(
    wheels: list[Path], tmp_path: Path
) -> None:
    project = write_project(tmp_path / "shop", wheels)
    (project.defs / "clash.py").write_text(
        "import dagster as dg\n\n\n@dg.asset\ndef customer_totals() -> None: ...\n"
    )
    clash = project.dg("check", "defs", check=False)
    assert_floe_error(_output(clash), FLOE_FILE, "duplicate_asset")
    assert "'customer_totals' is built by floe and also defined elsewhere" in _output(clash)

    # another part of the project that fails is Dagster's error alone: floe does not add
    # "matches nothing" for order_summary, which its job selects and it could not see
    (project.defs / "clash.py").unlink()
    (project.defs / "reports.py").write_text("import dagster as dg\n\nraise RuntimeError('boom')\n")
    broken = project.dg("check", "defs", check=False)
    assert broken.returncode != 0
    assert "RuntimeError: boom" in _output(broken), _output(broken)[-3000:]
    assert "matches nothing" not in _output(broken)

    # a plain asset that the dbt source lake.payments reads, and that reads what dbt makes of
    # it: one cycle across the project, named, not every asset Dagster could not order
    (project.defs / "reports.py").write_text(
        REPORTS.replace('@dg.asset(group_name="lake")', '@dg.asset(deps=["stg_payments"])')
    )
    cycle = project.dg("check", "defs", check=False)
    assert_floe_error(_output(cycle), FLOE_FILE, "asset_cycle")
    assert (
        "assets feed each other in a cycle: payments -> stg_payments -> payments (payments is "
        "defined elsewhere in the dg project; stg_payments is the dbt model "
        "models/stg_payments.sql)"
    ) in " ".join(_output(cycle).split()), _output(cycle)[-3000:]
    assert "[selection_" not in _output(broken)


def _json(text: str) -> dict[str, list[dict[str, str]]]:
    loaded: dict[str, list[dict[str, str]]] = json.loads(text[text.index("{") :])
    return loaded
