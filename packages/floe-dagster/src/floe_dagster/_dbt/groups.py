"""Which dbt nodes share one multi-asset: one per group key (a partitions definition), split
into layers of the DAG so that multi-assets never interleave.

A multi-asset can carry only one partitions definition, so nodes with different ones need
different multi-assets. If two multi-assets interleave in the DAG (daily -> monthly -> daily),
Dagster breaks the cycle by splitting them into subset ops, which is slow. So each node gets a
stage: the highest stage of its parents, plus one where a parent belongs to another group.
Every (group, stage) is one multi-asset, and every edge between two of them goes to a higher
stage: no cycle, and a group that is contiguous in the DAG stays one multi-asset.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from floe_dbt import DbtManifest

SELECTION_LIMIT = 100_000
"""The longest dbt selection floe puts on a command line (Linux takes 128 KiB an argument)."""
ALL_NODES = "fqn:*"


@dataclass(frozen=True)
class DbtGroup:
    """One dbt multi-asset: its op name, its nodes in manifest order, what they share, and
    the dbt selection that names exactly them."""

    name: str
    unique_ids: tuple[str, ...]
    key: Hashable = None
    select: str = ALL_NODES
    exclude: str = ""


def _stages(manifest: DbtManifest, group_of: dict[str, Hashable]) -> dict[str, int]:
    stage: dict[str, int] = {}
    parents = manifest.asset_parents
    for uid in topological(manifest, group_of):
        stage[uid] = max(
            (
                stage[p] + (group_of[p] != group_of[uid])
                for p in parents.get(uid, ())
                if p in group_of
            ),
            default=0,
        )
    return stage


def topological(manifest: DbtManifest, nodes: Sequence[str] | dict[str, Any]) -> list[str]:
    """``nodes`` in an order where every node follows its parents (Kahn, manifest order)."""
    wanted = list(nodes)
    members = set(wanted)
    remaining = {
        uid: sum(p in members for p in manifest.asset_parents.get(uid, ())) for uid in wanted
    }
    children: dict[str, list[str]] = {}
    for uid in wanted:
        for parent in manifest.asset_parents.get(uid, ()):
            if parent in members:
                children.setdefault(parent, []).append(uid)
    ready = [uid for uid in wanted if remaining[uid] == 0]
    order = []
    while ready:
        uid = ready.pop()
        order.append(uid)
        for child in children.get(uid, ()):
            remaining[child] -= 1
            if remaining[child] == 0:
                ready.append(child)
    return order


def _fqn(manifest: DbtManifest, uid: str) -> tuple[str, ...]:
    return tuple(manifest.raw["nodes"][uid]["fqn"])


def selection(manifest: DbtManifest, members: Sequence[str]) -> tuple[str, str]:
    """A short dbt (select, exclude) naming exactly ``members`` among the asset nodes: whole
    folders as one ``fqn:`` prefix each; everything but the others only when naming the
    members would not fit on a command line."""
    every = list(manifest.executable)
    inside = set(members)
    if len(inside) == len(every):
        return ALL_NODES, ""
    totals: dict[tuple[str, ...], list[int]] = {}  # prefix -> [asset nodes, members] under it
    for uid in every:
        fqn = _fqn(manifest, uid)
        for depth in range(1, len(fqn) + 1):
            counts = totals.setdefault(fqn[:depth], [0, 0])
            counts[0] += 1
            counts[1] += uid in inside

    def cover(wanted: bool) -> list[str]:
        """The shortest fqn prefixes under which every asset node is (or is not) a member."""
        chosen: set[tuple[str, ...]] = set()
        for uid in every:
            if (uid in inside) != wanted:
                continue
            fqn = _fqn(manifest, uid)
            for depth in range(1, len(fqn) + 1):
                total, hits = totals[fqn[:depth]]
                if hits == (total if wanted else 0):
                    chosen.add(fqn[:depth])
                    break
        return sorted("fqn:" + ".".join(c) for c in chosen)

    explicit = " ".join(cover(True))
    if len(explicit) > SELECTION_LIMIT:  # too long for a command line: name the others instead
        others = " ".join(cover(False))
        if len(others) < len(explicit):
            return ALL_NODES, others
    return explicit, ""


def plan_groups(
    manifest: DbtManifest,
    key_of: Callable[[str], Hashable] | None = None,
    name_of: Callable[[Hashable], str] | None = None,
) -> list[DbtGroup]:
    """The multi-assets for the asset nodes of ``manifest``: one per group key (``key_of``
    a unique_id; default: one group) and DAG layer. ``name_of`` names a group by its key
    (default: ``dbt_models``); multi-assets that would share a name get ``_1``, ``_2``, ...
    in the order of their layers."""
    nodes = list(manifest.executable)
    group_of = {uid: key_of(uid) if key_of else None for uid in nodes}
    stage = _stages(manifest, group_of)
    members: dict[tuple[Hashable, int], list[str]] = {}
    for uid in nodes:
        members.setdefault((group_of[uid], stage[uid]), []).append(uid)
    planned = sorted(members.items(), key=lambda item: item[0][1])
    bases = [name_of(key) if name_of else "dbt_models" for (key, _), _ in planned]
    groups = []
    for index, ((key, _), uids) in enumerate(planned):
        base = bases[index]
        shared = [i for i, other in enumerate(bases) if other == base]
        name = base if len(shared) == 1 else f"{base}_{shared.index(index) + 1}"
        select, exclude = selection(manifest, uids)
        if len(planned) > 1:
            exclude = " ".join([*filter(None, [exclude]), *others_tests(manifest, uids)])
        groups.append(DbtGroup(name, tuple(uids), key, select, exclude))
    return groups


def others_tests(manifest: DbtManifest, members: Sequence[str]) -> list[str]:
    """The names of the tests that read one of ``members`` but are another multi-asset's checks
    (attached to a node outside ``members``): dbt's eager selection would run them in this
    multi-asset's build, possibly before the node they check exists (a relationships test of a
    daily model, reading an unpartitioned dimension). They run with the node they check."""
    inside = set(members)
    return sorted(
        test.name
        for uid, tests in manifest.tests_by_node.items()
        if uid not in inside
        for test in tests
        if inside.intersection(test.parents)
    )
