"""What the conformance run adds to Allure results, and attachments for steps.

* ``attach_png`` / ``attach_json`` -- steps call these to put a screenshot (a QR code, a
  screen) or a JSON snapshot of the world into the report; both do nothing when Allure
  is not collecting (no ``--alluredir``) or not installed.
* ``label_scenario`` -- requirement ids as Allure labels of the running scenario (label
  ``requirement``, ``story`` for the behaviours tree, severity from the MUST/SHOULD level).
  Requirement tags already reach Allure as ``tag`` labels through allure-pytest-bdd.
* ``write_environment`` / ``write_categories`` -- ``environment.properties`` and
  ``categories.json`` in the results directory.
* ``write_fallback_result`` -- allure-pytest-bdd only reports scenarios that reached
  their first step; a scenario whose fixture setup failed or skipped would be missing
  from the HTML report. The results plugin writes a plain result for those.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from hashlib import md5
from pathlib import Path
from typing import Any

try:  # allure-pytest-bdd is a dependency, but steps must work without it
    import allure
    from allure_commons.types import AttachmentType
except ImportError:  # pragma: no cover - exercised only without allure installed
    allure = None  # type: ignore[assignment]
    AttachmentType = None  # type: ignore[assignment,misc]

# Allure status of each scenario status (allure-pytest-bdd uses the same mapping).
ALLURE_STATUS = {
    "passed": "passed",
    "failed": "failed",
    "error": "broken",
    "not-applicable": "skipped",
    "skipped": "skipped",
}

# Compatible with Allure 2 (categories.json) and Allure 3 (allurerc "categories").
# First match wins: the adapter category must come before the catch-all harness one.
CATEGORIES: list[dict[str, Any]] = [
    {"name": "Non-conformance", "matchedStatuses": ["failed"],
     "description": "An assertion about the target's behaviour failed."},
    {"name": "Adapter errors", "matchedStatuses": ["broken"], "messageRegex": ".*TargetError.*",
     "description": "The target crashed, hung or answered garbage (TargetError)."},
    {"name": "Not applicable", "matchedStatuses": ["skipped"],
     "messageRegex": ".*(not-applicable:|CapabilityMissing).*",
     "description": "The target lacks a capability the scenario needs."},
    {"name": "Skipped (not verified)", "matchedStatuses": ["skipped"]},
    {"name": "Harness errors", "matchedStatuses": ["broken"],
     "description": "The harness, a fixture or a step definition failed."},
]

SEVERITY = {"MUST": "critical", "SHOULD": "normal"}


def allure_active() -> bool:
    """True while an Allure listener is registered (pytest ran with ``--alluredir``)."""
    if allure is None:
        return False
    import allure_commons

    return bool(allure_commons.plugin_manager.get_plugins())


def attach_png(name: str, data: bytes) -> None:
    """Attach a PNG image to the running scenario; no-op without Allure."""
    if allure_active():
        allure.attach(data, name=name, attachment_type=AttachmentType.PNG)


def attach_json(name: str, obj: Any) -> None:
    """Attach ``obj`` as pretty JSON (dataclasses and bytes are shown as text)."""
    if allure_active():
        body = json.dumps(obj, indent=2, sort_keys=True, default=_jsonable)
        allure.attach(body, name=name, attachment_type=AttachmentType.JSON)


def _jsonable(value: Any) -> Any:
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def label_scenario(requirements: Iterable[str], levels: Mapping[str, str]) -> None:
    """Label the running Allure test case with its requirement ids."""
    if not allure_active():
        return
    reqs = sorted(requirements)
    if not reqs:
        return
    allure.dynamic.label("requirement", *reqs)
    allure.dynamic.story(*reqs)
    found = [levels[r] for r in reqs if r in levels]
    if found:
        level = "MUST" if "MUST" in found else found[0]
        allure.dynamic.severity(SEVERITY.get(level, "normal"))


def write_environment(results_dir: str | Path, values: Mapping[str, Any]) -> Path:
    path = Path(results_dir) / "environment.properties"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{_prop(k)}={_prop(str(v))}" for k, v in values.items() if v is not None]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _prop(text: str) -> str:
    return (text.replace("\\", "\\\\").replace("\n", "\\n").replace("=", "\\=")
            .replace(":", "\\:"))


def write_categories(results_dir: str | Path) -> Path:
    path = Path(results_dir) / "categories.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(CATEGORIES, indent=2) + "\n", encoding="utf-8")
    return path


def write_fallback_result(
    results_dir: str | Path,
    *,
    scenario_id: str,
    feature: str,
    name: str,
    status: str,
    message: str | None,
    trace: str | None,
    requirements: Iterable[str],
    start_ms: int,
    stop_ms: int,
    title_path: list[str] | None = None,
) -> Path:
    """A minimal Allure 2 result file for a scenario allure-pytest-bdd never saw."""
    reqs = sorted(requirements)
    test_uuid = str(uuid.uuid4())
    case_id = md5(scenario_id.encode("utf-8")).hexdigest()
    labels = [{"name": "feature", "value": feature}, {"name": "framework", "value": "pytest-bdd"}]
    labels += [{"name": "tag", "value": r} for r in reqs]
    labels += [{"name": "requirement", "value": r} for r in reqs]
    labels += [{"name": "story", "value": r} for r in reqs]
    result = {
        "uuid": test_uuid,
        "historyId": case_id,
        "testCaseId": case_id,
        "fullName": scenario_id,
        "name": name,
        "status": ALLURE_STATUS[status],
        "statusDetails": {"message": message or "", "trace": trace or ""},
        "stage": "finished",
        "start": start_ms,
        "stop": stop_ms,
        "labels": labels,
        "titlePath": list(title_path) if title_path else [feature],
    }
    path = Path(results_dir) / f"{test_uuid}-result.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result), encoding="utf-8")
    return path
