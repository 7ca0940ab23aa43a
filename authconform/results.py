"""The results plugin: one record per scenario, then conformance.json, junit.xml and
summary.md in the report directory.

Wiring (plugin.py)::

    from authconform import results

    def pytest_addoption(parser):
        results.addoption(parser)

    def pytest_configure(config):
        if config.getoption("authconform_report_dir"):
            results.register(config)

Where the scenario runs (the only process without pytest-xdist, a worker with it),
``pytest_runtest_makereport`` classifies each phase -- that is where the exception is
still an object -- and puts the verdict on the report as ``report.authconform``, which
xdist ships to the controller with the rest of the report. The controller (or the only
process) gathers reports in ``pytest_runtest_logreport`` and alone writes the files.

Scenario status:

* ``passed``;
* ``failed``          -- an ``AssertionError`` in the call phase (non-conformance);
* ``blocked``         -- such an assertion in a Given or When step that leans on
  another requirement's behaviour (authconform.preconditions): ``blocked_by`` names
  it, and the verdict charges the failure to it;
* ``not-applicable``  -- skipped with a reason starting ``not-applicable:`` (the plugin
  turns ``CapabilityMissing`` into such a skip; an unconverted ``CapabilityMissing``
  counts the same);
* ``skipped``         -- any other skip, an xfail too: never a pass;
* ``error``           -- anything else: ``TargetError``, other exceptions, a failure in
  setup or teardown, a timeout, a crashed xdist worker, a report without our
  classification.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pytest

from authconform import allure_extras, failures, readings, verdict
from authconform.port import CapabilityMissing, TargetError, TargetInfo
from authconform.traceability import EXPLORATORY_TAG as EXPLORATORY

PLUGIN_NAME = "authconform-results"
MESSAGE_LIMIT = 2000
TODAY_ENV = "AUTHCONFORM_TODAY"  # YYYY-MM-DD, pins "today" for waiver expiry

# plugin.py may store the started adapter's TargetInfo here; otherwise the collector
# reads ``info`` from the ``target`` fixture of the first scenario that used it.
TARGET_INFO_KEY = pytest.StashKey[TargetInfo]()


def addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("authconform-results", "authconform conformance reports")
    group.addoption("--authconform-report-dir", dest="authconform_report_dir", default=None,
                    metavar="DIR",
                    help="write conformance.json, junit.xml and summary.md into DIR")
    group.addoption("--waivers", dest="authconform_waivers", default=None, metavar="PATH",
                    help="waivers file (default: waivers/<target>.yml if present)")
    group.addoption("--authconform-strict", dest="authconform_strict", action="store_true",
                    help="robustness requirements (faults, attacks) join the gate")
    group.addoption("--require-all", dest="authconform_require_all", action="store_true",
                    help="fail the gate when a gated MUST requirement was not verified")
    group.addoption("--authconform-sources", dest="authconform_sources", default=None,
                    metavar="DIR", help="source documents to check the catalogue's bindings "
                                        "against (requirements to review)")
    group.addoption("--authconform-requirements", dest="authconform_requirements",
                    default=None, metavar="PATH",
                    help="requirement catalogue (default: <rootdir>/features/requirements.yml)")


def register(config: pytest.Config) -> ResultCollector | None:
    """Register the collector once (call from ``pytest_configure``), only when the run
    asked for reports with ``--authconform-report-dir``; ``None`` otherwise."""
    if not _option(config, "authconform_report_dir"):
        return None
    existing = config.pluginmanager.get_plugin(PLUGIN_NAME)
    if isinstance(existing, ResultCollector):
        return existing
    collector = ResultCollector(config)
    config.pluginmanager.register(collector, PLUGIN_NAME)
    # failures in the user's words; titles, hierarchy and links in Allure
    config.pluginmanager.register(failures.StepFailures(config), f"{PLUGIN_NAME}-failures")
    allure_extras.register(config, collector._catalogue_path())
    return collector


def _option(config: pytest.Config, name: str, default: Any = None) -> Any:
    try:
        value = config.getoption(name)
    except ValueError:
        return default
    return default if value is None else value


# ---------------------------------------------------------------- item facts


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
    feature_file = feature_file_name(Path(feature.filename), Path(item.config.rootpath))
    sid = f"{feature_file}::{template.name}" + (f"[{params}]" if params else "")
    # the folders and feature name allure-pytest-bdd files its results under
    try:
        folders = list(Path(feature.filename).resolve().relative_to(
            Path(item.config.rootpath).resolve()).parts[:-1])
    except ValueError:
        folders = []
    title = allure_extras.scenario_title(name, allure_extras.example_title(item))
    return {"id": sid, "feature": feature.name or feature_file, "name": name, "title": title,
            "requirements": requirements, "readings": tagged,
            "title_path": [*folders, feature.name or feature_file]}


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


def classify_phase(when: str, outcome: str, excinfo: pytest.ExceptionInfo[BaseException] | None,
                   longrepr: Any = None, wasxfail: str | None = None) -> tuple[str, str | None]:
    """Status and message of one phase (setup, call or teardown) of a scenario."""
    if outcome == "passed":
        if wasxfail is not None:  # xpass (non-strict): not evidence of conformance
            return verdict.SKIPPED, f"xpass: {wasxfail}".rstrip(": ")
        return verdict.PASSED, None
    exc = excinfo.value if excinfo is not None else None
    if isinstance(exc, CapabilityMissing):  # converted to a skip by plugin.py, or not
        return verdict.NOT_APPLICABLE, (f"{verdict.NOT_APPLICABLE_PREFIX} "
                                        f"{exc.capability.value} ({exc.operation})")
    if outcome == "skipped":
        if wasxfail is not None:
            return verdict.SKIPPED, f"xfail: {wasxfail}".rstrip(": ")
        reason = _skip_reason(exc, longrepr)
        if reason.startswith(verdict.NOT_APPLICABLE_PREFIX):
            return verdict.NOT_APPLICABLE, reason
        return verdict.SKIPPED, reason or "skipped"
    # outcome == "failed"
    message = _exception_message(excinfo, longrepr)
    if when == "call" and isinstance(exc, AssertionError):
        return verdict.FAILED, message
    if isinstance(exc, TargetError):
        return verdict.ERROR, message
    if when != "call":
        return verdict.ERROR, f"{when}: {message}"
    return verdict.ERROR, message


def _skip_reason(exc: BaseException | None, longrepr: Any) -> str:
    msg = getattr(exc, "msg", None)
    if msg is not None:
        return str(msg)
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(longrepr or "")


def _exception_message(excinfo: pytest.ExceptionInfo[BaseException] | None,
                       longrepr: Any) -> str:
    text = excinfo.exconly().strip() if excinfo is not None else str(longrepr or "").strip()
    return _clip(text or "failed without a message")


def _clip(text: str) -> str:
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def _target_info_dict(info: Any) -> dict[str, Any] | None:
    if info is None or not hasattr(info, "name"):
        return None
    caps = getattr(info, "capabilities", ()) or ()
    return {"name": str(info.name), "version": str(getattr(info, "version", "unknown")),
            "capabilities": sorted(getattr(c, "value", str(c)) for c in caps),
            "readings": {str(k): str(v) for k, v in
                         dict(getattr(info, "readings", None) or {}).items()}}


# ---------------------------------------------------------------- the collector


@dataclass
class _Pending:
    info: dict[str, Any]
    status: str = verdict.PASSED
    message: str | None = None
    duration: float = 0.0
    start: float | None = None
    stop: float | None = None
    blocked_by: str | None = None

    def fold(self, status: str, message: str | None, duration: float,
             start: float | None = None, stop: float | None = None,
             blocked_by: str | None = None) -> None:
        """Add one phase: the worst status wins; a failure keeps its own message."""
        self.duration += duration
        if start is not None:
            self.start = start if self.start is None else min(self.start, start)
        if stop is not None:
            self.stop = stop if self.stop is None else max(self.stop, stop)
        if _SEVERITY[status] <= _SEVERITY[self.status]:
            return
        if self.status in (verdict.FAILED, verdict.BLOCKED):  # then teardown broke: keep both
            self.message = f"{message}\n(after: {self.message})"
        else:
            self.message = message
        self.status = status
        self.blocked_by = blocked_by if status == verdict.BLOCKED else None


_SEVERITY = {verdict.PASSED: 0, verdict.SKIPPED: 1, verdict.NOT_APPLICABLE: 2,
             verdict.BLOCKED: 3, verdict.FAILED: 3, verdict.ERROR: 4}
_LOCAL_KEY = pytest.StashKey[_Pending]()


class ResultCollector:
    """Records every scenario; on the controller writes the reports at session end."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.is_worker = hasattr(config, "workerinput")
        self.report_dir = Path(_option(config, "authconform_report_dir", "reports")).resolve()
        self.rootpath = Path(config.rootpath)
        self.pending: dict[str, _Pending] = {}
        self.order: list[str] = []
        self.collection_errors: list[str] = []
        self.target: dict[str, Any] | None = None  # as reported (controller)
        self._target_info: dict[str, Any] | None = None  # as built here (where tests run)
        self.document: dict[str, Any] | None = None
        self.written: list[Path] = []
        self.catalogue: list[verdict.Requirement] = []
        self.waivers_path: Path | None = None
        self.levels: dict[str, str] = {}
        self._described: dict[str, dict[str, Any]] = {}
        if not self.is_worker:
            self._load_configuration()

    # -- configuration (controller): errors here are usage errors, exit code 4 -> 2

    def _catalogue_path(self) -> Path:
        given = _option(self.config, "authconform_requirements")
        return Path(given) if given else self.rootpath / "features" / "requirements.yml"

    def _load_configuration(self) -> None:
        try:
            self.catalogue = verdict.load_catalogue(self._catalogue_path())
            self.levels = {r.id: r.level for r in self.catalogue}
            given = _option(self.config, "authconform_waivers")
            if given:
                self.waivers_path = Path(given)
            else:
                sut = str(_option(self.config, "sut", "sim"))
                self.waivers_path = verdict.default_waivers_path(self.rootpath, sut)
            self.waivers = (verdict.load_waivers(
                self.waivers_path, self.levels,
                retired=verdict.load_retired(self._catalogue_path()))
                if self.waivers_path else [])
            self.sources = self._check_sources()
        except verdict.ConfigurationError as exc:
            raise pytest.UsageError(f"authconform: {exc}") from exc

    def _check_sources(self) -> dict[str, Any] | None:
        """The catalogue's bindings against the documents of ``--authconform-sources``
        (authconform.sources); a missing folder or malformed sources file is a usage
        error."""
        folder = _option(self.config, "authconform_sources")
        if not folder:
            return None
        from authconform import sources

        try:
            check = sources.check_folder(self.catalogue, self.rootpath / "features" /
                                         "sources.yml", folder)
        except sources.BindingError as exc:
            raise verdict.ConfigurationError(str(exc)) from exc
        return {**check.to_dict(), "dir": str(folder)}

    # -- where the scenario runs

    def _describe(self, item: pytest.Item) -> dict[str, Any]:
        info = self._described.get(item.nodeid)
        if info is None:
            info = self._described[item.nodeid] = describe_item(item)
        return info

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any, request: pytest.FixtureRequest) -> Any:
        """Remember the ``info`` of the first ``target`` fixture built in this process."""
        result = yield
        if fixturedef.argname == "target" and self._target_info is None:
            self._target_info = _target_info_dict(getattr(result, "info", None))
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item,
                                  call: pytest.CallInfo[None]) -> Any:
        report = yield
        info = self._describe(item)
        status, message = classify_phase(
            report.when, report.outcome, call.excinfo, report.longrepr,
            getattr(report, "wasxfail", None))
        blocked_by = None
        if status in (verdict.FAILED, verdict.ERROR) and report.when == "call":
            message = failures.user_message(item, call.excinfo) or message
            if status == verdict.FAILED:
                blocked_by = failures.precondition_owner(item, call.excinfo)
                status = verdict.BLOCKED if blocked_by else status
        stashed = item.config.stash.get(TARGET_INFO_KEY, None)
        target = _target_info_dict(stashed) if stashed is not None else self._target_info
        report.authconform = {"scenario": info, "status": status, "message": message,
                              "target": target, "blocked_by": blocked_by}
        local = item.stash.setdefault(_LOCAL_KEY, _Pending(info=info))
        local.fold(status, message, report.duration, call.start, call.stop, blocked_by)
        if report.when == "teardown":
            self._maybe_write_allure_fallback(item, local)
        return report

    def _maybe_write_allure_fallback(self, item: pytest.Item, local: _Pending) -> None:
        alluredir = _option(self.config, "allure_report_dir")
        if not alluredir:
            return
        try:
            from allure_pytest_bdd.storage import ALLURE_PYTEST_BDD_HASHKEY
        except ImportError:  # pragma: no cover
            return
        if item.stash.get(ALLURE_PYTEST_BDD_HASHKEY, None) is not None:
            return  # allure-pytest-bdd reported it
        allure_extras.write_fallback_result(
            alluredir, scenario_id=local.info["id"], feature=local.info["feature"],
            name=local.info["name"], status=local.status, message=local.message,
            trace=None, requirements=local.info["requirements"],
            title_path=local.info.get("title_path"),
            start_ms=int((local.start or time.time()) * 1000),
            stop_ms=int((local.stop or time.time()) * 1000))

    # -- where the results are gathered (controller, or the only process)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.is_worker:
            return
        data = getattr(report, "authconform", None)
        if not isinstance(data, Mapping):
            # not classified where it ran (a crashed xdist worker): fail closed
            path = report.nodeid.split("::", 1)[0]
            data = {"scenario": {"id": report.nodeid, "feature": path,
                                 "name": report.nodeid.rsplit("::", 1)[-1],
                                 "requirements": []},
                    "status": verdict.PASSED if report.outcome == "passed" else verdict.ERROR,
                    "message": _clip(f"{report.when}: {report.longreprtext or report.outcome}"),
                    "target": None}
        if data.get("target") and self.target is None:
            self.target = dict(data["target"])
        pending = self.pending.get(report.nodeid)
        if pending is None:
            pending = self.pending[report.nodeid] = _Pending(info=dict(data["scenario"]))
            self.order.append(report.nodeid)
        pending.fold(data["status"], data.get("message"),
                     float(getattr(report, "duration", 0.0) or 0.0),
                     blocked_by=data.get("blocked_by"))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed and not self.is_worker:
            text = collection_error_text(report.nodeid, report.longreprtext)
            if text not in self.collection_errors:
                self.collection_errors.append(_clip(text))

    # -- the end

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.is_worker:
            return
        self.document = self.build_document(int(exitstatus))
        self.written = self.write(self.document)

    def scenario_results(self) -> list[verdict.ScenarioResult]:
        results = []
        seen: dict[str, int] = {}
        # sorted by id, not by finishing order, so xdist runs give the same document
        for nodeid in sorted(self.order, key=lambda n: (self.pending[n].info["id"], n)):
            p = self.pending[nodeid]
            sid = p.info["id"]
            seen[sid] = seen.get(sid, 0) + 1
            if seen[sid] > 1:  # two scenarios with one name in a feature file
                sid = f"{sid} #{seen[sid]}"
            message = p.message
            if p.status != verdict.PASSED and not message:
                message = p.status
            results.append(verdict.ScenarioResult(
                id=sid, feature=p.info["feature"], name=p.info["name"], status=p.status,
                title=p.info.get("title"),
                requirements=tuple(p.info["requirements"]), duration_s=p.duration,
                message=message, blocked_by=p.blocked_by,
                readings={r: tuple(vs) for r, vs in p.info.get("readings", {}).items()}))
        return results

    def run_info(self, exitstatus: int | None) -> verdict.RunInfo:
        target = self.target or {}
        seed = _option(self.config, "seed")
        try:
            seed = None if seed is None else int(seed)
        except (TypeError, ValueError):
            seed = None
        from authconform.plugin import PORT_VERSION_KEY

        port_version, port_note = self.config.stash.get(PORT_VERSION_KEY, ("", None))
        return verdict.RunInfo(
            target_name=str(target.get("name") or _option(self.config, "sut", "sim")),
            port_version=port_version, port_note=port_note,
            target_version=str(target.get("version", "unknown")),
            capabilities=tuple(target.get("capabilities", ())),
            mutant=_option(self.config, "mutant"),
            profile=str(_option(self.config, "profile", "current")),
            seed=seed,
            selection=self.selection(),
            collection_errors=tuple(self.collection_errors),
            pytest_exit_status=exitstatus,
            strict=bool(_option(self.config, "authconform_strict", False)),
            require_all=bool(_option(self.config, "authconform_require_all", False)),
            shard=_shard(self.config),
            suite=suite_fingerprints(self._catalogue_path(), self.rootpath / "features"),
            sources=getattr(self, "sources", None),
            readings=dict(target.get("readings", {})),
        )

    def selection(self) -> str:
        """``partial`` when the run was narrowed by -k, -m or node ids."""
        opt = self.config.option
        if getattr(opt, "keyword", "") or getattr(opt, "markexpr", ""):
            return "partial"
        if getattr(opt, "deselect", None) or getattr(opt, "lf", False):
            return "partial"
        if any("::" in str(arg) or str(arg).endswith(".feature") for arg in self.config.args):
            return "partial"  # node ids, or run --feature FILE
        return "full"

    def build_document(self, exitstatus: int | None) -> dict[str, Any]:
        today_text = os.environ.get(TODAY_ENV)
        today = dt.date.fromisoformat(today_text) if today_text else dt.date.today()
        return verdict.build_document(
            self.catalogue, self.scenario_results(), self.run_info(exitstatus),
            getattr(self, "waivers", []), today=today,
            generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0))

    def write(self, doc: dict[str, Any]) -> list[Path]:
        out = self.report_dir
        out.mkdir(parents=True, exist_ok=True)
        problems = verdict.validate_document(doc)
        written = []
        target = out / "conformance.json"
        if problems:  # fail closed: no conformance.json means exit code 3
            target.unlink(missing_ok=True)
            target = out / "conformance.invalid.json"
            doc = {**doc, "schema_errors": problems}
        target.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        written.append(target)
        written.append(write_junit(doc, out / "junit.xml"))
        (out / "summary.md").write_text(render_summary(doc), encoding="utf-8")
        written.append(out / "summary.md")
        alluredir = _option(self.config, "allure_report_dir")
        if alluredir:
            written += write_allure_extras(alluredir, doc)
        return written

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker or self.document is None:
            return
        doc = self.document
        t = doc["totals"]["scenarios"]
        terminalreporter.write_sep("-", "authconform")
        terminalreporter.write_line(
            f"verdict: {verdict.scope_prefix(doc)}{doc['verdict']} ({t['passed']} passed, "
            f"{t['failed']} failed, {t['blocked']} blocked, {t['error']} error, "
            f"{t['not-applicable']} "
            f"not-applicable, {t['skipped']} skipped)")
        terminalreporter.write_line(f"coverage: {verdict.coverage_line(doc)}")
        terminalreporter.write_line(verdict.robustness_line(doc))
        if doc["target"].get("port_note"):
            terminalreporter.write_line(f"port version: {doc['target']['port_note']}")
        if doc.get("readings"):
            terminalreporter.write_line(f"readings: {verdict.readings_line(doc)}")
        if "sources" in doc:
            terminalreporter.write_line(f"sources: {verdict.sources_line(doc)}")
        for line in terminal_lines(doc):
            terminalreporter.write_line(line)
        for path in self.written:
            terminalreporter.write_line(f"wrote {path}")


SHOWN = 10  # reasons and failing scenarios listed in the terminal; summary.md has all
NOT_PASSING = (verdict.FAILED, verdict.BLOCKED, verdict.ERROR)  # listed one by one


def _status_words(scenario: Mapping[str, Any]) -> str:
    """``failed``, ``error`` or ``blocked by REQ-X``."""
    if scenario["status"] == verdict.BLOCKED:
        return f"blocked by {scenario['blocked_by']}"
    return str(scenario["status"])


def _more(count: int) -> list[str]:
    return [f"  ... and {count - SHOWN} more (summary.md)"] if count > SHOWN else []


def scenario_where(scenario: Mapping[str, Any]) -> str:
    """``features/backup.feature:41, scenario "..." (iPhone)`` from a failure told in
    the user's words (failures.render), else the scenario's id."""
    for line in str(scenario.get("message") or "").splitlines()[1:2]:
        if line.startswith("  at "):
            return line.removeprefix("  at ")
    return str(scenario["id"])


def terminal_lines(doc: Mapping[str, Any]) -> list[str]:
    """The reasons, then the scenarios that failed or errored, where they are in the
    feature files; at most ``SHOWN`` of each."""
    reasons = list(doc["reasons"])
    lines = [f"  - {reason}" for reason in reasons[:SHOWN]] + _more(len(reasons))
    bad = [s for s in doc["scenarios"] if s["status"] in NOT_PASSING]
    if bad:
        lines.append("scenarios that did not pass:")
        lines += [f"  {_status_words(s)}: {scenario_where(s)}" for s in bad[:SHOWN]]
        lines += _more(len(bad))
    return lines


def write_allure_extras(alluredir: str | Path, doc: Mapping[str, Any]) -> list[Path]:
    """The Allure categories and the environment panel (run facts, verdict, coverage,
    the robustness grade and the readings) next to the results, and the scenarios of a
    reading the target was not found to follow shown as not-applicable."""
    allure_extras.sync_reading_statuses(alluredir, doc)
    return [allure_extras.write_categories(alluredir),
            allure_extras.write_environment(alluredir, {
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


def _shard(config: pytest.Config) -> tuple[int, int] | None:
    shard = _option(config, "authconform_shard")
    return (int(shard[0]), int(shard[1])) if shard else None


def suite_fingerprints(catalogue: Path, features: Path) -> dict[str, str]:
    """SHA-256 of the catalogue and of every feature file (path and bytes), so that
    ``authconform merge`` can refuse shards run from different suites."""
    import hashlib

    out = {}
    if catalogue.is_file():
        out["catalogue_sha256"] = hashlib.sha256(catalogue.read_bytes()).hexdigest()
    if features.is_dir():
        digest = hashlib.sha256()
        for path in sorted(features.rglob("*.feature")):
            digest.update(path.relative_to(features).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
        out["features_sha256"] = digest.hexdigest()
    return out


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"


def collection_error_text(nodeid: str, longrepr: str) -> str:
    """A collection error as ``<where>: <what>``. A malformed feature file already says
    ``features/x.feature:5: ...`` (plugin.FeatureFile); anything else gets its node id."""
    text = longrepr.strip()
    where = nodeid or "<session>"
    return text if text.startswith(f"{where}:") else f"{where}: {text}"


# ---------------------------------------------------------------- junit.xml


def write_junit(doc: Mapping[str, Any], path: Path) -> Path:
    """Every scenario as a testcase: failed -> <failure>, blocked -> <failure
    type="blocked"> naming the requirement charged with it, error -> <error>,
    not-applicable and skipped -> <skipped message=...>."""
    scenarios = doc["scenarios"]
    totals = doc["totals"]["scenarios"]
    suite = ET.Element("testsuite", {
        "name": f"authconform {doc['target']['name']} ({doc['profile']})",
        "tests": str(totals["total"]),
        "failures": str(totals["failed"] + totals["blocked"]),
        "errors": str(totals["error"]),
        "skipped": str(totals["skipped"] + totals["not-applicable"]),
        "time": f"{sum(s['duration_s'] for s in scenarios):.3f}",
        "timestamp": doc["generated_at"],
    })
    props = ET.SubElement(suite, "properties")
    for key, value in (("verdict", doc["verdict"]), ("target", doc["target"]["name"]),
                       ("target.version", doc["target"]["version"]),
                       ("profile", doc["profile"]), ("seed", doc["seed"]),
                       ("selection", doc["selection"]),
                       ("coverage", verdict.coverage_line(doc)),
                       ("robustness", verdict.robustness_line(doc)),
                       ("readings", verdict.readings_line(doc)),
                       *((("sources", verdict.sources_line(doc)),) if "sources" in doc else ())):
        ET.SubElement(props, "property", {"name": key, "value": str(value)})
    for s in scenarios:
        case = ET.SubElement(suite, "testcase", {
            "classname": s["id"].split("::", 1)[0], "name": s["id"].split("::", 1)[-1],
            "time": f"{s['duration_s']:.3f}"})
        if s["requirements"]:
            cprops = ET.SubElement(case, "properties")
            for rid in s["requirements"]:
                ET.SubElement(cprops, "property", {"name": "requirement", "value": rid})
        message = s.get("message", "")
        first = message.splitlines()[0] if message else ""
        if s["status"] == verdict.FAILED:
            ET.SubElement(case, "failure", {"message": first, "type": "non-conformance"}
                          ).text = message
        elif s["status"] == verdict.BLOCKED:  # it did fail, in another's precondition
            ET.SubElement(case, "failure", {"message": f"blocked by {s['blocked_by']}: {first}",
                                            "type": "blocked"}).text = message
        elif s["status"] == verdict.ERROR:
            ET.SubElement(case, "error", {"message": first, "type": "error"}).text = message
        elif s["status"] == verdict.NOT_APPLICABLE:
            ET.SubElement(case, "skipped", {"message": message, "type": "not-applicable"})
        elif s["status"] == verdict.SKIPPED:
            ET.SubElement(case, "skipped", {"message": message, "type": "skipped"})
    root = ET.Element("testsuites", {"name": "authconform"})
    root.append(suite)
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


# ---------------------------------------------------------------- summary.md

_ICON = {"conformant": "✅", "non-conformant": "❌", "error": "💥", "review": "🔎",
         "passed": "✅", "failed": "❌", "error-status": "💥", "waived": "🟡", "blocked": "⛔",
         "not-applicable": "⬜", "uncovered": "⚠️", "skipped": "⏭️"}


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def summary_grades(doc: Mapping[str, Any]) -> list[str]:
    """What the verdict covers and the robustness grade beside it."""
    scope = verdict.scope_prefix(doc)
    lines = [f"**Coverage:** {_md(scope + verdict.coverage_line(doc))}", ""]
    c = doc["coverage"]
    if c["unverified"]:
        by_reason: dict[str, list[str]] = {}
        for req in doc["requirements"]:
            if req["id"] in c["unverified"]:
                for because in req.get("unverified_because", ["unverified"]):
                    by_reason.setdefault(because, []).append(req["id"])
        lines += ["| Unverified because | Documented MUST requirements |", "|---|---|"]
        lines += [f"| {_md(because)} | {', '.join(ids)} |"
                  for because, ids in sorted(by_reason.items(), key=lambda kv: -len(kv[1]))]
        lines.append("")
    lines += [f"**Robustness** (harness-added faults and attacks): "
              f"{_md(verdict.robustness_line(doc).removeprefix('robustness '))}", ""]
    return lines


def summary_sources(doc: Mapping[str, Any]) -> list[str]:
    """The source documents' coverage, what changed and the requirements to review."""
    check = doc["sources"]
    lines = ["### Source documents", "",
             "| Document | Paragraphs | Bound | No behaviour | Uncovered |",
             "|---|---:|---:|---:|---:|"]
    lines += [f"| {_md(d['doc'])} | {d['paragraphs']} | {d['bound']} | {d['no_behaviour']} "
              f"| {len(d['uncovered'])} |" for d in check["documents"]]
    lines.append("")
    if check["review"]:
        lines += ["| Requirement to review | What changed in its passages |", "|---|---|"]
        lines += [f"| {rid} | {'<br>'.join(_md(c) for c in changes)} |"
                  for rid, changes in sorted(check["review"].items())]
        lines.append("")
    others = [f"- uncovered: {_md(u)}" for d in check["documents"] for u in d["uncovered"]]
    others += [f"- {_md(p)}" for p in check["problems"]]
    if others:
        lines += [*others, ""]
    if check["status"] == "current" and not check["problems"]:
        lines += ["Every bound passage still matches its fingerprint.", ""]
    return lines


def render_summary(doc: Mapping[str, Any]) -> str:
    """A Markdown summary for a CI job page ($GITHUB_STEP_SUMMARY)."""
    v = doc["verdict"]
    target = doc["target"]
    mutant = f", mutant `{target['mutant']}`" if target.get("mutant") else ""
    lines = [
        f"## {_ICON.get(v, '')} Conformance: **{v}**", "",
        f"Target `{target['name']}` {target['version']}{mutant} · profile `{doc['profile']}` · "
        f"seed `{doc['seed']}` · selection `{doc['selection']}`", "",
    ]
    if target.get("port_note"):
        lines += [f"**Port version:** {_md(target['port_note'])}", ""]
    lines += summary_grades(doc)
    if doc.get("readings"):
        lines += ["**Readings** (documented ambiguities; an undeclared one is found from the "
                  "run):", ""]
        lines += [f"- {_md(verdict.reading_words(name, e))}"
                  for name, e in doc["readings"].items()] + [""]
    if doc["reasons"]:
        lines += ["**Why:**", ""] + [f"- {_md(r)}" for r in doc["reasons"]] + [""]
    ts, tr = doc["totals"]["scenarios"], doc["totals"]["requirements"]
    lines += ["| Scenarios | passed | failed | blocked | error | not-applicable | skipped "
              "| total |",
              "|---|---:|---:|---:|---:|---:|---:|---:|",
              f"| | {ts['passed']} | {ts['failed']} | {ts['blocked']} | {ts['error']} "
              f"| {ts['not-applicable']} | {ts['skipped']} | {ts['total']} |", ""]
    if doc["totals"].get("exploratory"):
        lines += [f"{doc['totals']['exploratory']} of these scenarios are exploratory "
                  "(tagged @exploratory): they check no catalogued requirement and count "
                  "towards no coverage.", ""]
    lines += ["| Requirements | passed | failed | error | blocked | waived | not-applicable "
              "| uncovered | total |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
              f"| | {tr['passed']} | {tr['failed']} | {tr['error']} | {tr['blocked']} "
              f"| {tr['waived']} | {tr['not-applicable']} | {tr['uncovered']} "
              f"| {tr['total']} |", ""]
    if doc["requirements"]:
        lines += ["### Requirements", "",
                  "| Requirement | Level | Status | Scenarios | Summary |",
                  "|---|---|---|---:|---|"]
        for r in doc["requirements"]:
            icon = _ICON["error-status"] if r["status"] == "error" else _ICON.get(r["status"], "")
            notes = []
            if r.get("waiver"):
                w = r["waiver"]
                notes.append(f"(waiver {w['state']}, {w['owner']}, until {w['expires']})")
            if r.get("missing_capabilities"):
                notes.append(f"(needs {', '.join(r['missing_capabilities'])})")
            if r.get("blocked_by") and r["status"] == verdict.BLOCKED:
                notes.append(f"by {', '.join(r['blocked_by'])}")
            if r.get("precondition_failures"):
                count = len(r["precondition_failures"])
                notes.append(f"(also in {count} precondition{'s' if count > 1 else ''} "
                             "of other scenarios)")
            if r.get("review"):
                notes.append(f"{_ICON['review']} review: source changed")
            status = _md(" ".join([icon, r["status"], *notes]))
            level = r["level"] + (" (robustness)" if r.get("kind") == verdict.ROBUSTNESS else "")
            lines.append(f"| {r['id']} | {level} | {status} | "
                         f"{len(r['scenarios'])} | {_md(r['summary'])} |")
        lines.append("")
    bad = [s for s in doc["scenarios"] if s["status"] in NOT_PASSING]
    if bad:
        lines += ["### Failing scenarios", "", "| Scenario | Status | Requirements | Message |",
                  "|---|---|---|---|"]
        for s in bad:  # the user-facing record keeps its lines (step, where, answer)
            msg = "<br>".join(_md(line) for line in s.get("message", "").splitlines())
            if len(msg) > 600:
                msg = msg[:599] + "…"
            title = s.get("title") or s["name"]
            lines.append(f"| {_md(title)} ({_md(s['id'].split('::', 1)[0])}) | {_status_words(s)} "
                         f"| {', '.join(s['requirements'])} | {msg} |")
        lines.append("")
    if "sources" in doc:
        lines += summary_sources(doc)
    w = doc["waivers"]
    if w["expired"] or w["stale"]:
        lines += ["### Waivers to fix", ""]
        lines += [f"- expired: {x['requirement']} ({x['owner']}, {x['expires']})"
                  for x in w["expired"]]
        lines += [f"- stale (requirement passes): {x['requirement']} ({x['owner']})"
                  for x in w["stale"]]
        lines.append("")
    if doc["unverified"]:
        lines += [f"Unverified for missing capabilities: {', '.join(doc['unverified'])}", ""]
    if doc["harness"]["collection_errors"]:
        lines += ["### Collection errors", ""]
        lines += [f"- `{_md(e)[:300]}`" for e in doc["harness"]["collection_errors"]] + [""]
    return "\n".join(lines)
