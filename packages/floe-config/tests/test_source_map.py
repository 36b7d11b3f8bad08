"""The one source map: where each key of floe.yaml stands, the nearest key above a path it does
not spell out, and the form the compiled artifact stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from floe_config import IssueCode, Position, SourceMap, load_config, render_path
from floe_config._yaml import parse_yaml

TEXT = """\
name: shop
orchestration:
  jobs:
    gold:
      type: batch
      selection: [a, "b"]
"""


@pytest.fixture
def source() -> SourceMap:
    return parse_yaml(TEXT, file="floe.yaml").source


@pytest.mark.parametrize(
    ("path", "at_key", "expected"),
    [
        (("name",), False, Position(1, 7)),  # a scalar: its value
        (("name",), True, Position(1, 1)),  # ... or its key
        (("orchestration", "jobs", "gold"), False, Position(4, 5)),  # a mapping: its key
        (("orchestration", "jobs", "gold", "selection", 1), False, Position(6, 22)),
        (("orchestration", "jobs", "gold", "tags"), False, Position(4, 5)),  # not spelled out
        (("storage", "catalog"), False, Position(1, 1)),  # nothing above it but the document
    ],
    ids=["scalar", "scalar-key", "mapping", "list-item", "absent-key", "absent-section"],
)
def test_locate_points_at_the_nearest_key(
    source: SourceMap, path: tuple[str | int, ...], at_key: bool, expected: Position
) -> None:
    assert source.locate(path, at_key=at_key) == expected


def test_plain_text_is_kept_and_quoted_text_is_not(source: SourceMap) -> None:
    texts = source.texts()
    assert texts[("name",)] == "shop"
    assert texts[("orchestration", "jobs", "gold", "selection", 0)] == "a"
    assert ("orchestration", "jobs", "gold", "selection", 1) not in texts


def test_an_issue_is_located_and_rendered(source: SourceMap) -> None:
    issue = source.issue(
        ("orchestration", "jobs", "gold", "selection", 1),
        IssueCode.SELECTION_MATCHES_NOTHING,
        "'b' matches no asset",
        "did you mean 'a'?",
    )
    assert (issue.file, issue.line, issue.column) == ("floe.yaml", 6, 22)
    assert issue.path == "orchestration.jobs.gold.selection[1]"
    assert str(issue).splitlines()[0].startswith("floe.yaml:6:22 orchestration.jobs.gold")


def test_the_artifact_form_round_trips(source: SourceMap) -> None:
    again = SourceMap.from_records("floe.yaml", source.to_records())
    assert dict(again) == dict(source)
    assert len(again) == len(source)


def test_a_loaded_config_carries_the_map(tmp_path: Path) -> None:
    (tmp_path / "floe.yaml").write_text(TEXT)
    config = load_config(tmp_path / "floe.yaml", env={})
    issue = config.source.issue(
        ("orchestration", "jobs", "gold", "tags"), IssueCode.INVALID_TAG_KEY, "x"
    )
    assert (issue.line, issue.column) == (4, 5)
    with pytest.deprecated_call():
        assert config.source.positions["orchestration.jobs.gold"] == Position(4, 5)


def test_render_path() -> None:
    assert render_path(("jobs", "gold", "selection", 0)) == "jobs.gold.selection[0]"
    assert render_path(()) == ""
