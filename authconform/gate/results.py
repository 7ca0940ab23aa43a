"""The results plugin: one record per scenario, then conformance.json in the report
directory, and the ``pytest_authconform_document`` hook (``hooks``) through which the
reports are made from it (``authconform.report.plugin``: junit.xml, summary.md, the
Allure files).

Wiring (plugin.py)::

    from authconform.gate import results

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
  another requirement's behaviour (authconform.gate.preconditions): ``blocked_by`` names
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
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from authconform.gate import allure_live, failures, hooks, verdict
from authconform.gate.document import write_document
from authconform.gate.items import describe_item
from authconform.gate.waivers import TODAY_ENV, default_waivers_path, load_waivers
from authconform.port import CapabilityMissing, TargetError, TargetInfo
from authconform.spec.catalogue import (
    NOT_APPLICABLE_PREFIX,
    ConfigurationError,
    Requirement,
    load_catalogue,
    load_retired,
)

PLUGIN_NAME = "authconform-results"
MESSAGE_LIMIT = 2000

# plugin.py may store the started adapter's TargetInfo here; otherwise the collector
# reads ``info`` from the ``target`` fixture of the first scenario that used it.
TARGET_INFO_KEY = pytest.StashKey[TargetInfo]()
# the port version the target declared and the note on it (set by the plugin at start-up)
PORT_VERSION_KEY = pytest.StashKey[tuple[str, str | None]]()


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
    hooks.add_to(config.pluginmanager)  # the reports' hook, called once the document is written
    existing = config.pluginmanager.get_plugin(PLUGIN_NAME)
    if isinstance(existing, ResultCollector):
        return existing
    collector = ResultCollector(config)
    config.pluginmanager.register(collector, PLUGIN_NAME)
    # failures in the user's words; titles, hierarchy and links in Allure
    config.pluginmanager.register(failures.StepFailures(config), f"{PLUGIN_NAME}-failures")
    allure_live.register(config, collector._catalogue_path())
    return collector


def _option(config: pytest.Config, name: str, default: Any = None) -> Any:
    try:
        value = config.getoption(name)
    except ValueError:
        return default
    return default if value is None else value


# ---------------------------------------------------------------- item facts








def classify_phase(when: str, outcome: str, excinfo: pytest.ExceptionInfo[BaseException] | None,
                   longrepr: Any = None, wasxfail: str | None = None) -> tuple[str, str | None]:
    """Status and message of one phase (setup, call or teardown) of a scenario."""
    if outcome == "passed":
        if wasxfail is not None:  # xpass (non-strict): not evidence of conformance
            return verdict.SKIPPED, f"xpass: {wasxfail}".rstrip(": ")
        return verdict.PASSED, None
    exc = excinfo.value if excinfo is not None else None
    if isinstance(exc, CapabilityMissing):  # converted to a skip by plugin.py, or not
        return verdict.NOT_APPLICABLE, (f"{NOT_APPLICABLE_PREFIX} "
                                        f"{exc.capability.value} ({exc.operation})")
    if outcome == "skipped":
        if wasxfail is not None:
            return verdict.SKIPPED, f"xfail: {wasxfail}".rstrip(": ")
        reason = _skip_reason(exc, longrepr)
        if reason.startswith(NOT_APPLICABLE_PREFIX):
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
        self.catalogue: list[Requirement] = []
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
            self.catalogue = load_catalogue(self._catalogue_path())
            self.levels = {r.id: r.level for r in self.catalogue}
            given = _option(self.config, "authconform_waivers")
            if given:
                self.waivers_path = Path(given)
            else:
                sut = str(_option(self.config, "sut", "sim"))
                self.waivers_path = default_waivers_path(self.rootpath, sut)
            self.waivers = (load_waivers(
                self.waivers_path, self.levels,
                retired=load_retired(self._catalogue_path()))
                if self.waivers_path else [])
            self.sources = self._check_sources()
        except ConfigurationError as exc:
            raise pytest.UsageError(f"authconform: {exc}") from exc

    def _check_sources(self) -> dict[str, Any] | None:
        """The catalogue's bindings against the documents of ``--authconform-sources``
        (authconform.spec.sources); a missing folder or malformed sources file is a usage
        error."""
        folder = _option(self.config, "authconform_sources")
        if not folder:
            return None
        from authconform.spec import sources

        try:
            check = sources.check_folder(self.catalogue, self.rootpath / "features" /
                                         "sources.yml", folder)
        except sources.BindingError as exc:
            raise ConfigurationError(str(exc)) from exc
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
        allure_live.write_fallback_result(
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
        """conformance.json (authconform.gate.document), then every report made from it:
        the ``pytest_authconform_document`` hook (authconform.report implements it)."""
        written = [write_document(doc, self.report_dir)]
        alluredir = _option(self.config, "allure_report_dir")
        for paths in self.config.hook.pytest_authconform_document(
                config=self.config, document=doc, report_dir=self.report_dir,
                alluredir=Path(alluredir) if alluredir else None):
            written += paths
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




def _more(count: int) -> list[str]:
    return [f"  ... and {count - SHOWN} more (summary.md)"] if count > SHOWN else []




def terminal_lines(doc: Mapping[str, Any]) -> list[str]:
    """The reasons, then the scenarios that failed or errored, where they are in the
    feature files; at most ``SHOWN`` of each."""
    reasons = list(doc["reasons"])
    lines = [f"  - {reason}" for reason in reasons[:SHOWN]] + _more(len(reasons))
    bad = [s for s in doc["scenarios"] if s["status"] in verdict.NOT_PASSING]
    if bad:
        lines.append("scenarios that did not pass:")
        lines += [f"  {verdict.status_words(s)}: {verdict.scenario_where(s)}" for s in bad[:SHOWN]]
        lines += _more(len(bad))
    return lines




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




def collection_error_text(nodeid: str, longrepr: str) -> str:
    """A collection error as ``<where>: <what>``. A malformed feature file already says
    ``features/x.feature:5: ...`` (plugin.FeatureFile); anything else gets its node id."""
    text = longrepr.strip()
    where = nodeid or "<session>"
    return text if text.startswith(f"{where}:") else f"{where}: {text}"


# ---------------------------------------------------------------- junit.xml




# ---------------------------------------------------------------- summary.md









