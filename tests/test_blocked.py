"""A failed precondition (authconform.gate.preconditions) in the gate's rules: the scenario is
blocked, its precondition's owner is charged, its own requirements are not verified, and
one waiver for the owner is enough -- without ever letting a blocked requirement pass
the gate quietly."""

from __future__ import annotations

import datetime as dt

import pytest

from authconform.gate import results, verdict
from authconform.gate.verdict import RunInfo, ScenarioResult
from authconform.gate.waivers import Waiver
from authconform.report.summary import render_summary
from authconform.spec.catalogue import DOCUMENTED, ROBUSTNESS, Requirement

pytest_plugins = ["pytester"]

TODAY = dt.date(2026, 6, 1)
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def req(rid: str, level: str = "MUST", kind: str = DOCUMENTED,
        profiles: tuple[str, ...] = ("current", "2019")) -> Requirement:
    return Requirement(id=rid, area=rid.split("-")[1], level=level, profiles=profiles,
                       summary=f"summary of {rid}", sources=({"doc": "a.txt"},), kind=kind)


# VERIFY-03 sends the code; the others use a verified account on the way.
CATALOGUE = [req("REQ-VERIFY-03"), req("REQ-VERIFY-01"), req("REQ-PRIVACY-05"),
             req("REQ-CODES-01", "SHOULD"), req("REQ-FAULT-01", kind=ROBUSTNESS),
             req("REQ-OLD-01", profiles=("2019",))]


def sc(name: str, status: str, *reqs: str, blocked_by: str | None = None) -> ScenarioResult:
    message = None if status == "passed" else f"{status}: because"
    return ScenarioResult(id=f"x.feature::{name}", feature="X", name=name, status=status,
                          requirements=reqs, message=message, blocked_by=blocked_by)


def build(scenarios, *, waivers=(), require_all=False, strict=False):
    run = RunInfo(target_name="t", seed=1, require_all=require_all, strict=strict)
    doc = verdict.build_document(CATALOGUE, scenarios, run, waivers, today=TODAY,
                                 generated_at=NOW)
    assert verdict.validate_document(doc) == [], "every produced document must be valid"
    return doc


def reqs(doc):
    return {r["id"]: r for r in doc["requirements"]}


def waive(rid: str, expires: dt.date = dt.date(2099, 1, 1)) -> Waiver:
    return Waiver(rid, "known bug", "qa", expires)


# The code is not sent: VERIFY-03's own scenario fails in its Then step; two scenarios of
# other requirements fail on the way, in a Given owned by VERIFY-03.
CODE_NOT_SENT = [
    sc("code is sent", "failed", "REQ-VERIFY-03"),
    sc("alert goes away", "blocked", "REQ-VERIFY-01", blocked_by="REQ-VERIFY-03"),
    sc("no key on the wire", "blocked", "REQ-PRIVACY-05", blocked_by="REQ-VERIFY-03"),
    sc("alert shows", "passed", "REQ-VERIFY-01"),
]


def test_one_broken_behaviour_fails_one_requirement():
    doc = build(CODE_NOT_SENT)
    r = reqs(doc)
    assert {k: v["status"] for k, v in r.items()} == {
        "REQ-VERIFY-03": "failed", "REQ-VERIFY-01": "blocked", "REQ-PRIVACY-05": "blocked",
        "REQ-CODES-01": "uncovered", "REQ-FAULT-01": "uncovered"}
    assert r["REQ-VERIFY-03"]["precondition_failures"] == [
        "x.feature::alert goes away", "x.feature::no key on the wire"]
    assert r["REQ-VERIFY-01"]["blocked_by"] == ["REQ-VERIFY-03"]
    assert r["REQ-VERIFY-01"]["unverified_because"] == ["blocked by REQ-VERIFY-03"]
    assert doc["verdict"] == "non-conformant"
    assert [x for x in doc["reasons"] if "VERIFY" in x or "PRIVACY" in x] == [
        "MUST requirement REQ-VERIFY-03 failed"]
    assert doc["totals"]["scenarios"]["blocked"] == 2
    assert doc["totals"]["requirements"]["blocked"] == 2


def test_one_waiver_for_the_owner_waives_the_broken_behaviour():
    doc = build(CODE_NOT_SENT, waivers=[waive("REQ-VERIFY-03")])
    r = reqs(doc)
    assert r["REQ-VERIFY-03"]["status"] == "waived"
    assert r["REQ-VERIFY-01"]["unverified_because"] == ["blocked by REQ-VERIFY-03 (waived)"]
    assert not [x for x in doc["reasons"] if "VERIFY" in x or "PRIVACY" in x]
    # the coverage still says what the waiver leaves unchecked
    assert "REQ-VERIFY-01" in doc["coverage"]["unverified"]
    assert doc["coverage"]["needs"]["blocked by REQ-VERIFY-03 (waived)"] == 2
    assert "blocked by REQ-VERIFY-03 (waived) (2)" in verdict.coverage_line(doc)


def test_the_owner_fails_even_when_only_a_precondition_shows_it():
    """Its own scenarios pass, but the behaviour broke where another scenario leaned on
    it: that is a failure of the owner, not a pass."""
    doc = build([sc("code is sent", "passed", "REQ-VERIFY-03"),
                 sc("alert goes away", "blocked", "REQ-VERIFY-01",
                    blocked_by="REQ-VERIFY-03")])
    assert reqs(doc)["REQ-VERIFY-03"]["status"] == "failed"
    assert "MUST requirement REQ-VERIFY-03 failed" in doc["reasons"]


def test_an_expired_waiver_for_the_owner_leaves_the_gate_failing():
    doc = build(CODE_NOT_SENT, waivers=[waive("REQ-VERIFY-03", dt.date(2026, 1, 1))])
    assert doc["verdict"] == "non-conformant"
    assert "MUST requirement REQ-VERIFY-03 failed" in doc["reasons"]


def test_an_ungated_robustness_owner_cannot_let_a_blocked_requirement_pass():
    """A (not strict) robustness owner fails without failing the gate; what it blocked
    must then fail the gate itself."""
    owner = "REQ-FAULT-01"
    doc = build([sc("alert goes away", "blocked", "REQ-VERIFY-01", blocked_by=owner),
                 sc("owner's own", "passed", owner)])
    assert reqs(doc)[owner]["status"] == "failed"
    assert reqs(doc)["REQ-VERIFY-01"]["status"] == "blocked"
    assert doc["verdict"] == "non-conformant"
    assert [x for x in doc["reasons"] if "VERIFY-01" in x or owner in x] == [
        f"MUST requirement REQ-VERIFY-01 is blocked: its precondition {owner} failed"]
    assert "1 MUST requirement blocked: REQ-VERIFY-01" in verdict.reasons_line(doc)


SHOULD_BLOCKS = [sc("alert goes away", "blocked", "REQ-VERIFY-01", blocked_by="REQ-CODES-01"),
                 sc("owner's own", "passed", "REQ-CODES-01"),
                 sc("code is sent", "passed", "REQ-VERIFY-03"),
                 sc("no key on the wire", "passed", "REQ-PRIVACY-05")]


def test_a_should_deviation_leaves_what_it_blocked_unverified_never_failed():
    """A SHOULD is what the documents allow an app not to do ("you may see a popup"):
    the MUST it blocked is reported unverified because of it, and the gate holds."""
    doc = build(SHOULD_BLOCKS)
    r = reqs(doc)
    assert r["REQ-CODES-01"]["status"] == "failed"
    assert r["REQ-VERIFY-01"]["status"] == "blocked"
    assert r["REQ-VERIFY-01"]["unverified_because"] == [
        "blocked by REQ-CODES-01 (a SHOULD deviation)"]
    assert "REQ-VERIFY-01" in doc["coverage"]["unverified"]
    assert doc["verdict"] == "conformant", doc["reasons"]
    assert not [x for x in doc["reasons"] if "VERIFY-01" in x or "CODES-01" in x]


def test_a_should_blocked_requirement_fails_a_require_all_run_as_unverified():
    doc = build(SHOULD_BLOCKS, require_all=True)
    assert doc["verdict"] == "non-conformant"
    assert ("MUST requirement REQ-VERIFY-01 is unverified (blocked by REQ-CODES-01; "
            "--require-all)") in doc["reasons"]


def test_a_should_blocker_beside_a_failing_must_blocker_still_fails_the_gate():
    doc = build([sc("alert goes away", "blocked", "REQ-VERIFY-01", blocked_by="REQ-CODES-01"),
                 sc("alert shows", "blocked", "REQ-VERIFY-01", blocked_by="REQ-FAULT-01")])
    assert doc["verdict"] == "non-conformant"
    assert ("MUST requirement REQ-VERIFY-01 is blocked: its precondition REQ-FAULT-01 "
            "failed") in doc["reasons"]


def test_an_owner_outside_the_profile_moves_nothing():
    """REQ-OLD-01 is not judged under the current profile: the scenario fails its own
    requirement, as if it named no owner (fail closed)."""
    doc = build([sc("alert goes away", "blocked", "REQ-VERIFY-01", blocked_by="REQ-OLD-01")])
    assert reqs(doc)["REQ-VERIFY-01"]["status"] == "failed"
    assert "MUST requirement REQ-VERIFY-01 failed" in doc["reasons"]


def test_an_owner_among_the_scenarios_own_requirements_fails_it_and_blocks_the_rest():
    doc = build([sc("verify and show codes", "blocked", "REQ-VERIFY-03", "REQ-VERIFY-01",
                    blocked_by="REQ-VERIFY-03")])
    r = reqs(doc)
    assert (r["REQ-VERIFY-03"]["status"], r["REQ-VERIFY-01"]["status"]) == ("failed",
                                                                            "blocked")
    assert "precondition_failures" not in r["REQ-VERIFY-03"]  # it is its own scenario


def test_a_real_failure_outranks_a_blocked_scenario():
    doc = build([sc("alert goes away", "blocked", "REQ-VERIFY-01", blocked_by="REQ-VERIFY-03"),
                 sc("alert shows", "failed", "REQ-VERIFY-01"),
                 sc("code is sent", "failed", "REQ-VERIFY-03")],
                waivers=[waive("REQ-VERIFY-03")])
    assert reqs(doc)["REQ-VERIFY-01"]["status"] == "failed"
    assert doc["verdict"] == "non-conformant"
    assert "MUST requirement REQ-VERIFY-01 failed" in doc["reasons"]


def test_an_error_outranks_a_blocked_scenario():
    doc = build([*CODE_NOT_SENT, sc("target crashed", "error", "REQ-VERIFY-01")])
    assert reqs(doc)["REQ-VERIFY-01"]["status"] == "error"
    assert doc["verdict"] == "error"


def test_require_all_counts_a_blocked_requirement_as_unverified():
    doc = build(CODE_NOT_SENT, waivers=[waive("REQ-VERIFY-03")], require_all=True)
    assert doc["verdict"] == "non-conformant"
    assert ("MUST requirement REQ-VERIFY-01 is unverified (blocked by REQ-VERIFY-03; "
            "--require-all)") in doc["reasons"]


def test_a_waiver_on_a_blocked_requirement_is_unused():
    doc = build(CODE_NOT_SENT, waivers=[waive("REQ-VERIFY-01")])
    assert reqs(doc)["REQ-VERIFY-01"]["waiver"]["state"] == "unused"
    assert reqs(doc)["REQ-VERIFY-01"]["status"] == "blocked"


def test_blocked_and_blocked_by_go_together():
    with pytest.raises(ValueError, match="blocked_by"):
        sc("x", "blocked", "REQ-VERIFY-01")
    with pytest.raises(ValueError, match="blocked_by"):
        sc("x", "failed", "REQ-VERIFY-01", blocked_by="REQ-VERIFY-03")


def test_the_schema_refuses_a_blocked_scenario_without_its_owner():
    doc = build(CODE_NOT_SENT)
    del doc["scenarios"][1]["blocked_by"]
    assert any("blocked_by" in p for p in verdict.validate_document(doc))


def test_a_blocked_scenario_round_trips_through_merge():
    s = CODE_NOT_SENT[1]
    assert ScenarioResult.from_dict(s.to_dict()) == s


def test_reports_name_the_owner():
    doc = build(CODE_NOT_SENT)
    summary = render_summary(doc)
    assert "| | 1 | 1 | 2 | 0 | 0 | 0 | 4 |" in summary
    assert "| alert goes away (x.feature) | blocked by REQ-VERIFY-03 | REQ-VERIFY-01 |" in summary
    assert "⛔ blocked by REQ-VERIFY-03" in summary
    assert "(also in 2 preconditions of other scenarios)" in summary
    lines = results.terminal_lines(doc)
    assert "  blocked by REQ-VERIFY-03: x.feature::alert goes away" in lines


# ---------------------------------------------------------------- end to end

PLUGIN_REQUIREMENTS = """\
requirements:
  - {id: REQ-SEND-01, area: SEND, level: MUST, profiles: [current],
     summary: The code is sent, sources: [{doc: a.txt, section: Send}]}
  - {id: REQ-SHOW-01, area: SHOW, level: MUST, profiles: [current],
     summary: Verified accounts show codes, sources: [{doc: a.txt, section: Show}]}
  - {id: REQ-SHOW-02, area: SHOW, level: MUST, profiles: [current],
     summary: Restored accounts show codes, sources: [{doc: a.txt, section: Show}]}
"""

PLUGIN_FEATURE = """\
Feature: Codes
  @REQ-SEND-01
  Scenario: the code is sent
    Given a phone
    Then a code arrives

  @REQ-SHOW-01
  Scenario: a verified account shows codes
    Given a phone
    And the account is verified with the code
    Then the account shows a code

  @REQ-SHOW-01
  Scenario: a step with no owner fails its own scenario
    Given a phone
    And the account is verified by hand
    Then the account shows a code

  @REQ-SHOW-02
  Scenario: a check that needs the account first
    Given a phone
    Then the restored account shows a code

  @REQ-SHOW-02
  Scenario: a broken step is an error wherever it is
    Given a phone
    And the phone crashes on the way
    Then the account shows a code
"""

PLUGIN_STEPS = """\
from pytest_bdd import given, then

from authconform.gate.preconditions import owned_by, precondition


@given("a phone", target_fixture="phone")
def _():
    return {"codes_sent": 0}


@then("a code arrives")
def _(phone):
    assert phone["codes_sent"] == 1, "no code arrived"


@given("the account is verified with the code")
@precondition("REQ-SEND-01")
def _(phone):
    assert phone["codes_sent"] == 1, "no code arrived"


@given("the account is verified by hand")
def _(phone):
    assert phone["codes_sent"] == 1, "no code arrived"


@given("the phone crashes on the way")
@precondition("REQ-SEND-01")
def _(phone):
    raise RuntimeError("the phone crashed")


@then("the restored account shows a code")
def _(phone):
    with owned_by("REQ-SEND-01"):
        assert phone["codes_sent"] == 1, "the account never arrived"


@then("the account shows a code")
def _(phone):
    assert True
"""


@pytest.fixture
def mini(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    from tests.test_results_plugin import CONFTEST, isolate

    isolate(monkeypatch)
    (pytester.path / "features").mkdir()
    (pytester.path / "features" / "requirements.yml").write_text(PLUGIN_REQUIREMENTS)
    (pytester.path / "features" / "codes.feature").write_text(PLUGIN_FEATURE)
    (pytester.path / "demo_steps.py").write_text(PLUGIN_STEPS)
    conftest = CONFTEST.replace('["REQ-DEMO-0%d" % n for n in range(1, 7)]',
                                '["REQ-SEND-01", "REQ-SHOW-01", "REQ-SHOW-02"]')
    (pytester.path / "conftest.py").write_text(conftest)
    return pytester


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one process", "xdist"])
def test_a_failed_precondition_is_charged_to_its_owner(mini, workers, tmp_path):
    import json
    import xml.etree.ElementTree as ET

    from tests.test_results_plugin import PLUGINS

    # Allure in the one-process run only: with plugin autoload off (isolate), xdist's
    # workers would not load allure-pytest-bdd and refuse --alluredir
    alluredir = tmp_path / "allure"
    allure = () if workers else ("--alluredir", str(alluredir))
    result = mini.runpytest_subprocess(
        "features", *PLUGINS, "-p", "no:cacheprovider", "--strict-markers",
        "--authconform-report-dir", "out", *allure, *workers)
    doc = json.loads((mini.path / "out" / "conformance.json").read_text())
    assert verdict.validate_document(doc) == []
    by_name = {s["name"]: s for s in doc["scenarios"]}
    assert {n: (s["status"], s.get("blocked_by")) for n, s in by_name.items()} == {
        "the code is sent": ("failed", None),
        "a verified account shows codes": ("blocked", "REQ-SEND-01"),
        "a step with no owner fails its own scenario": ("failed", None),
        "a check that needs the account first": ("blocked", "REQ-SEND-01"),
        "a broken step is an error wherever it is": ("error", None),
    }
    assert "blocked by REQ-SEND-01" in by_name["a verified account shows codes"]["message"]
    r = {x["id"]: x for x in doc["requirements"]}
    assert r["REQ-SEND-01"]["status"] == "failed"
    assert r["REQ-SEND-01"]["precondition_failures"] == [
        "codes.feature::a check that needs the account first",
        "codes.feature::a verified account shows codes"]
    assert r["REQ-SHOW-01"]["status"] == "failed"  # the unowned step fails it
    assert r["REQ-SHOW-02"]["status"] == "error"
    assert doc["verdict"] == "error"
    assert "1 blocked" not in result.stdout.str() and "2 blocked" in result.stdout.str()
    cases = {c.get("name"): c for c in ET.parse(mini.path / "out" / "junit.xml").iter("testcase")}
    failure = cases["a verified account shows codes"].find("failure")
    assert failure is not None and failure.get("type") == "blocked"
    assert failure.get("message", "").startswith("blocked by REQ-SEND-01: ")
    if workers:
        return
    # Allure files it under the category for blocked scenarios (first match wins)
    category = allure_categories_of(alluredir, "a verified account shows codes")
    assert category == "Blocked by a failed precondition"
    assert allure_categories_of(alluredir, "the code is sent") == "Non-conformance"


def allure_categories_of(alluredir, name: str) -> str | None:
    """The first category of categories.json matching the scenario's Allure result, as
    Allure applies them (full match of the message, first match wins)."""
    import json
    import re

    from authconform.gate.allure_live import CATEGORIES

    for path in alluredir.glob("*-result.json"):
        result = json.loads(path.read_text())
        if result["name"] != name:
            continue
        message = (result.get("statusDetails") or {}).get("message", "")
        labels = {lab["name"] for lab in result["labels"]}
        for c in CATEGORIES:
            if "matchers" in c:  # Allure 3's form: statuses and labels (not applicable)
                if (result["status"] in c["matchers"]["statuses"]
                        and set(c["matchers"].get("labels", {})) <= labels):
                    return str(c["name"])
            elif result["status"] in c["matchedStatuses"] and re.fullmatch(
                    c.get("messageRegex", "[\\s\\S]*"), message):
                return str(c["name"])
        return None
    raise AssertionError(f"no Allure result for {name!r}")
