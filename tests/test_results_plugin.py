"""The results collector (authconform.gate.results) on a tiny self-contained suite.

The suite below has one scenario per status the gate knows, so each test can check that
a pass, an assertion failure, a missing capability, a plain skip, a TargetError, a
broken fixture set-up and a broken teardown each end up with the right status in
conformance.json, junit.xml, summary.md and the Allure results -- with and without
pytest-xdist. ``write_suite`` is also used by tests/test_cli.py and
tests/test_report_render.py.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from authconform.gate import allure_live, items, results, verdict
from authconform.gate.pytest_args import SUITE_PLUGIN_ARGS
from authconform.port import Capability, CapabilityMissing, TargetError

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parent.parent

REQUIREMENTS = """\
requirements:
  - {id: REQ-DEMO-01, area: DEMO, level: MUST, profiles: [current, "2019"],
     summary: Backup can be turned on, sources: [{doc: a.txt, section: Intro}]}
  - {id: REQ-DEMO-02, area: DEMO, level: MUST, profiles: [current],
     summary: Recovery restores accounts, sources: [{doc: a.txt, section: Recover}]}
  - {id: REQ-DEMO-03, area: DEMO, level: MUST, profiles: [current],
     summary: Codes follow the clock, sources: [{doc: a.txt, section: Codes}]}
  - {id: REQ-DEMO-04, area: DEMO, level: SHOULD, profiles: [current],
     summary: Camera prompt shown, sources: [{doc: a.txt, section: Camera}]}
  - {id: REQ-DEMO-05, area: DEMO, level: MUST, profiles: [current],
     summary: The store answers, sources: [{doc: a.txt, section: Store}]}
  - {id: REQ-DEMO-06, area: DEMO, level: MUST, profiles: [current],
     summary: Set-up and clean-up work, sources: [{doc: a.txt, section: Life}]}
"""

FEATURE = """\
Feature: Demo backup
  @REQ-DEMO-01
  Scenario: backup turns on
    Given a phone
    Then backup is on

  @REQ-DEMO-02 @negative
  Scenario: recovery restores nothing
    Given a phone
    Then the restored count is 1

  @REQ-DEMO-03
  Scenario: codes expire with the clock
    Given a phone
    When the clock moves on
    Then backup is on

  @REQ-DEMO-03
  Scenario: codes expire without the guard
    Given a phone
    When the clock moves on unconverted
    Then backup is on

  @REQ-DEMO-04
  Scenario: camera prompt
    Given a phone
    When the test skips itself
    Then backup is on

  @REQ-DEMO-05
  Scenario: store breaks
    Given a phone
    When the store breaks
    Then backup is on

  @REQ-DEMO-06 @setup_boom
  Scenario: set-up breaks
    Given a phone
    Then backup is on

  @REQ-DEMO-06 @teardown_boom
  Scenario: clean-up breaks
    Given a phone
    Then backup is on

  @REQ-DEMO-01
  Scenario Outline: several phones <platform>
    Given a phone
    Then backup is on

    Examples:
      | platform |
      | ios      |
      | android  |

  # names no requirement: exploratory, or the gate refuses it (authconform.authoring.stepcheck)
  @exploratory
  Scenario: an untagged scenario
    Given a phone
    Then backup is on
"""

CONFTEST = """\
import pytest

from authconform.gate import results
from authconform.gate.plugin import pytest_collect_file  # every features/*.feature is collected
from authconform.port import Capability, CapabilityMissing, TargetInfo

REQUIREMENTS = ["REQ-DEMO-0%d" % n for n in range(1, 7)]
pytest_plugins = ["demo_steps", "authconform.report.plugin"]  # the reports, as conftest.py


def pytest_addoption(parser):
    group = parser.getgroup("mini")
    group.addoption("--sut", default="mini")
    group.addoption("--profile", default="current")
    group.addoption("--seed", type=int, default=7)
    group.addoption("--mutant", default=None)
    group.addoption("--op-timeout", type=float, default=10.0)
    results.addoption(parser)


def pytest_configure(config):
    if config.getoption("--sut") != "mini":
        raise pytest.UsageError("unknown adapter %r" % config.getoption("--sut"))
    for rid in REQUIREMENTS:
        config.addinivalue_line("markers", rid + ": demo requirement")
    for name in ("negative", "exploratory", "setup_boom", "teardown_boom"):
        config.addinivalue_line("markers", name + ": demo tag")
    results.register(config)


class Target:
    info = TargetInfo("mini", "1.2.3", frozenset({Capability.MESSAGES}), "current")


@pytest.fixture
def target():
    return Target()


@pytest.fixture(autouse=True)
def lifecycle(request):
    if request.node.get_closest_marker("setup_boom"):
        raise RuntimeError("fixture set-up exploded")
    yield
    if request.node.get_closest_marker("teardown_boom"):
        raise RuntimeError("fixture clean-up exploded")


# As authconform/gate/plugin.py does: a missing capability becomes a not-applicable skip,
# except for the scenario that checks the collector copes without the conversion.
@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    exc = call.excinfo.value if call.excinfo is not None else None
    if isinstance(exc, CapabilityMissing) and "unconverted" not in item.name:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), 0, "not-applicable: %s" % exc)
    return report
"""

STEPS = """\
import pytest
from pytest_bdd import given, parsers, then, when

from authconform.gate.allure_live import attach_json, attach_png
from authconform.port import Capability, CapabilityMissing, TargetError

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@given("a phone", target_fixture="phone")
def _(target):
    phone = {"backup": True, "restored": 0}
    attach_json("phone", phone)
    attach_png("screen", PNG)
    return phone


@when("the clock moves on")
def _():
    raise CapabilityMissing(Capability.CLOCK, "advance_clock")


@when("the clock moves on unconverted")
def _():
    raise CapabilityMissing(Capability.CLOCK, "advance_clock")


@when("the test skips itself")
def _():
    pytest.skip("device farm offline")


@when("the store breaks")
def _():
    raise TargetError("mini", "turn_on_backup", "connection reset")


@then("backup is on")
def _(phone):
    assert phone["backup"]


@then(parsers.parse("the restored count is {n:d}"))
def _(phone, n):
    assert phone["restored"] == n, "expected %d restored accounts" % n
"""

EXPECTED = {
    "demo.feature::backup turns on": "passed",
    "demo.feature::recovery restores nothing": "failed",
    "demo.feature::codes expire with the clock": "not-applicable",
    "demo.feature::codes expire without the guard": "not-applicable",
    "demo.feature::camera prompt": "skipped",
    "demo.feature::store breaks": "error",
    "demo.feature::set-up breaks": "error",
    "demo.feature::clean-up breaks": "error",
    "demo.feature::several phones <platform>[ios]": "passed",
    "demo.feature::several phones <platform>[android]": "passed",
    "demo.feature::an untagged scenario": "passed",
}


def write_suite(root: Path) -> Path:
    """The tiny suite as a repository: features/, steps/, conftest.py."""
    (root / "features").mkdir(parents=True, exist_ok=True)
    (root / "steps").mkdir(exist_ok=True)
    (root / "features" / "requirements.yml").write_text(REQUIREMENTS)
    (root / "features" / "demo.feature").write_text(FEATURE)
    (root / "demo_steps.py").write_text(STEPS)
    (root / "conftest.py").write_text(CONFTEST)
    return root


# Only the plugins the suite needs, as a gate run loads them: the others installed
# (hypothesis, faker, schemathesis) take seconds to import in every subprocess.
PLUGINS = SUITE_PLUGIN_ARGS


def isolate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.delenv(results.TODAY_ENV, raising=False)


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    isolate(monkeypatch)
    write_suite(pytester.path)
    return pytester


def run(suite: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict]:
    result = suite.runpytest_subprocess(
        "features", *PLUGINS, "-p", "no:cacheprovider", "--strict-markers",
        "--authconform-report-dir", "out", *args)
    path = suite.path / "out" / "conformance.json"
    assert path.is_file(), result.stdout.str() + result.stderr.str()
    doc = json.loads(path.read_text())
    assert verdict.validate_document(doc) == []
    return result, doc


def statuses(doc: dict) -> dict[str, str]:
    return {s["id"]: s["status"] for s in doc["scenarios"]}


# ---------------------------------------------------------------- statuses


def test_every_scenario_gets_the_right_status(suite):
    result, doc = run(suite)
    assert statuses(doc) == EXPECTED
    assert doc["verdict"] == "error"
    assert doc["target"] == {"name": "mini", "version": "1.2.3", "capabilities": ["messages"]}
    assert (doc["profile"], doc["seed"], doc["selection"]) == ("current", 7, "full")
    assert "verdict: error" in result.stdout.str()


def test_messages_say_why_a_scenario_did_not_pass(suite):
    _, doc = run(suite)
    by_id = {s["id"]: s for s in doc["scenarios"]}
    assert "expected 1 restored accounts" in by_id["demo.feature::recovery restores nothing"][
        "message"]
    assert by_id["demo.feature::codes expire with the clock"]["message"].startswith(
        "not-applicable:")
    assert by_id["demo.feature::codes expire without the guard"]["message"] == (
        "not-applicable: clock (advance_clock)")
    assert by_id["demo.feature::camera prompt"]["message"] == "device farm offline"
    assert "TargetError" in by_id["demo.feature::store breaks"]["message"]
    assert by_id["demo.feature::set-up breaks"]["message"].startswith("setup: RuntimeError")
    assert "teardown: RuntimeError" in by_id["demo.feature::clean-up breaks"]["message"]
    assert "message" not in by_id["demo.feature::backup turns on"]


def test_requirements_are_judged_from_their_scenarios(suite):
    _, doc = run(suite)
    reqs = {r["id"]: r for r in doc["requirements"]}
    assert {k: v["status"] for k, v in reqs.items()} == {
        "REQ-DEMO-01": "passed", "REQ-DEMO-02": "failed", "REQ-DEMO-03": "not-applicable",
        "REQ-DEMO-04": "uncovered", "REQ-DEMO-05": "error", "REQ-DEMO-06": "error"}
    assert reqs["REQ-DEMO-01"]["scenarios"] == [
        "demo.feature::backup turns on", "demo.feature::several phones <platform>[android]",
        "demo.feature::several phones <platform>[ios]"]
    assert doc["unverified"] == ["REQ-DEMO-03"]
    assert reqs["REQ-DEMO-03"]["missing_capabilities"] == ["clock"]
    scenario = next(s for s in doc["scenarios"] if s["id"] == "demo.feature::backup turns on")
    assert scenario["requirements"] == ["REQ-DEMO-01"]
    assert scenario["duration_s"] >= 0


def test_results_are_the_same_with_xdist_and_only_the_controller_writes(suite):
    result, doc = run(suite, "-n", "2")
    assert statuses(doc) == EXPECTED
    assert doc["target"]["version"] == "1.2.3", "target info travels from the workers"
    assert sorted(p.name for p in (suite.path / "out").iterdir()) == [
        "conformance.json", "junit.xml", "summary.md"]
    assert "gw0" in result.stdout.str() or "2 workers" in result.stdout.str()


def test_a_narrowed_run_is_partial_and_does_not_fail_on_uncovered(suite):
    _, doc = run(suite, "-k", "backup_turns_on or several_phones")
    assert doc["selection"] == "partial"
    assert set(statuses(doc).values()) == {"passed"}
    assert doc["verdict"] == "conformant"


def test_a_failed_must_requirement_alone_is_non_conformant(suite):
    _, doc = run(suite, "-k", "recovery_restores_nothing or backup_turns_on")
    assert doc["verdict"] == "non-conformant"
    assert "MUST requirement REQ-DEMO-02 failed" in doc["reasons"]


def test_no_reports_without_a_report_dir(suite):
    result = suite.runpytest_subprocess("features", *PLUGINS, "-p", "no:cacheprovider",
                                        "-k", "backup")
    result.assert_outcomes(passed=1)
    assert not (suite.path / "out").exists()
    assert "authconform" not in result.stdout.str()


# ---------------------------------------------------------------- waivers


def test_waiver_from_the_default_path_applies(suite):
    (suite.path / "waivers").mkdir()
    (suite.path / "waivers" / "mini.yml").write_text(
        "- {requirement: REQ-DEMO-02, reason: vendor bug 42, owner: qa, expires: 2999-01-01}\n")
    _, doc = run(suite, "-k", "recovery_restores_nothing or backup_turns_on")
    assert doc["verdict"] == "conformant"
    assert [w["requirement"] for w in doc["waivers"]["applied"]] == ["REQ-DEMO-02"]


def test_expired_waiver_uses_the_pinned_today(suite, monkeypatch):
    (suite.path / "w.yml").write_text(
        "- {requirement: REQ-DEMO-02, reason: bug, owner: qa, expires: 2025-01-31}\n")
    monkeypatch.setenv(results.TODAY_ENV, "2025-01-31")
    _, doc = run(suite, "--waivers", "w.yml", "-k", "recovery_restores_nothing")
    assert doc["verdict"] == "conformant"
    monkeypatch.setenv(results.TODAY_ENV, "2025-02-01")
    _, doc = run(suite, "--waivers", "w.yml", "-k", "recovery_restores_nothing")
    assert doc["verdict"] == "non-conformant"
    assert doc["waivers"]["expired"][0]["requirement"] == "REQ-DEMO-02"


def test_unknown_requirement_in_waivers_is_a_usage_error(suite):
    (suite.path / "w.yml").write_text(
        "- {requirement: REQ-NOPE-01, reason: r, owner: o, expires: 2999-01-01}\n")
    result = suite.runpytest_subprocess("features", *PLUGINS, "-p", "no:cacheprovider",
                                        "--authconform-report-dir", "out", "--waivers", "w.yml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "unknown requirement 'REQ-NOPE-01'" in result.stderr.str()


# ---------------------------------------------------------------- junit and summary


def test_junit_lists_every_scenario_with_its_status(suite):
    run(suite)
    root = ET.parse(suite.path / "out" / "junit.xml").getroot()
    cases = {f"{c.get('classname')}::{c.get('name')}": c for c in root.iter("testcase")}
    assert set(cases) == set(EXPECTED)

    def kind(case):
        children = [e.tag for e in case if e.tag != "properties"]
        return children[0] if children else "passed"

    assert kind(cases["demo.feature::recovery restores nothing"]) == "failure"
    assert kind(cases["demo.feature::store breaks"]) == "error"
    assert kind(cases["demo.feature::set-up breaks"]) == "error"
    na = cases["demo.feature::codes expire with the clock"].find("skipped")
    assert na is not None and na.get("message").startswith("not-applicable:")
    assert na.get("type") == "not-applicable"
    assert cases["demo.feature::camera prompt"].find("skipped").get("type") == "skipped"
    assert kind(cases["demo.feature::backup turns on"]) == "passed"
    suite_el = root.find("testsuite")
    assert (suite_el.get("tests"), suite_el.get("failures"), suite_el.get("errors"),
            suite_el.get("skipped")) == ("11", "1", "3", "3")


def test_summary_has_verdict_totals_requirements_and_failures(suite):
    run(suite)
    text = (suite.path / "out" / "summary.md").read_text()
    assert text.startswith("## 💥 Conformance: **error**")
    assert "| | 4 | 1 | 0 | 3 | 2 | 1 | 11 |" in text  # scenario totals row (blocked: 0)
    assert "| REQ-DEMO-02 | MUST | ❌ failed" in text
    assert "| recovery restores nothing (demo.feature) | failed | REQ-DEMO-02 |" in text
    assert "Unverified for missing capabilities: REQ-DEMO-03" in text


# ---------------------------------------------------------------- allure


def allure_results(path: Path) -> dict[str, dict]:
    found = {}
    for f in path.glob("*-result.json"):
        data = json.loads(f.read_text())
        found[data["name"]] = data
    return found


def test_allure_results_carry_requirement_labels_and_every_scenario(suite):
    run(suite, "--alluredir", "out/allure-results")
    res = suite.path / "out" / "allure-results"
    found = allure_results(res)
    assert set(found) == {"backup turns on", "recovery restores nothing",
                          "codes expire with the clock", "codes expire without the guard",
                          "camera prompt", "store breaks", "set-up breaks", "clean-up breaks",
                          "several phones ios", "several phones android",
                          "an untagged scenario"}
    labels = {(lab["name"], lab["value"]) for lab in found["recovery restores nothing"]["labels"]}
    assert {("requirement", "REQ-DEMO-02"), ("tag", "REQ-DEMO-02"),
            ("story", "recovery restores nothing"), ("epic", "DEMO"),
            ("feature", "Demo backup (demo.feature)"),
            ("scenario_id", "demo.feature::recovery restores nothing"),
            ("severity", "critical")} <= labels
    assert found["recovery restores nothing"]["links"] == [
        {"type": "requirement", "url": "requirements/REQ-DEMO-02.html",
         "name": "REQ-DEMO-02: Recovery restores accounts"}]
    assert ("severity", "normal") in {(lab["name"], lab["value"])
                                      for lab in found["camera prompt"]["labels"]}
    # set-up never reached a step: the collector wrote the result allure-pytest-bdd lacks
    assert found["set-up breaks"]["status"] == "broken"
    assert "fixture set-up exploded" in found["set-up breaks"]["statusDetails"]["message"]
    # steps' attachments (attach_json / attach_png) reach the report
    attachments = {a["name"]: a for step in found["backup turns on"]["steps"]
                   for a in step.get("attachments", [])}
    assert attachments["phone"]["type"] == "application/json"
    assert json.loads((res / attachments["phone"]["source"]).read_text()) == {
        "backup": True, "restored": 0}
    assert attachments["screen"]["type"] == "image/png"
    env = (res / "environment.properties").read_text()
    assert "target=mini" in env and "profile=current" in env and "pytest-bdd=" in env
    categories = json.loads((res / "categories.json").read_text())
    assert [c["name"] for c in categories][:4] == [
        "Blocked by a failed precondition", "Non-conformance", "Adapter errors",
        "Not applicable"]


# ---------------------------------------------------------------- units


def _excinfo(exc: BaseException) -> pytest.ExceptionInfo[BaseException]:
    try:
        raise exc
    except BaseException:
        return pytest.ExceptionInfo.from_current()


@pytest.mark.parametrize(("when", "outcome", "exc", "expected"), [
    ("call", "passed", None, "passed"),
    ("call", "failed", AssertionError("no"), "failed"),
    ("setup", "failed", AssertionError("in a fixture"), "error"),
    ("call", "failed", TargetError("a", "op", "hung"), "error"),
    ("call", "failed", KeyError("x"), "error"),
    ("call", "failed", CapabilityMissing(Capability.TRAFFIC, "traffic"), "not-applicable"),
    ("teardown", "failed", RuntimeError("x"), "error"),
])
def test_classify_phase(when, outcome, exc, expected):
    excinfo = _excinfo(exc) if exc is not None else None
    status, message = results.classify_phase(when, outcome, excinfo)
    assert status == expected
    assert (message is None) == (expected == "passed")


def test_classify_skips_by_their_reason():
    na = (Path("x").as_posix(), 1, "Skipped: not-applicable: clock")
    assert results.classify_phase("call", "skipped", None, na) == (
        "not-applicable", "not-applicable: clock")
    assert results.classify_phase("call", "skipped", None, ("x", 1, "Skipped: later")) == (
        "skipped", "later")
    assert results.classify_phase("call", "skipped", None, None, wasxfail="bug 1") == (
        "skipped", "xfail: bug 1")


def test_attachments_are_no_ops_without_allure():
    assert not allure_live.allure_active()
    allure_live.attach_json("x", {"a": object()})
    allure_live.attach_png("y", b"\x89PNG")


def test_feature_file_name_is_relative_to_the_features_folder(tmp_path):
    (tmp_path / "features" / "sub").mkdir(parents=True)
    f = tmp_path / "steps" / ".." / "features" / "sub" / "a.feature"
    assert items.feature_file_name(f, tmp_path) == "sub/a.feature"
    assert items.feature_file_name(tmp_path / "other" / "b.feature", tmp_path) == (
        "other/b.feature")


def test_step_lookup_is_shared_only_between_modules_seeing_the_same_definitions(
        monkeypatch: pytest.MonkeyPatch):
    """One answer per step text for feature files that see the same step definitions;
    a feature file whose conftest adds a definition gets answers of its own, and its
    step runs the closer definition (pytest's override rule, as pytest-bdd has it)."""
    import importlib
    from types import SimpleNamespace

    from authconform.gate import plugin

    bdd_scenario = importlib.import_module("pytest_bdd.scenario")
    compat = importlib.import_module("pytest_bdd.compat")
    bdd_steps = importlib.import_module("pytest_bdd.steps")
    bdd_utils = importlib.import_module("pytest_bdd.utils")
    # a fresh install below, whatever ran before; each patched name restored afterwards
    for module, name in ((bdd_scenario, "find_fixturedefs_for_step"),
                         (bdd_scenario, "get_step_function"), (bdd_scenario, "signature"),
                         (bdd_utils, "signature")):
        monkeypatch.setattr(module, name, getattr(module, name))
    monkeypatch.setattr(bdd_scenario.get_step_function, "memoised", False, raising=False)

    parsed: list[str] = []

    class Parser:
        def __init__(self, text: str):
            self.text = text

        def is_matching(self, name: str) -> bool:
            parsed.append(name)
            return name == self.text

    root_def = SimpleNamespace(func=object(), baseid="")
    local_def = SimpleNamespace(func=object(), baseid="sub")
    contexts = {root_def.func: SimpleNamespace(type=None, parser=Parser("a step")),
                local_def.func: SimpleNamespace(type=None, parser=Parser("a step"))}
    visible = {"a.feature": [root_def], "b.feature": [root_def],
               "sub/c.feature": [root_def, local_def]}
    monkeypatch.setattr(compat, "get_fixture_names", lambda fixturemanager: ["fx"])
    monkeypatch.setattr(compat, "getfixturedefs",
                        lambda fm, name, node: visible[node.nodeid.split("::")[0]])
    monkeypatch.setattr(bdd_steps, "step_function_context_registry", contexts)
    plugin._memoise_step_lookup()
    find = bdd_scenario.find_fixturedefs_for_step
    manager = object()
    step = SimpleNamespace(type="given", name="a step")

    def lookup(module: str) -> list[object]:
        return list(find(step, manager, SimpleNamespace(nodeid=f"{module}::s")))

    assert lookup("a.feature") == [root_def]
    assert lookup("b.feature") == [root_def]
    assert len(parsed) == 1  # b.feature reused a.feature's answer
    assert lookup("sub/c.feature") == [root_def, local_def]
    assert len(parsed) == 3

    def runs(module: str) -> object:
        node = SimpleNamespace(nodeid=f"{module}::s")
        return bdd_scenario.get_step_function(
            SimpleNamespace(_fixturemanager=manager, node=node), step)

    assert runs("sub/c.feature") is contexts[local_def.func]
    assert runs("a.feature") is contexts[root_def.func]
    assert len(parsed) == 3  # answered from what lookup() found
    assert runs("sub/c.feature") is contexts[local_def.func]
    unknown = SimpleNamespace(type="then", name="no such step")
    assert bdd_scenario.get_step_function(SimpleNamespace(
        _fixturemanager=manager, node=SimpleNamespace(nodeid="a.feature::s")), unknown) is None
