"""What a code server leaves for the processes that run its jobs: the run plan and the node store.

A run worker and every step process rebuild the code location, and at 10,000 dbt models that
is the cost of the whole location again (the manifest, 10,000 specs, the graph, every job).
The code server has computed all of it once; it writes what a run needs to build only its own
part, in the state directory's ``runs/``:

- the node store, ``nodes-<manifest sha256>.sqlite``: every node of the manifest as its raw
  JSON, by unique_id, the tests attached to each node, and the manifest's metadata, sources
  and groups. Written once per manifest.
- the run plan, ``plan-<sha256 of itself>.json``: each dbt asset's key, unique_id, multi-asset
  and place in it; each multi-asset's dbt selection, first node and size; the assets each batch
  job materializes. Written when what it says changes (content-addressed).

The plan's path and hash travel to the run's processes as reconstruction metadata (stored in
every run's execution plan snapshot, so it is a path and a hash, never the table itself).
Nothing here imports Dagster.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from floe_dbt import DbtManifest

PLAN_FORMAT = 1
METADATA_KEY = "floe/run_plan"
"""The reconstruction metadata key: ``{"path": ..., "sha256": ...}`` of the run plan."""
PLAN_ENV = "FLOE_RUN_PLAN"
"""The same, for the processes a process that built the location starts (``dagster asset
materialize`` and ``dagster job execute`` record no reconstruction metadata)."""
_TOP_LEVEL = ("metadata", "sources", "groups")


@dataclass(frozen=True)
class DbtAsset:
    """One dbt asset as the code server built it."""

    unique_id: str
    op: str
    position: int


@dataclass(frozen=True)
class DbtOp:
    """One dbt multi-asset as the code server built it."""

    select: str
    exclude: str
    first: str
    """The unique_id of its first node (whose backfill policy is the op's)."""
    size: int


@dataclass(frozen=True)
class RunPlan:
    """What the code server built, by key (``json.dumps(key.path)``)."""

    location: str
    """What the location was built from (``location_id``): a plan of another is never used."""
    manifest_sha256: str | None
    nodes: Path | None
    """The node store."""
    dbt: Mapping[str, DbtAsset]
    ops: Mapping[str, DbtOp]
    jobs: Mapping[str, tuple[str, ...]]
    """Batch job -> the keys of the assets it materializes."""

    def document(self) -> dict[str, Any]:
        return {
            "floe_run_plan": PLAN_FORMAT,
            "location": self.location,
            "manifest_sha256": self.manifest_sha256,
            "nodes": str(self.nodes) if self.nodes else None,
            "dbt": {k: [a.unique_id, a.op, a.position] for k, a in self.dbt.items()},
            "ops": {n: [o.select, o.exclude, o.first, o.size] for n, o in self.ops.items()},
            "jobs": {n: list(keys) for n, keys in self.jobs.items()},
        }

    @classmethod
    def of_document(cls, document: Mapping[str, Any]) -> RunPlan:
        if document.get("floe_run_plan") != PLAN_FORMAT:
            raise ValueError(f"not a floe run plan of format {PLAN_FORMAT}")
        return cls(
            document["location"],
            document["manifest_sha256"],
            Path(document["nodes"]) if document["nodes"] else None,
            {k: DbtAsset(*v) for k, v in document["dbt"].items()},
            {n: DbtOp(*v) for n, v in document["ops"].items()},
            {n: tuple(keys) for n, keys in document["jobs"].items()},
        )

    def members(self, op: str) -> list[str]:
        """The keys of ``op``'s nodes, in the op's order."""
        found = [(a.position, k) for k, a in self.dbt.items() if a.op == op]
        return [k for _, k in sorted(found)]


def location_id(config_json: str, source: str, manifest_sha256: str | None, translator: str) -> str:
    """What a location is built from, as a hash: floe.yaml's place and resolved content, the
    manifest and the translator."""
    text = json.dumps([source, config_json, manifest_sha256, translator])
    return hashlib.sha256(text.encode()).hexdigest()


KEEP = {"plan-*.json": 20, "nodes-*.sqlite": 3}
"""How many plans and node stores a state directory keeps (the newest): a run whose plan is
gone builds the whole location, so older ones go rather than fill the disk."""


def _prune(folder: Path, pattern: str) -> None:
    dated = []
    for file in folder.glob(pattern):
        try:
            dated.append((file.stat().st_mtime, file))
        except FileNotFoundError:  # another process pruned it
            continue
    for _, old in sorted(dated, reverse=True)[KEEP[pattern] :]:
        old.unlink(missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    """``data`` at ``path``, whole or not at all (several code servers may write it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(f".{path.name}.{os.getpid()}")
    aside.write_bytes(data)
    os.replace(aside, path)


def write_plan(folder: Path, plan: RunPlan) -> tuple[Path, str]:
    """Write ``plan`` into ``folder`` (unless the same plan is there); its path and sha256."""
    data = orjson.dumps(plan.document(), option=orjson.OPT_SORT_KEYS)
    sha = hashlib.sha256(data).hexdigest()
    path = folder / f"plan-{sha[:32]}.json"
    if path.is_file():
        path.touch()  # the newest in use
    else:
        _write(path, data)
        _prune(folder, "plan-*.json")
    return path, sha


def read_plan(pointer: str, location: str) -> RunPlan | None:
    """The plan ``pointer`` names, or None when it is missing, not the one recorded (another
    machine, a cleaned state directory) or of another location: the run then builds the whole
    location, as without a plan."""
    try:
        where = json.loads(pointer)
        data = Path(where["path"]).read_bytes()
        if hashlib.sha256(data).hexdigest() != where["sha256"]:
            return None
        plan = RunPlan.of_document(orjson.loads(data))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if plan.location != location or (plan.nodes is not None and not plan.nodes.is_file()):
        return None
    return plan


def pointer(path: Path, sha: str) -> str:
    return json.dumps({"path": str(path), "sha256": sha})


def write_node_store(folder: Path, manifest: DbtManifest, sha: str) -> Path:
    """The node store of ``manifest`` (whose file has ``sha``), written once."""
    path = folder / f"nodes-{sha[:32]}.sqlite"
    if path.is_file():
        path.touch()
        return path
    folder.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(f".{path.name}.{os.getpid()}")
    aside.unlink(missing_ok=True)
    raw = manifest.raw
    with sqlite3.connect(aside) as db:
        db.execute("create table nodes (uid text primary key, raw blob not null)")
        db.execute("create table tests (node text not null, test text not null)")
        db.execute("create index tests_by_node on tests (node)")
        db.execute("create table top (name text primary key, raw blob not null)")
        db.executemany(
            "insert into nodes values (?, ?)",
            ((uid, orjson.dumps(node)) for uid, node in raw["nodes"].items()),
        )
        db.executemany(
            "insert into tests values (?, ?)",
            ((node, t.unique_id) for node, tests in manifest.tests_by_node.items() for t in tests),
        )
        db.executemany(
            "insert into top values (?, ?)",
            ((name, orjson.dumps(raw.get(name) or {})) for name in _TOP_LEVEL),
        )
    db.close()
    os.replace(aside, path)
    _prune(folder, "nodes-*.sqlite")
    return path


class NodeStore:
    """Reads nodes of the manifest from its node store, a few at a time."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def close(self) -> None:
        self._db.close()

    def top(self) -> dict[str, Any]:
        rows = self._db.execute("select name, raw from top").fetchall()
        return {name: orjson.loads(raw) for name, raw in rows}

    def nodes(self, unique_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = sorted(set(unique_ids))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for uid, raw in self._db.execute(
                f"select uid, raw from nodes where uid in ({marks})",  # placeholders
                chunk,
            ):
                found[uid] = orjson.loads(raw)
        return found

    def tests_of(self, unique_ids: Sequence[str]) -> list[str]:
        found: list[str] = []
        for start in range(0, len(unique_ids), 500):
            chunk = list(unique_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            found += [
                test
                for (test,) in self._db.execute(
                    f"select test from tests where node in ({marks})",
                    chunk,
                )
            ]
        return found
