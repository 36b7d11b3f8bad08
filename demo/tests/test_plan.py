"""``floe plan`` on the demo, as a user runs it: the next ticks of each schedule in its own
timezone, and the assets a newly listed module adds, before anything runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

from bad_inputs import line_of
from demo_env import GOLD_PY, compile_project, copy_demo, demo_environment, floe

NEW_YORK = "America/New_York"


def test_plan_shows_ticks_in_their_timezone_and_what_a_module_adds(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "root", "planned_shop")
    env = demo_environment(tmp_path / "state", PIPELINE_TIMEZONE=NEW_YORK)
    floe_yaml = str(project / "floe.yaml")

    text = floe(env, "plan", floe_yaml)
    assert text.returncode == 0, text.stderr
    assert f"nightly_pipeline: medallion_pipeline '0 2 * * *' {NEW_YORK} STOPPED" in text.stdout
    assert "changes since the last `floe compile`" in text.stdout

    plan = json.loads(floe(env, "plan", floe_yaml, "--json").stdout)
    nightly = plan["schedules"]["nightly_pipeline"]
    assert nightly["timezone"] == NEW_YORK
    ticks = [datetime.fromisoformat(t) for t in nightly["next_ticks"]]
    assert len(ticks) == 3
    for tick in ticks:
        assert (tick.hour, tick.minute) == (2, 0)  # 02:00 in New York, whatever the offset
        assert tick.utcoffset() in (timedelta(hours=-5), timedelta(hours=-4))
    assert [b.date() - a.date() for a, b in pairwise(ticks)] == [timedelta(days=1)] * 2
    assert plan["partitions"]["daily"]["first"] == "2024-01-01"
    assert plan["backfills"]["first_120_days"]["runs"] == 12
    assert plan["warnings"] == []
    assert [p["pattern"] for p in plan["patterns"]] == ["bronze_order*", "stg_order*"]
    assert plan["changes"]["compared_with"] is None  # nothing compiled next to floe.yaml yet

    compile_project(project)
    (project / "orchestration" / "assets" / "gold.py").write_text(GOLD_PY)
    Path(floe_yaml).write_text(
        Path(floe_yaml)
        .read_text()
        .replace(
            "    - .orchestration.assets.ops\n",
            "    - .orchestration.assets.ops\n    - .orchestration.assets.gold\n",
        )
        .replace(
            '    "stg_order*":\n', '    "gold_*":\n      group_name: gold\n    "stg_order*":\n'
        )
    )
    after = floe(env, "plan", floe_yaml, "--json")
    assert after.returncode == 0, after.stderr
    document = json.loads(after.stdout)
    [warning] = document["warnings"]  # the same warning `floe validate` and a load give
    line = line_of(Path(floe_yaml), '"gold_*":')
    where = f"floe.yaml:{line}:5 orchestration.assets.gold_*"
    assert warning.startswith(
        f"{where}: pattern 'gold_*' matches no asset, so its settings apply to nothing "
        "[pattern_matches_nothing]\n    fix: "
    )
    changes = document["changes"]
    assert changes["compared_with"] == str(project / "compiled_artifacts.json")
    assert changes["assets"] == {"added": ["top_customers"], "removed": [], "changed": []}
    assert changes["jobs"] == {"added": [], "removed": [], "changed": []}
    # a CI job compares a branch with main's artifact, wherever it keeps it
    mains = tmp_path / "main" / "compiled_artifacts.json"
    mains.parent.mkdir()
    (project / "compiled_artifacts.json").rename(mains)
    against = json.loads(floe(env, "plan", floe_yaml, "--json", "--against", str(mains)).stdout)
    assert against["changes"]["compared_with"] == str(mains), against["changes"]["note"]
    assert against["changes"]["assets"] == changes["assets"]
    alone = json.loads(floe(env, "plan", floe_yaml, "--json").stdout)
    assert alone["changes"]["compared_with"] is None  # nothing beside floe.yaml any more
    served = Path(env["FLOE_STATE_DIR"]) / "compiled_artifacts.json"  # where `floe dev` writes
    assert floe(env, "compile", floe_yaml, "--output", str(served)).returncode == 0
    since_dev = json.loads(floe(env, "plan", floe_yaml, "--json").stdout)["changes"]
    assert since_dev["compared_with"] == str(served), since_dev["note"]
    assert since_dev["assets"] == {"added": [], "removed": [], "changed": []}  # it is today's
    served.unlink()
    mains.rename(project / "compiled_artifacts.json")
    shown = floe(env, "plan", floe_yaml).stdout
    assert "assets added: top_customers" in shown
    assert f"warning: {where}: pattern 'gold_*' matches no asset" in shown
    assert "'gold_*': no asset (see the warning)" in shown


def test_the_demo_plan_target_plans_the_demo_and_a_bare_script_says_what_it_needs(
    tmp_path: Path,
) -> None:
    """``tools/bazel run //demo:plan -- --json`` (the script that target runs, with the target's
    ``plan`` argument) plans the demo; the script run without a command, as ``bazel-bin/demo/plan``
    run by hand is, names the commands instead of failing with a traceback."""
    env = demo_environment(tmp_path / "state")
    env["PYTHONPATH"] = os.pathsep.join(p for p in [env.get("PYTHONPATH"), *sys.path] if p)

    def script(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "demo/floe_demo.py", *args],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip

    planned = script("plan", "--json")
    assert planned.returncode == 0, planned.stderr
    plan = json.loads(planned.stdout)
    assert plan["project"] == "ecommerce_demo"
    assert plan["backfills"]["first_120_days"]["runs"] == 12
    for args, given in (((), "got none"), (("plna",), "got 'plna'")):
        bare = script(*args)
        assert bare.returncode == 2
        assert "Traceback" not in bare.stderr, bare.stderr
        assert "one of validate, plan, run, backfill" in bare.stderr, bare.stderr
        assert given in bare.stderr, bare.stderr
