"""What the conformance run adds to Allure results while it runs, and attachments for
steps (the live part; the rest is made afterwards from the document, in ``report``).

* ``attach_png`` / ``attach_json`` -- steps call these to put a screenshot (a QR code, a
  screen) or a JSON snapshot of the world into the report; both do nothing when Allure
  is not collecting (no ``--alluredir``) or not installed.
* ``AllureScenarios`` -- the plugin that makes each scenario readable for a QA lead:
  a title naming the outline's Examples (not pytest's ``[ios-old iPhone]`` id), the
  hierarchy area (epic) -> feature file (feature) -> scenario (story), every
  requirement id as a label and as a link to its page (``html_report``), the severity
  from the MUST/SHOULD level, the conformance id of the scenario, a not-applicable
  scenario labelled with what it lacks, and a failure told in the user's words
  (``failures``) with pytest's traceback kept as an attachment. Just before a result is
  written it drops what must not be shown: fixture values listed as step parameters
  (the cast, with its passwords) and object addresses.
* The files Allure reads once the run is judged (``environment.properties``,
  ``categories.json``, the statuses of another reading's scenarios) are made from the
  conformance document by ``authconform.report.allure_files``, not here.
* ``write_fallback_result`` -- allure-pytest-bdd only reports scenarios that reached
  their first step; a scenario whose fixture setup failed or skipped would be missing
  from the HTML report. The results plugin writes a plain result for those.
"""

from __future__ import annotations

import functools
import json
import os
import re
import uuid
from collections.abc import Iterable, Mapping
from hashlib import md5
from pathlib import Path
from typing import Any

from pytest import hookimpl as pytest_hookimpl

from authconform.gate.items import describe_item, example_title, scenario_title
from authconform.spec.catalogue import NOT_APPLICABLE_PREFIX, ConfigurationError, load_catalogue

try:  # allure-pytest-bdd is a dependency, but steps must work without it
    import allure
    from allure_commons import hookimpl as allure_hookimpl
    from allure_commons.types import AttachmentType
except ImportError:  # pragma: no cover - exercised only without allure installed
    allure = None  # type: ignore[assignment]
    AttachmentType = None  # type: ignore[assignment,misc]

    def allure_hookimpl(*args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
        return lambda f: f

ALLURE_PLUGIN_NAME = "authconform-allure"

# Allure status of each scenario status (allure-pytest-bdd uses the same mapping).
ALLURE_STATUS = {
    "passed": "passed",
    "failed": "failed",
    "blocked": "failed",  # an assertion failed, in a precondition: Allure says failed
    "error": "broken",
    "not-applicable": "skipped",
    "skipped": "skipped",
}

# Compatible with Allure 2 (categories.json) and Allure 3 (allurerc "categories").
# First match wins: the adapter category must come before the catch-all harness one.
CATEGORIES: list[dict[str, Any]] = [
    # before Non-conformance: the failure belongs to another requirement (failures.render);
    # [\s\S] spans the record's lines in Allure 3 (JavaScript) and Allure 2 (Java) alike
    {"name": "Blocked by a failed precondition", "matchedStatuses": ["failed"],
     "messageRegex": "[\\s\\S]*blocked by REQ-[\\s\\S]*",
     "description": "A Given or When step failed in behaviour another requirement "
                    "documents; that requirement is charged, this scenario's own checks "
                    "did not run."},
    {"name": "Non-conformance", "matchedStatuses": ["failed"],
     "description": "An assertion about the target's behaviour failed."},
    {"name": "Adapter errors", "matchedStatuses": ["broken"], "messageRegex": ".*TargetError.*",
     "description": "The target crashed, hung or answered garbage (TargetError)."},
    # by the label: a not-applicable result carries no message, which Allure would
    # show in a box headed "Error" (tidy_result, write_fallback_result)
    {"name": "Not applicable",
     "matchers": {"statuses": ["skipped"], "labels": {"not-applicable": "."}},
     "description": "The target lacks a capability, parameter or reading the scenario "
                    "needs."},
    {"name": "Skipped (not verified)", "matchedStatuses": ["skipped"]},
    {"name": "Harness errors", "matchedStatuses": ["broken"],
     "description": "The harness, a fixture or a step definition failed."},
]

SEVERITY = {"MUST": "critical", "SHOULD": "normal"}


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


# Labels the report hides: where and on which thread the scenario ran says nothing
# about the target, and changes from run to run.
HIDDEN_LABELS = ("host", "thread", "language", "framework")
# The report tree: area -> feature file -> scenario (leaves are scenarios/examples).
TREE_GROUPS = ("epic", "feature")
NOT_APPLICABLE_LABEL = "not-applicable"
SCENARIO_ID_LABEL = "scenario_id"  # the scenario's id in conformance.json
REQUIREMENTS_DIR = "requirements"  # the requirement pages, beside the report's index.html


REQUIREMENTS_URL_ENV = "AUTHCONFORM_REQUIREMENTS_URL"


def requirement_page(rid: str) -> str:
    """Where a requirement's page is: relative to the report's index.html, or under
    ``$AUTHCONFORM_REQUIREMENTS_URL`` (where CI publishes ``allure-report/requirements``).
    Allure 3 makes a link clickable only with an http(s) address, so without that
    variable the link shows the requirement's id and summary as text; the page itself
    travels in the report as an attachment of each scenario (``requirement_card``)."""
    base = os.environ.get(REQUIREMENTS_URL_ENV, "").strip()
    if base:
        return f"{base.rstrip('/')}/{rid}.html"
    return f"{REQUIREMENTS_DIR}/{rid}.html"






def allure_active() -> bool:
    """True while an Allure listener is registered (pytest ran with ``--alluredir``)."""
    if allure is None:
        return False
    import allure_commons

    # this module's own plugin is registered with Allure too: it is not a listener
    return any(not isinstance(p, AllureScenarios)
               for p in allure_commons.plugin_manager.get_plugins())


class AllureScenarios:
    """Titles, hierarchy, requirement links, n/a labels and user-facing failures for
    the Allure results of the run (see the module docstring)."""

    def __init__(self, config: Any, catalogue_path: Path):
        self.config = config
        self.catalogue_path = catalogue_path
        self._requirements: dict[str, Any] | None = None
        self.pending: dict[str, dict[str, Any]] = {}  # allure test uuid -> changes

    @property
    def requirements(self) -> dict[str, Any]:
        """The catalogue by id, read on first use (on every xdist worker too); empty if
        it cannot be read -- the controller reports that as a usage error."""
        if self._requirements is None:

            try:
                self._requirements = {r.id: r for r in load_catalogue(
                    self.catalogue_path)}
            except ConfigurationError:
                self._requirements = {}
        return self._requirements

    @functools.cached_property
    def areas(self) -> dict[str, str]:
        """Area tag -> area name (asked once per marker of every scenario)."""
        return {r.area.lower(): r.area for r in self.requirements.values()}

    # -- where the scenario runs

    def _area(self, item: Any, requirements: list[str]) -> str:
        for marker in item.iter_markers():
            if marker.name in self.areas:
                return self.areas[marker.name]
        known = [self.requirements[r].area for r in requirements if r in self.requirements]
        return known[0] if known else "OTHER"

    def pytest_bdd_before_scenario(self, request: Any, feature: Any, scenario: Any) -> None:
        if not allure_active():
            return
        item = request.node
        info = describe_item(item)
        reqs = list(info["requirements"])
        feature_file = Path(str(feature.filename)).name
        allure.dynamic.title(scenario_title(info["name"], example_title(item)))
        allure.dynamic.epic(self._area(item, reqs))
        allure.dynamic.feature(f"{feature.name or feature_file} ({feature_file})")
        allure.dynamic.story(info["name"])
        allure.dynamic.label(SCENARIO_ID_LABEL, info["id"])
        levels = []
        for rid in reqs:
            allure.dynamic.label("requirement", rid)
            req = self.requirements.get(rid)
            name = f"{rid}: {req.summary}" if req is not None else rid
            allure.dynamic.link(requirement_page(rid), link_type="requirement",
                                name=name)
            if req is not None:
                levels.append(req.level)
                # the requirement's page inside the single-file report, one click away
                from authconform.gate.requirement_card import requirement_card

                allure.attach(requirement_card(req), name=f"Requirement {rid}",
                              attachment_type=AttachmentType.HTML)
        if levels:
            allure.dynamic.severity(SEVERITY["MUST" if "MUST" in levels else levels[0]])
        # graded beside the conformance verdict, or part of it (authconform/gate/verdict.py)
        kinds = {self.requirements[r].kind for r in reqs if r in self.requirements}
        allure.dynamic.tag("robustness" if kinds == {"robustness"} else "documented")

    def _listener_uuid(self, item: Any) -> str | None:
        for plugin in self.config.pluginmanager.get_plugins():
            uuids = getattr(plugin, "nodeid_to_uuid", None)
            if uuids is not None and hasattr(plugin, "lifecycle"):
                found = uuids.get(item.nodeid) if hasattr(uuids, "get") else None
                return str(found) if found else None
        return None

    @pytest_hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item: Any, call: Any) -> Any:
        report = yield
        if report.when != "call" or not allure_active():
            return report
        from authconform.gate import failures

        changes: dict[str, Any] = {}
        if report.failed:
            text = failures.user_message(item, call.excinfo)
            if text is not None:
                changes["message"] = text
        elif report.skipped:
            reason = _skip_reason(report)
            if reason.startswith(NOT_APPLICABLE_PREFIX):
                changes.update(not_applicable(reason))
        uuid_ = self._listener_uuid(item) if changes else None
        if uuid_:
            self.pending[uuid_] = changes
        return report

    # -- just before allure-pytest-bdd writes the result file

    @allure_hookimpl(tryfirst=True)
    def report_result(self, result: Any) -> None:
        tidy_result(result, self.pending.pop(str(result.uuid), None))


def not_applicable(reason: str) -> dict[str, str]:
    """The label value and message of a not-applicable scenario: the capability it
    lacks, or (for a reading the target did not declare) the reason as given."""
    rest = reason.split(":", 1)[1].strip() if ":" in reason else reason
    quoted = (re.search(r"capability '([^']+)'(?: \(([^)]*)\))?", rest)
              or re.fullmatch(r"(\w+) \((\w+)\)", rest))
    if quoted:
        operation = f" (needed by {quoted.group(2)})" if quoted.group(2) else ""
        return {"not_applicable": f"capability {quoted.group(1)}",
                "message": f"Not applicable: the target does not declare the capability "
                           f"'{quoted.group(1)}'{operation}."}
    return {"not_applicable": rest, "message": f"Not applicable: {rest}"}


NOT_APPLICABLE_PARAMETER = "not applicable"


def _with_need(description: str | None, need: str) -> str:
    """The scenario's description with what it needs as its first line."""
    return f"**{need}**" + (f"\n\n{description}" if description else "")


def _skip_reason(report: Any) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr or "")


def tidy_result(result: Any, changes: Mapping[str, Any] | None) -> None:
    """What the QA lead should not see goes; what they should, comes in."""
    from allure_commons.model2 import Label, Parameter, StatusDetails

    result.labels = [label for label in result.labels
                     if label.name not in ("host", "thread")]
    for step in _walk(result.steps):
        step.parameters = []  # fixture values (the cast, passwords); the text says the rest
        if step.statusDetails is not None and step.statusDetails.trace:
            step.statusDetails = StatusDetails(message=_plain(step.statusDetails.message))
    if not changes:
        return
    if changes.get("not_applicable"):
        lacking = changes["not_applicable"]
        result.labels.append(Label(name=NOT_APPLICABLE_LABEL, value=lacking))
        result.labels.append(Label(name="tag", value=f"not-applicable: {lacking}"))
        # Allure heads any status message "Error": what the scenario needs goes first
        # among its parameters and in its description instead, and the message goes
        result.parameters = [Parameter(name=NOT_APPLICABLE_PARAMETER,
                                       value=changes["message"]), *(result.parameters or [])]
        result.description = _with_need(result.description, changes["message"])
        result.statusDetails = None
        for step in _walk(result.steps):  # Allure shows a step's message as the result's
            step.statusDetails = None
        return
    message = changes.get("message")
    if message:
        trace = result.statusDetails.trace if result.statusDetails is not None else None
        if trace and not changes.get("not_applicable"):  # a skip's "trace" says nothing
            _attach_text(result, "technical detail (pytest traceback)", technical(trace))
        result.statusDetails = StatusDetails(message=message)
        failed = [s for s in _walk(result.steps) if s.status in ("failed", "broken")]
        if failed:
            failed[-1].statusDetails = StatusDetails(message=message)


# A frame's arguments as pytest's long traceback lists them ("cast = Cast(...)",
# "kwargs = {...}"): fixture values, the cast with its passwords, object addresses.
_ARGUMENT_LINE = re.compile(r"^[A-Za-z_]\w* = .*$")


def technical(trace: str) -> str:
    """The traceback for a developer, without the frames' argument values and memory
    addresses: the code lines and the exception are what locate the failure."""
    from authconform.gate.failures import plain

    kept = [line for line in trace.splitlines() if not _ARGUMENT_LINE.match(line)]
    return plain("\n".join(kept).strip("\n")) + "\n"


def _walk(steps: Iterable[Any]) -> Iterable[Any]:
    for step in steps or ():
        yield step
        yield from _walk(getattr(step, "steps", None) or ())


def _plain(text: str | None) -> str | None:
    from authconform.gate.failures import plain

    return plain(text) if text else text


def _attach_text(result: Any, name: str, body: str) -> None:
    import allure_commons
    from allure_commons.model2 import Attachment

    file_name = f"{uuid.uuid4()}-attachment.txt"
    allure_commons.plugin_manager.hook.report_attached_data(body=body, file_name=file_name)
    result.attachments.append(Attachment(name=name, source=file_name, type="text/plain"))


def register(config: Any, catalogue_path: Path) -> AllureScenarios | None:
    """Register the plugin with pytest and with Allure (once per process)."""
    if allure is None:
        return None
    existing = config.pluginmanager.get_plugin(ALLURE_PLUGIN_NAME)
    if isinstance(existing, AllureScenarios):
        return existing
    import allure_commons

    plugin = AllureScenarios(config, catalogue_path)
    config.pluginmanager.register(plugin, ALLURE_PLUGIN_NAME)
    allure_commons.plugin_manager.register(plugin)
    config.add_cleanup(lambda: allure_commons.plugin_manager.unregister(plugin))
    return plugin














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
    labels += [{"name": "story", "value": name}, {"name": SCENARIO_ID_LABEL, "value": scenario_id}]
    details: dict[str, Any] | None = {"message": message or "", "trace": trace or ""}
    extra: dict[str, Any] = {}
    if status == "not-applicable":  # as tidy_result: no "Error" box, the need up front
        said = not_applicable(message or "")
        labels.append({"name": NOT_APPLICABLE_LABEL, "value": said["not_applicable"]})
        extra = {"parameters": [{"name": NOT_APPLICABLE_PARAMETER, "value": said["message"]}],
                 "description": _with_need(None, said["message"])}
        details = None
    result = {
        "uuid": test_uuid,
        "historyId": case_id,
        "testCaseId": case_id,
        "fullName": scenario_id,
        "name": name,
        "status": ALLURE_STATUS[status],
        "statusDetails": details,
        **extra,
        "stage": "finished",
        "start": start_ms,
        "stop": stop_ms,
        "labels": labels,
        "links": [{"type": "requirement", "name": r, "url": requirement_page(r)}
                  for r in reqs],
        "titlePath": list(title_path) if title_path else [feature],
    }
    path = Path(results_dir) / f"{test_uuid}-result.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result), encoding="utf-8")
    return path
