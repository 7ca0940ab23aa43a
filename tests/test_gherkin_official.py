"""Every feature file reads cleanly with the official Gherkin parser (gherkin-official,
installed with pytest-bdd): the one Cucumber's editor plugins share, so a QA engineer's
editor shows no syntax error where the suite sees none. The pickle compiler is run too,
so every outline expands into runnable scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest
from gherkin.parser import Parser
from gherkin.pickles.compiler import Compiler
from gherkin.token_scanner import TokenScanner

REPO = Path(__file__).resolve().parent.parent
FEATURES = sorted((REPO / "features").rglob("*.feature"))


def test_there_are_feature_files_to_check():
    assert len(FEATURES) > 10


@pytest.mark.parametrize("path", FEATURES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_the_official_parser_reads_the_feature_file(path: Path):
    document = Parser().parse(TokenScanner(path.read_text(encoding="utf-8")))
    feature = document["feature"]
    assert feature["name"], "a feature needs a name"
    pickles = Compiler().compile({**document, "uri": path.name})
    assert pickles, "no runnable scenario"
    assert all(p["steps"] for p in pickles), "a scenario without steps"


def test_a_broken_file_is_refused_by_the_same_parser():
    from gherkin.errors import ParserError

    with pytest.raises(ParserError):  # the test above would fail on such a file
        Parser().parse(TokenScanner("Feature: x\n  Scenario: y\n    Given a\nFeature: z\n"))
