"""requirements.in and requirements_lock.txt must agree."""

from __future__ import annotations

import re
from pathlib import Path

from lock import DIGEST_PREFIX, LOCK_COMMAND, input_digest, requirement_lines
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

HERE = Path("tools/python")
SOURCE = (HERE / "requirements.in").read_text()
LOCK = (HERE / "requirements_lock.txt").read_text()
STALE = f"requirements_lock.txt is stale; regenerate it with `{LOCK_COMMAND}`"


def _pins() -> dict[str, str]:
    pins = {}
    for match in re.finditer(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", LOCK, re.M):
        pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def test_lock_records_the_digest_of_requirements_in() -> None:
    recorded = [line for line in LOCK.splitlines() if line.startswith(DIGEST_PREFIX)]
    assert recorded, STALE
    assert recorded[0].removeprefix(DIGEST_PREFIX) == input_digest(SOURCE), STALE


def test_every_requirement_is_pinned_within_its_specifier() -> None:
    pins = _pins()
    for line in requirement_lines(SOURCE):
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in the lock; {STALE}"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{requirement.name}=={pins[name]} does not satisfy '{line}'; {STALE}"
        )


def test_every_pin_carries_a_hash() -> None:
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK.split("\n", 2)[2])
    for block in blocks:
        if "==" in block.split("\n", 1)[0]:
            assert "--hash=sha256:" in block, f"no hash for {block.splitlines()[0]}"
