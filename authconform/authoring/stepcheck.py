"""The pre-run check: every step of every scenario has a definition, with values it can use.

``authconform run`` calls ``check`` before any scenario runs. A step no definition
matches, or a parameter value outside the values its definition declares
(``authconform.spec.allowed``), is a configuration error (exit 2) naming the feature file and
line, the step as typed and the closest known steps -- not pytest-bdd's
``StepDefinitionNotFoundError`` half-way through the run (exit 3). Scenario outlines are
checked row by row, as pytest-bdd will run them, and ``And``/``But`` take the type of the
step before, as pytest-bdd reads them.

Kept out of ``authconform/gate/plugin.py`` on purpose: this runs once per gate run, over the
unique step texts only, and adds nothing to the cost of each step while scenarios run.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from authconform.authoring import prerun_cache
from authconform.authoring.stepdefs import KEYWORDS, StepDef
from authconform.spec import allowed
from authconform.spec.catalogue import load_catalogue, load_retired

SUGGESTIONS = 3
CUTOFF = 0.5  # difflib ratio below which a known step is no help


@dataclass(frozen=True)
class FeatureStep:
    where: str  # features/x.feature:12
    keyword: str  # as typed: Given, And, But...
    type: str  # given, when or then, as pytest-bdd reads it
    text: str  # with an outline's row values filled in

    @property
    def typed(self) -> str:
        return f"{self.keyword} {self.text}"


@dataclass(frozen=True)
class StepProblem:
    step: FeatureStep
    what: str  # one line
    suggestions: tuple[str, ...] = ()

    def __str__(self) -> str:
        said = f"{self.step.where}: {self.what}: {self.step.typed}"
        if self.suggestions:
            said += "; closest known: " + " | ".join(self.suggestions)
        return said


def feature_steps(features_dir: Path, label: str | None = None,
                  only: Sequence[Path] | None = None) -> Iterator[FeatureStep]:
    """Every step of every scenario (background steps included, outlines row by row)
    of the ``.feature`` files under ``features_dir`` (or just ``only``), each once per
    line and text. ``label`` is the folder's name as locations show it."""
    from authconform.spec import feature_files

    base = Path(features_dir)
    label = label or base.name
    seen: set[tuple[str, str, str]] = set()
    paths = sorted(only) if only else sorted(base.rglob("*.feature"))
    for path in paths:
        rel = Path(path).resolve().relative_to(base.resolve()).as_posix()
        feature = feature_files.parse(base, rel)
        for template in feature.scenarios.values():
            rows = [ctx for table in template.examples for ctx in table.as_contexts()] or [{}]
            for row in rows:
                for step in template.render(row).steps:
                    where = f"{label}/{rel}:{step.line_number}"
                    key = (where, step.type, step.name)
                    if key in seen:
                        continue
                    seen.add(key)
                    yield FeatureStep(where, step.keyword.strip(), step.type, step.name)


def _candidates(defs: Sequence[StepDef], step_type: str) -> list[StepDef]:
    return [d for d in defs if d.type is None or d.type == step_type]


def closest(defs: Sequence[StepDef], step: FeatureStep, count: int = SUGGESTIONS) -> list[str]:
    """The known steps most like what was typed (difflib ratio), same keyword first."""
    def score(d: StepDef) -> float:
        # compare with the placeholders filled by what was typed where they can be
        return difflib.SequenceMatcher(None, step.text.lower(), d.text.lower()).ratio()

    ranked = sorted(((score(d) + (0.05 if d.type == step.type else 0.0), d.typed)
                     for d in defs), reverse=True)
    out: list[str] = []
    for ratio, typed in ranked:
        if ratio < CUTOFF or len(out) >= count:
            break
        if typed not in out:
            out.append(typed)
    return out


def check_step(defs: Sequence[StepDef], step: FeatureStep,
               cache: dict[tuple[str, str], list[StepDef]]) -> StepProblem | None:
    key = (step.type, step.text)
    matching = cache.get(key)
    if matching is None:
        matching = cache[key] = [d for d in _candidates(defs, step.type)
                                 if d.matches(step.type, step.text)]
    if not matching:
        other = [d for d in defs if d.matches(d.type or step.type, step.text)]
        if other:  # the phrase exists, under another keyword
            kinds = sorted({d.keyword for d in other})
            return StepProblem(step, f"no {KEYWORDS[step.type]} step reads like this (it is "
                                     f"a {' and a '.join(kinds)} step)",
                               tuple(d.typed for d in other[:SUGGESTIONS]))
        return StepProblem(step, "no step definition matches", tuple(closest(defs, step)))
    functions = sorted({(d.path, d.line) for d in matching})
    if len(functions) > 1:
        # pytest-bdd runs one of them (the last registered), whichever the writer meant
        where = ", ".join(f"{path}:{line}" for path, line in functions)
        return StepProblem(step, f"{len(functions)} step definitions match ({where}), and "
                                 "only one of them would run (make their phrases differ)")
    refusals = []
    for d in matching:
        arguments = d.arguments(step.text)
        bad = [(name, str(arguments[name]), rule) for name, rule in d.rules.items()
               if name in arguments and not allowed.accepts(rule, str(arguments[name]))]
        if not bad:
            return None  # one definition that can use every value is enough
        refusals.append(bad)
    name, value, rule = refusals[0][0]
    return StepProblem(step, f"{name} {value!r} is not allowed ({allowed.describe(rule)})")


def check(defs: Sequence[StepDef], features_dir: Path, label: str | None = None,
          only: Sequence[Path] | None = None) -> list[StepProblem]:
    """Every problem, in file and line order."""
    cache: dict[tuple[str, str], list[StepDef]] = {}
    problems = []
    for step in feature_steps(features_dir, label, only):
        problem = check_step(defs, step, cache)
        if problem is not None:
            problems.append(problem)
    return problems


def first_uses(defs: Sequence[StepDef], features_dir: Path, label: str | None = None) -> None:
    """Fill each definition's ``example`` with the first feature line that uses it."""
    waiting = {id(d): d for d in defs}
    for step in feature_steps(features_dir, label):
        if not waiting:
            return
        for key, d in list(waiting.items()):
            if d.matches(step.type, step.text):
                d.example = f"{step.where}: {step.typed}"
                del waiting[key]


def prerun(root: Path, only: Sequence[Path] | None = None) -> list[str]:
    """What stops a gate run before any scenario runs (exit 2), each at its file and
    line: steps no definition matches or values they cannot use, then scenarios that
    name no requirement (or an unknown or retired one). The catalogue is ours plus the
    user catalogues of ``AUTHCONFORM_CATALOGUE``. A suite found clean before, unchanged
    since, is not checked again (``prerun_cache``)."""
    digest = prerun_cache.key_for(root, only)
    if digest is not None and prerun_cache.known_clean(root, digest):
        return []
    problems = _problems(root, only)
    if digest is not None and not problems:
        prerun_cache.remember_clean(root, digest)
    return problems


def _problems(root: Path, only: Sequence[Path] | None) -> list[str]:
    from authconform.authoring import stepdefs
    from authconform.spec import traceability

    catalogue_path = root / "features" / "requirements.yml"
    catalogue = load_catalogue(catalogue_path)
    matrix = traceability.build_matrix(
        catalogue, traceability.parse_features(root / "features"),
        retired=load_retired(catalogue_path))
    tags = matrix.tag_problems()
    if only:
        chosen = {f"features/{Path(p).resolve().relative_to((root / 'features').resolve())}"
                  .replace("\\", "/") for p in only}
        tags = [t for t in tags if t.split(":", 1)[0] in chosen]
    steps = check(stepdefs.load(root, described=False), root / "features", "features", only)
    return [str(p) for p in steps] + tags
