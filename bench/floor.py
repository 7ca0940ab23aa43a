"""The shape of the real suite, and a generated suite of the same shape with nothing in it.

``suite_shape`` parses ``features/`` with pytest-bdd's own parser (outlines expanded
once per example row, background steps counted in every scenario) and counts the step
definitions under ``steps/``. ``write_floor`` then writes, into a directory of your
choice, a pytest-bdd suite with the same feature files, the same number of scenarios per
file, the same steps (by keyword) per scenario and the same tags (registered as markers,
the profile tags deselected the way the plugin does), whose steps do nothing: no world,
no adapter, no guard. Running it measures what pytest-bdd itself costs for our suite's
shape, the floor the real suite is compared with.

Two floors: ``minimal`` (one string step definition per keyword, the brief's trivial
scenarios) and ``mirrored`` (as many string step definitions as the real suite has, so
pytest-bdd's step lookup, which tries every visible definition, costs what it costs us).
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from pytest_bdd.parser import FeatureParser

from bench.common import REPO

STEP_TYPES = ("given", "when", "then")
# The plugin's profile tags (authconform.gate.plugin.PROFILE_TAGS); deselected alike.
PROFILE_TAGS = {"profile-current": "current", "profile-2019": "2019"}


@dataclass(frozen=True)
class ScenarioShape:
    name: str
    step_types: tuple[str, ...]
    tags: frozenset[str]


@dataclass
class FeatureShape:
    path: str  # relative to the features directory
    tags: frozenset[str]
    scenarios: list[ScenarioShape] = field(default_factory=list)


@dataclass
class SuiteShape:
    features: list[FeatureShape]
    step_defs: dict[str, int]  # by keyword; "step" definitions count for each keyword

    @property
    def scenarios(self) -> int:
        return sum(len(f.scenarios) for f in self.features)

    @property
    def steps(self) -> int:
        return sum(len(s.step_types) for f in self.features for s in f.scenarios)

    def selected(self, profile: str = "current") -> list[tuple[FeatureShape, ScenarioShape]]:
        """The scenarios a run under ``profile`` keeps (the plugin deselects the rest)."""
        kept = []
        for feature in self.features:
            for scenario in feature.scenarios:
                profiles = {PROFILE_TAGS[t] for t in scenario.tags | feature.tags
                            if t in PROFILE_TAGS}
                if not profiles or profile in profiles:
                    kept.append((feature, scenario))
        return kept

    def summary(self, profile: str = "current") -> dict[str, int]:
        kept = self.selected(profile)
        return {
            "feature_files": len(self.features),
            "scenarios": self.scenarios,
            "steps": self.steps,
            "scenarios_selected": len(kept),
            "steps_selected": sum(len(s.step_types) for _, s in kept),
            "step_definitions": sum(self.step_defs.values()),
        }


def parse_features(features_dir: Path) -> list[FeatureShape]:
    shapes = []
    for path in sorted(features_dir.rglob("*.feature")):
        rel = path.relative_to(features_dir).as_posix()
        feature = FeatureParser(str(features_dir), rel).parse()
        shape = FeatureShape(rel, frozenset(feature.tags))
        for template in feature.scenarios.values():
            rule_tags = template.rule.tags if template.rule is not None else set()
            types = tuple(step.type for step in template.steps)
            base_tags = frozenset(template.tags | rule_tags)
            rows = [(ex.tags, ctx) for ex in template.examples for ctx in ex.as_contexts()]
            if not rows:
                shape.scenarios.append(ScenarioShape(template.name, types, base_tags))
            for index, (example_tags, _context) in enumerate(rows):
                shape.scenarios.append(ScenarioShape(
                    f"{template.name} [{index}]", types, base_tags | frozenset(example_tags)))
        shapes.append(shape)
    return shapes


_DECORATORS = {"given": ("given",), "when": ("when",), "then": ("then",), "step": STEP_TYPES}


def count_step_definitions(*roots: Path) -> dict[str, int]:
    """Step definitions by keyword: ``@given(...)``, ``@when(...)``, ``@then(...)``,
    ``@step(...)`` (plain or as ``pytest_bdd.given``) in the .py files under ``roots``."""
    counts = dict.fromkeys(STEP_TYPES, 0)
    files: list[Path] = []
    for root in roots:
        if root.is_file():
            files.append(root)
        elif root.is_dir():
            files.extend(sorted(root.rglob("*.py")))
    for path in files:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                func = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = (func.id if isinstance(func, ast.Name)
                        else func.attr if isinstance(func, ast.Attribute) else "")
                for step_type in _DECORATORS.get(name, ()):
                    counts[step_type] += 1
    return counts


def suite_shape(repo: Path = REPO) -> SuiteShape:
    return SuiteShape(parse_features(repo / "features"),
                      count_step_definitions(repo / "steps", repo / "conftest.py"))


_CONFTEST = '''\
"""Generated by bench/floor.py: the pytest-bdd floor. Steps that do nothing."""

import pytest
from pytest_bdd import given, then, when

MARKERS = {markers!r}
PROFILE_TAGS = {profile_tags!r}
PROFILE = "current"


def pytest_configure(config):
    for name in MARKERS:
        config.addinivalue_line("markers", f"{{name}}: floor tag")


def pytest_collection_modifyitems(config, items):
    keep, drop = [], []
    for item in items:
        profiles = {{PROFILE_TAGS[m.name] for m in item.iter_markers()
                    if m.name in PROFILE_TAGS}}
        (drop if profiles and PROFILE not in profiles else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep

'''

_MODULE = '''\
"""Generated by bench/floor.py."""

from pytest_bdd import scenarios

scenarios("features/{feature}")
'''


def _step_text(step_type: str, index: int) -> str:
    return f"floor {step_type} {index}"


def write_floor(shape: SuiteShape, directory: Path, mirrored: bool = False) -> dict[str, int]:
    """Write the floor suite into ``directory`` (created; must be empty or new).
    Returns what was written: feature files, scenarios, steps, step definitions."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "features").mkdir(exist_ok=True)
    defs = {t: (max(1, shape.step_defs.get(t, 0)) if mirrored else 1) for t in STEP_TYPES}
    markers = sorted({t for f in shape.features for t in f.tags}
                     | {t for f in shape.features for s in f.scenarios for t in s.tags})
    conftest = [_CONFTEST.format(markers=markers, profile_tags=PROFILE_TAGS)]
    for step_type, count in defs.items():
        for index in range(count):
            conftest.append(f"@{step_type}({_step_text(step_type, index)!r})\n"
                            f"def _{step_type}_{index}():\n    pass\n\n")
    (directory / "conftest.py").write_text("\n".join(conftest), encoding="utf-8")
    written = {"feature_files": 0, "scenarios": 0, "steps": 0,
               "step_definitions": sum(defs.values())}
    used = dict.fromkeys(STEP_TYPES, 0)
    for number, feature in enumerate(shape.features):
        name = f"floor_{number:03d}.feature"
        lines = [" ".join(f"@{t}" for t in sorted(feature.tags)),
                 f"Feature: floor {number} ({feature.path})", ""]
        for s_number, scenario in enumerate(feature.scenarios):
            if scenario.tags:
                lines.append("  " + " ".join(f"@{t}" for t in sorted(scenario.tags)))
            lines.append(f"  Scenario: floor scenario {s_number}")
            for step_type in scenario.step_types:
                index = used[step_type] % defs[step_type]
                used[step_type] += 1
                lines.append(f"    {step_type.title()} {_step_text(step_type, index)}")
            lines.append("")
            written["scenarios"] += 1
            written["steps"] += len(scenario.step_types)
        (directory / "features" / name).write_text(
            "\n".join(line for line in lines if line is not None) + "\n", encoding="utf-8")
        (directory / f"test_floor_{number:03d}.py").write_text(
            textwrap.dedent(_MODULE.format(feature=name)), encoding="utf-8")
        written["feature_files"] += 1
    return written
