"""Which scenarios a target's missing declarations make not-applicable.

A target that leaves out a value the documents leave open (``TargetInfo.parameters``)
runs fine, but every scenario that needs that exact number comes out not-applicable;
one that leaves out a reading (``TargetInfo.readings``) is taken to follow the stricter
one. Neither is an error -- so the self-test says it in advance, naming the scenarios,
instead of leaving the team to find out from a verdict with holes in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from authconform.port import READINGS, Parameter, Reading, TargetInfo
from authconform.spec import readings

FEATURES = Path(__file__).resolve().parents[2] / "features"

# Words of the Gherkin steps (or Examples cells) whose definitions read each parameter
# (steps/declared.py, steps/verification.py); a test keeps this table in step with the
# step definitions.
PARAMETER_STEPS: dict[Parameter, tuple[str, ...]] = {
    Parameter.MSA_CODE_DIGITS: ("as many digits as the target declares",),
    # read only when two phones' codes agree by chance at the first look
    Parameter.MSA_CODE_PERIOD_S: ("one declared code period later",),
    Parameter.CODE_DRIFT_STEPS: ("the declared drift window",),
    Parameter.RECOVERY_SIGN_IN_LIFETIME_S: ("the declared recovery sign-in lifetime",),
    Parameter.KEY_FRESHNESS_S: ("the declared key freshness",),
    Parameter.EMAIL_CODE_LIFETIME_S: ("the declared lifetime of an emailed or texted code",),
    Parameter.QR_LIFETIME_S: ("the declared lifetime of an activation QR code",
                              "past its lifetime"),
}


@dataclass(frozen=True)
class FeatureScenario:
    id: str  # "<feature file>::<scenario name>"
    text: str  # its steps and Examples cells, for phrase matching
    tags: frozenset[str]


def scenarios(features: Path = FEATURES) -> list[FeatureScenario]:
    """Every scenario (an outline once) of the feature files, with its text and tags."""
    from authconform.spec import feature_files

    found = []
    for path in sorted(features.rglob("*.feature")):
        rel = path.relative_to(features).as_posix()
        feature = feature_files.parse(features, rel)
        for template in feature.scenarios.values():
            words = [step.name for step in template.steps]
            for examples in template.examples:
                for row in examples.as_contexts():
                    words += [str(v) for v in row.values()]
            tags = set(feature.tags) | set(template.tags)
            if template.rule is not None:
                tags |= set(template.rule.tags)
            for examples in template.examples:
                tags |= set(examples.tags or ())
            found.append(FeatureScenario(f"{rel}::{template.name}", "\n".join(words),
                                         frozenset(tags)))
    return found


def needing_parameter(parameter: Parameter, among: Iterable[FeatureScenario]) -> list[str]:
    phrases = PARAMETER_STEPS[parameter]
    return [s.id for s in among if any(p in s.text for p in phrases)]


def not_under(reading: Reading, value: str, among: Iterable[FeatureScenario]) -> list[str]:
    """Scenarios written for other readings of ``reading`` than ``value``: the ones a
    target following ``value`` finds not-applicable."""
    return [s.id for s in among
            if value not in readings.needed(s.tags).get(reading, {value})]


def warnings(info: TargetInfo, among: Iterable[FeatureScenario] | None = None
             ) -> list[str]:
    """One line per undeclared parameter or reading that decides some scenario: what
    is missing and which scenarios will be not-applicable because of it."""
    known = list(scenarios() if among is None else among)
    out = []
    for parameter in Parameter:
        if info.parameter(parameter) is not None:
            continue
        needing = needing_parameter(parameter, known)
        if needing:
            out.append(f"parameter {parameter.value!r} undeclared: not-applicable "
                       f"{_list(needing)}")
    for reading, values in READINGS.items():
        if reading.value in info.readings:
            continue
        others = not_under(reading, values[0], known)
        if others:
            out.append(f"reading {reading.value!r} undeclared, taken as {values[0]!r}: "
                       f"not-applicable {_list(others)}")
    return out


def _list(ids: list[str]) -> str:
    return f"{len(ids)} scenario{'s' if len(ids) != 1 else ''} ({'; '.join(ids)})"
