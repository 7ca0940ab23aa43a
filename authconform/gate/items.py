"""What a collected scenario is called: its stable id (``<feature file>::<scenario>``
plus the outline's example ids), its feature, its title in the feature's own words, its
requirement tags and readings. The result collector, the failure explainer and the live
Allure plugin all name a scenario through here, so they always agree.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from authconform.spec import readings
from authconform.spec.traceability import EXPLORATORY_TAG as EXPLORATORY


def describe_item(item: pytest.Item) -> dict[str, Any]:
    """Stable id, feature, scenario name and requirement ids of a collected item.

    The id is ``<feature file>::<scenario name>`` plus ``[<example ids>]`` for a scenario
    outline (pytest-bdd's parameter id: the example's values joined by ``-``)."""
    requirements = sorted({m.name for m in item.iter_markers() if m.name.startswith("REQ-")})
    tagged = readings.as_tags(m.name for m in item.iter_markers())
    if any(m.name == EXPLORATORY for m in item.iter_markers()):
        requirements = []  # exploratory: counted apart, never in coverage (traceability.py)
    callspec = getattr(item, "callspec", None)
    params = callspec.id if callspec is not None else ""
    template = _scenario_template(item)
    if template is None:
        path = item.nodeid.split("::", 1)[0]
        return {"id": item.nodeid, "feature": path, "name": item.name,
                "requirements": requirements, "readings": tagged,
                "title_path": path.split("/")}
    feature = template.feature
    name = template.name
    example = callspec.params.get("_pytest_bdd_example") if callspec is not None else None
    if example:
        from pytest_bdd.parser import render_string

        name = render_string(template.name, example)
    feature_file, folders = _where(str(feature.filename), str(item.config.rootpath))
    sid = f"{feature_file}::{template.name}" + (f"[{params}]" if params else "")
    title = scenario_title(name, example_title(item))
    return {"id": sid, "feature": feature.name or feature_file, "name": name, "title": title,
            "requirements": requirements, "readings": tagged,
            "title_path": [*folders, feature.name or feature_file]}


@functools.lru_cache(maxsize=256)
def _where(filename: str, rootpath: str) -> tuple[str, tuple[str, ...]]:
    """The feature file's name (``feature_file_name``) and the folders allure-pytest-bdd
    files its results under. Kept per file: resolving paths is most of what naming a
    scenario costs, and a feature file does not move during a run."""
    feature_file = feature_file_name(Path(filename), Path(rootpath))
    try:
        folders = tuple(Path(filename).resolve().relative_to(Path(rootpath).resolve()).parts[:-1])
    except ValueError:
        folders = ()
    return feature_file, folders


def feature_file_name(path: Path, rootpath: Path) -> str:
    """The feature file relative to ``<rootdir>/features`` (else to the rootdir), so the
    same file has the same name however a steps module reached it."""
    path = path.resolve()
    for base in (rootpath / "features", rootpath):
        try:
            return path.relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.name


def _scenario_template(item: pytest.Item) -> Any:
    try:
        from pytest_bdd.scenario import scenario_wrapper_template_registry
    except ImportError:  # pragma: no cover - pytest-bdd is a dependency
        return None
    obj = getattr(item, "obj", None)
    if obj is None:
        return None
    try:
        return scenario_wrapper_template_registry.get(obj)
    except TypeError:  # not weak-referenceable
        return None


def example_title(item: Any) -> str | None:
    """The outline example an item runs, in the feature's words: the Examples block's
    title, plus the row's values when the block has several rows and the scenario's
    title does not already show them; ``None`` for a plain scenario."""
    callspec = getattr(item, "callspec", None)
    if callspec is None or "_pytest_bdd_example" not in callspec.params:
        return None
    index = callspec.indices.get("_pytest_bdd_example")
    try:
        from pytest_bdd.scenario import scenario_wrapper_template_registry

        template = scenario_wrapper_template_registry.get(item.obj)
    except (ImportError, TypeError, AttributeError):
        template = None
    values = ", ".join(str(v) for v in callspec.params["_pytest_bdd_example"].values())
    if template is None or index is None:
        return values or None
    named_by_values = "<" in template.name  # the title already shows the row's values
    for block in template.examples:
        rows = len(block.examples)
        if index < rows:
            name = (block.name or "").strip()
            if named_by_values:
                return name or None
            if name and rows > 1:
                return f"{name}: {values}"
            return name or values or None
        index -= rows
    return values or None


def scenario_title(name: str, example: str | None) -> str:
    return f"{name} — {example}" if example else name
