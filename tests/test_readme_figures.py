"""Figures the README states that drift as the project grows are checked here, or where
the run that produces them already happens (the sample verdict lines: the
few-capabilities run in tests/test_gate_cli.py)."""

from __future__ import annotations

import re
from pathlib import Path

from authconform.alterations.mutants import MUTANTS

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_sample_lines() -> list[str]:
    """The sample lines the README shows for the few-capabilities example run."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```\n(authconform: robustness [^\n]*\nauthconform: conformant "
                      r"\(exit 0\)[^\n]*)\n```", text)
    assert block, "the README's sample verdict lines are missing"
    return block.group(1).splitlines()


def test_the_readme_counts_the_mutants_of_the_catalogue() -> None:
    counts = re.findall(r"\((\d+) mutants, each breaking", README.read_text(encoding="utf-8"))
    assert counts == [str(len(MUTANTS))]


def test_the_sample_lines_are_two_and_end_with_the_verdict() -> None:
    lines = readme_sample_lines()
    assert len(lines) == 2 and lines[1].startswith("authconform: conformant (exit 0): ")


def test_the_readme_states_no_hand_measured_harness_test_time() -> None:
    # a duration of `./harness test` typed into the README goes stale with every new
    # test; `authconform bench` measures what needs a figure (bench/README.md)
    text = README.read_text(encoding="utf-8")
    for sentence in re.split(r"(?<=[.!?])\s", text):
        if "harness test" in sentence:
            assert not re.search(r"\b\d+(?:\.\d+)?\s*(?:s|sec|seconds?|min|minutes?)\b",
                                 sentence), sentence
