"""The files Allure reads beside the scenario results once the run is judged:
``categories.json``, ``environment.properties`` (run facts, verdict, coverage, readings)
and the results of scenarios whose reading the target was not found to follow, shown as
not-applicable. Made from the conformance document; ``merge`` runs the same on the
merged document.
"""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from authconform.gate import verdict
from authconform.gate.allure_live import CATEGORIES, NOT_APPLICABLE_LABEL


def write_allure_extras(alluredir: str | Path, doc: Mapping[str, Any]) -> list[Path]:
    """The Allure categories and the environment panel (run facts, verdict, coverage,
    the robustness grade and the readings) next to the results, and the scenarios of a
    reading the target was not found to follow shown as not-applicable."""
    sync_reading_statuses(alluredir, doc)
    return [write_categories(alluredir),
            write_environment(alluredir, {
                "target": doc["target"]["name"], "target.version": doc["target"]["version"],
                "mutant": doc["target"].get("mutant"), "profile": doc["profile"],
                "seed": doc["seed"], "selection": doc["selection"], "verdict": doc["verdict"],
                "coverage": verdict.coverage_line(doc),
                "robustness": verdict.robustness_line(doc),
                "readings": verdict.readings_line(doc) or None,
                "sources": verdict.sources_line(doc) if "sources" in doc else None,
                "python": platform.python_version(), "pytest": _version("pytest"),
                "pytest-bdd": _version("pytest-bdd"),
                "allure-pytest-bdd": _version("allure-pytest-bdd"),
                "platform": sys.platform,
            })]


def write_environment(results_dir: str | Path, values: Mapping[str, Any]) -> Path:
    path = Path(results_dir) / "environment.properties"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{_prop(k)}={_prop(str(v))}" for k, v in values.items() if v is not None]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _prop(text: str) -> str:
    return (text.replace("\\", "\\\\").replace("\n", "\\n").replace("=", "\\=")
            .replace(":", "\\:"))


OBSERVED_LABEL = "observed"  # what a scenario made not-applicable by a reading saw


def sync_reading_statuses(results_dir: str | Path, doc: Mapping[str, Any]) -> list[Path]:
    """Allure writes each scenario's result as it ends, before the gate decides an
    undeclared reading (authconform.gate.inference): a scenario of a reading the target was
    not found to follow is rewritten as not-applicable, keeping what it observed in a
    label; one so rewritten by a shard that the merged decision keeps is restored."""
    judged = {s["id"]: s for s in doc.get("scenarios", ())}
    changed = []
    for path in sorted(Path(results_dir).glob("*-result.json")):
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        labels = result.get("labels", [])
        sid = next((x["value"] for x in labels if x.get("name") == "scenario_id"), None)
        scenario = judged.get(sid) if sid else None
        observed = next((x["value"] for x in labels if x.get("name") == OBSERVED_LABEL), None)
        if scenario is None:
            continue
        if scenario.get("observed") and observed is None:
            labels += [{"name": OBSERVED_LABEL, "value": result.get("status", "unknown")},
                       {"name": NOT_APPLICABLE_LABEL, "value": "another reading"},
                       {"name": "tag", "value": "not-applicable: another reading"}]
            result["status"] = "skipped"
            result["statusDetails"] = {"message": str(scenario.get("message", ""))}
        elif not scenario.get("observed") and observed is not None:
            result["labels"] = [x for x in labels if x.get("name") != OBSERVED_LABEL
                                and x.get("value") not in ("another reading",
                                                           "not-applicable: another reading")]
            result["status"] = observed
            result["statusDetails"] = {"message": str(scenario.get("message", ""))}
        else:
            continue
        path.write_text(json.dumps(result), encoding="utf-8")
        changed.append(path)
    return changed


def write_categories(results_dir: str | Path) -> Path:
    """``categories.json`` for Allure 2, which knows statuses and message patterns
    only (Allure 3 reads the categories from the report's configuration)."""
    path = Path(results_dir) / "categories.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([_allure2(c) for c in CATEGORIES], indent=2) + "\n",
                    encoding="utf-8")
    return path


def _allure2(category: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in category.items() if k != "matchers"}
    if "matchers" in category:
        out["matchedStatuses"] = list(category["matchers"].get("statuses", []))
    return out


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"
