"""Requirement -> scenario traceability, read from the .feature files' tags.

A scenario covers the requirements it is tagged with (``@REQ-AREA-NN`` on the scenario,
its rule or its feature); an outline's Examples table adds its own tags (requirements,
profiles) to its own rows only, so a profile-restricted table does not restrict, or
lend its requirements to, the outline's other tables. A scenario tagged ``@negative`` is a
*negative* case (something is refused or absent); every other one is *positive*. The
check fails when a requirement has no scenario or a tag names a requirement the
catalogue does not have, and when a requirement has no scenario under some reading of
a documented ambiguity (``port.Reading``): a scenario tagged
``@reading-<name>-<value>`` counts for that value only, an untagged one for every value,
so a requirement whose scenarios are all written for one value leaves a target that
follows another unchecked. Requirements covered only by positive or only by negative
cases are reported, but do not fail the check.

Every scenario names a requirement it checks, or carries ``@exploratory``: a scenario
with neither, or one tagged with an unknown or retired id, is a *tag problem*
(``tag_problems``) naming the feature file and line -- a configuration error of the
gate and of ``requirements --check`` (exit 2), since such a scenario would run, pass and
count while checking nothing the catalogue knows. Exploratory scenarios (a bug being
chased, behaviour not yet written down) are counted apart and never cover a
requirement, whatever else they are tagged with.

Features are parsed with pytest-bdd's own parser (the official Gherkin parser
underneath), so a file that the suite cannot collect is reported here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from authconform.spec.catalogue import ConfigurationError, Requirement, Retired

REQ_PREFIX = "REQ-"
NEGATIVE_TAG = "negative"
EXPLORATORY_TAG = "exploratory"
PROFILE_TAG_PREFIX = "profile-"


@dataclass(frozen=True)
class ScenarioRef:
    id: str  # <feature file>::<scenario name>, as in conformance.json (without examples)
    feature: str
    name: str
    line: int
    tags: frozenset[str]
    where: str = ""  # features/x.feature:12, the Scenario line

    @property
    def exploratory(self) -> bool:
        return EXPLORATORY_TAG in self.tags

    @property
    def requirements(self) -> tuple[str, ...]:
        return tuple(sorted(t for t in self.tags if t.startswith(REQ_PREFIX)))

    @property
    def negative(self) -> bool:
        return NEGATIVE_TAG in self.tags

    @property
    def profiles(self) -> frozenset[str]:
        """Profiles this scenario is restricted to (empty: all)."""
        return frozenset(t[len(PROFILE_TAG_PREFIX):] for t in self.tags
                         if t.startswith(PROFILE_TAG_PREFIX))


@dataclass
class Row:
    requirement: Requirement
    scenarios: list[ScenarioRef] = field(default_factory=list)

    @property
    def positive(self) -> int:
        return sum(1 for s in self.scenarios if not s.negative)

    @property
    def negative(self) -> int:
        return sum(1 for s in self.scenarios if s.negative)

    @property
    def coverage(self) -> str:
        """``none``, ``positive-only``, ``negative-only`` or ``both``."""
        if not self.scenarios:
            return "none"
        if not self.negative:
            return "positive-only"
        if not self.positive:
            return "negative-only"
        return "both"


@dataclass
class Matrix:
    rows: list[Row]
    unknown: list[tuple[str, str]]  # (scenario id, unknown requirement tag)
    profile: str | None = None
    retired: Mapping[str, Retired] = field(default_factory=dict)
    # "REQ-X: no scenario under reading name=value" (see reading_gaps)
    reading_gaps: list[str] = field(default_factory=list)
    untagged: list[ScenarioRef] = field(default_factory=list)  # no requirement, not exploratory
    exploratory: list[ScenarioRef] = field(default_factory=list)
    where: Mapping[str, str] = field(default_factory=dict)  # scenario id -> file:line

    def tag_problems(self) -> list[str]:
        """Scenarios that check nothing the catalogue knows, each at its file and line:
        a configuration error wherever it is found."""
        found = [f"{s.where or s.id}: scenario \"{s.name}\" names no requirement: tag it "
                 f"@REQ-... (the requirement it checks) or @{EXPLORATORY_TAG}"
                 for s in self.untagged]
        for sid, tag in self.unknown:
            where = f"{self.where[sid]}: " if self.where.get(sid) else ""
            found.append(f"{where}{sid}: tag @{tag}: {self.retired[tag].explain()}"
                         if tag in self.retired
                         else f"{where}{sid}: tag @{tag} names no requirement in the catalogue")
        return found

    def problems(self) -> list[str]:
        """What fails the traceability check."""
        found = [f"{r.requirement.id}: no scenario" for r in self.rows if not r.scenarios]
        return found + self.reading_gaps + self.tag_problems()

    def warnings(self) -> list[str]:
        return [f"{r.requirement.id}: only {r.coverage.split('-')[0]} cases"
                for r in self.rows if r.coverage in ("positive-only", "negative-only")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "requirements": [{
                "id": r.requirement.id, "level": r.requirement.level,
                "summary": r.requirement.summary, "coverage": r.coverage,
                "positive": r.positive, "negative": r.negative,
                "scenarios": [s.id for s in r.scenarios],
            } for r in self.rows],
            "unknown_tags": [{"scenario": sid, "tag": tag} for sid, tag in self.unknown],
            "untagged": [s.where or s.id for s in self.untagged],
            "exploratory": sorted({s.id for s in self.exploratory}),
            "problems": self.problems(),
            "warnings": self.warnings(),
        }


def parse_features(features_dir: str | Path) -> list[ScenarioRef]:
    """Every scenario (outline counted once) of every ``*.feature`` under the folder.
    A malformed file is a ``ConfigurationError`` naming it."""
    from authconform.spec import feature_files

    base = Path(features_dir)
    if not base.is_dir():
        raise ConfigurationError(f"features folder {base} does not exist")
    refs: list[ScenarioRef] = []
    for path in sorted(base.rglob("*.feature")):
        rel = path.relative_to(base).as_posix()
        try:
            feature = feature_files.parse(base, rel)
        except Exception as exc:  # pytest-bdd raises several parse error types
            raise ConfigurationError(f"{path}: cannot be parsed: {exc}") from exc
        for template in feature.scenarios.values():
            tags = set(feature.tags) | set(template.tags)
            if template.rule is not None:
                tags |= set(template.rule.tags)
            # An Examples table's tags belong to its rows only: an outline whose iPhone
            # table runs in both profiles and whose @profile-current Android table does
            # not is two refs, so neither table's tags leak onto the other's rows.
            tables = [set(e.tags or ()) for e in template.examples]
            if not any(tables):
                tables = [set()]
            for extra in tables:
                refs.append(ScenarioRef(id=f"{rel}::{template.name}",
                                        feature=feature.name or rel, name=template.name,
                                        line=template.line_number,
                                        tags=frozenset(tags | extra),
                                        where=f"{base.name}/{rel}:{template.line_number}"))
    return refs


def build_matrix(catalogue: Sequence[Requirement], scenarios: Iterable[ScenarioRef],
                 profile: str | None = None,
                 retired: Mapping[str, Retired] | None = None) -> Matrix:
    """Rows for the catalogue's requirements (only ``profile``'s if given); a tag naming
    a ``retired`` id is a problem that says where its checks went."""
    known = {r.id for r in catalogue}
    rows = {r.id: Row(r) for r in catalogue if profile is None or profile in r.profiles}
    unknown: list[tuple[str, str]] = []
    untagged: list[ScenarioRef] = []
    exploratory: list[ScenarioRef] = []
    where: dict[str, str] = {}
    for s in scenarios:
        where.setdefault(s.id, s.where)
        for rid in s.requirements:
            if rid not in known and (s.id, rid) not in unknown:
                unknown.append((s.id, rid))
        if s.exploratory:  # counted apart, never in coverage
            exploratory.append(s)
            continue
        if not s.requirements:
            if all(u.id != s.id for u in untagged):
                untagged.append(s)
            continue
        if profile is not None and s.profiles and profile not in s.profiles:
            continue
        for rid in s.requirements:
            # One row entry per scenario, however many of its Examples tables cover it.
            if rid in rows and all(seen.id != s.id for seen in rows[rid].scenarios):
                rows[rid].scenarios.append(s)
    return Matrix(rows=list(rows.values()), unknown=unknown, profile=profile,
                  retired=dict(retired or {}), untagged=untagged, exploratory=exploratory,
                  where=where, reading_gaps=reading_gaps(
                      [s for s in scenarios if profile is None or not s.profiles
                       or profile in s.profiles], rows))


def reading_gaps(scenarios: Sequence[ScenarioRef], rows: Mapping[str, Row]) -> list[str]:
    """Each requirement keeps at least one scenario under every value of every reading
    (each Examples table counted apart: its tags may name a reading of its own). A tag
    that names no reading is a gap too, not a quiet pass."""
    from authconform.port import READINGS
    from authconform.spec import readings

    gaps: list[str] = []
    written: dict[str, list[dict[Any, set[str]]]] = {}
    for s in scenarios:
        try:
            needed = readings.needed(s.tags)
        except ValueError as exc:
            gaps.append(f"{s.id}: {exc}")
            continue
        for rid in s.requirements:
            written.setdefault(rid, []).append(needed)
    for rid in rows:
        for reading, values in READINGS.items():
            for value in values:
                if rid in written and not any(reading not in n or value in n[reading]
                                              for n in written[rid]):
                    gaps.append(f"{rid}: no scenario under reading {reading.value}={value} "
                                "(each is written for another value)")
    return sorted(set(gaps))


def render_text(matrix: Matrix) -> str:
    lines = []
    for r in matrix.rows:
        lines.append(f"{r.requirement.id:<18} {r.requirement.level:<6} {r.coverage:<14} "
                     f"+{r.positive} -{r.negative}")
        lines += [f"    {s.id}{'  (negative)' if s.negative else ''}" for s in r.scenarios]
    if matrix.exploratory:
        lines.append(f"exploratory (counted apart, never in coverage): "
                     f"{len({s.id for s in matrix.exploratory})} scenario(s)")
    for w in matrix.warnings():
        lines.append(f"warning: {w}")
    for p in matrix.problems():
        lines.append(f"problem: {p}")
    return "\n".join(lines)


def render_markdown(matrix: Matrix) -> str:
    lines = ["| Requirement | Level | Coverage | + | - | Scenarios |",
             "|---|---|---|---:|---:|---|"]
    for r in matrix.rows:
        names = "<br>".join(s.id.replace("|", "\\|") for s in r.scenarios) or "—"
        lines.append(f"| {r.requirement.id} | {r.requirement.level} | {r.coverage} | "
                     f"{r.positive} | {r.negative} | {names} |")
    problems = matrix.problems()
    if problems:
        lines += ["", "**Problems:**", ""] + [f"- {p}" for p in problems]
    return "\n".join(lines)
