"""The explorer's program as Gherkin: every rule writes the step texts of steps/ that do
the same thing, so a shrunk counterexample can be saved as a runnable scenario.

Each step names the identities it needs ("msa", "work:Contoso", ...); the scenario opens
with one Given per identity used, in a fixed order, so a short counterexample has a
short cast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ACTOR = "Alex"

# identity -> the Given that makes it (steps/people.py), in the order they are written
CAST_STEPS: dict[str, str] = {
    "msa": "Alex has a personal Microsoft account",
    "msa2": "Alex has a second personal Microsoft account",
    "apple": "Alex has an Apple ID",
    "apple2": "Alex has a second Apple ID",
    "work:Contoso": 'Alex has a work account at "Contoso"',
    "work:Fabrikam": 'Alex has a work account at "Fabrikam"',
    "sam:Contoso": 'Sam has a work account at "Contoso"',
    "site:GitHub": 'Alex has a third-party "GitHub" account',
    "site:Google": 'Alex has a third-party "Google" account',
}


def needs_of(label: str) -> str:
    """The identity behind an account label."""
    if label == "Microsoft":
        return "msa"
    if label in ("Contoso", "Fabrikam"):
        return f"work:{label}"
    return f"site:{label}"


@dataclass(frozen=True)
class Step:
    keyword: str  # "Given", "When" or "Then"
    text: str
    needs: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        return f"{self.keyword} {self.text}"


@dataclass
class Script:
    """The steps one run of the explorer took, checks included."""

    steps: list[Step] = field(default_factory=list)

    def given(self, text: str, *needs: str) -> None:
        self.steps.append(Step("Given", text, frozenset(needs)))

    def when(self, text: str, *needs: str) -> None:
        self.steps.append(Step("When", text, frozenset(needs)))

    def then(self, text: str, *needs: str) -> None:
        self.steps.append(Step("Then", text, frozenset(needs)))

    def insert(self, index: int, keyword: str, text: str, *needs: str) -> None:
        """A step that only matters if a later check fails (say, noting the traffic so
        far) is written in afterwards, where it belongs."""
        self.steps.insert(index, Step(keyword, text, frozenset(needs)))

    def needs(self) -> set[str]:
        return set().union(*(s.needs for s in self.steps)) if self.steps else set()

    def lines(self) -> list[str]:
        """The scenario body: cast first, then the steps, repeated keywords as 'And'."""
        needed = self.needs()
        body = [Step("Given", text) for key, text in CAST_STEPS.items() if key in needed]
        body += self.steps
        out, previous = [], None
        for step in body:
            keyword = "And" if step.keyword == previous else step.keyword
            previous = step.keyword
            out.append(f"{keyword} {step.text}")
        return out


def feature_text(script: Script, *, title: str, tags: list[str], description: list[str],
                 feature_title: str = "Counterexample found by model-based exploration"
                 ) -> str:
    """A whole .feature file holding one scenario."""
    lines = ["@regression", f"Feature: {feature_title}"]
    lines += [f"  {line}" for line in description]
    lines += ["", "  " + " ".join(f"@{t}" for t in tags) if tags else "",
              f"  Scenario: {title}"]
    lines += [f"    {line}" for line in script.lines()]
    return "\n".join(line for line in lines if line is not None) + "\n"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "explore"


def write_feature(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{slug(name)}.feature"
    path.write_text(text, encoding="utf-8")
    return path
