"""Documented vs robustness grading, coverage, --require-all and the verdict line's
wording (authconform.gate.verdict): unit level, no pytest run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from authconform.gate import verdict
from authconform.gate.verdict import RunInfo, ScenarioResult
from authconform.spec.catalogue import (
    ConfigurationError,
    Requirement,
    load_catalogue,
    parse_catalogue,
)

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
REPO = Path(__file__).resolve().parent.parent


def req(rid: str, kind: str = "documented", level: str = "MUST") -> Requirement:
    return Requirement(id=rid, area=rid.split("-")[1], level=level, profiles=("current",),
                       summary=f"summary of {rid}", sources=({"doc": "a.txt"},), kind=kind)


CATALOGUE = [req("REQ-A-01"), req("REQ-A-02"), req("REQ-A-03"), req("REQ-A-04", level="SHOULD"),
             req("REQ-FAULT-01", "robustness"), req("REQ-SECURITY-01", "robustness")]


def sc(name: str, status: str, *reqs: str, message: str | None = None) -> ScenarioResult:
    if message is None and status != "passed":
        message = f"{status} because"
    return ScenarioResult(id=f"x.feature::{name}", feature="X", name=name, status=status,
                          requirements=reqs, message=message)


def build(scenarios, **run):
    info = RunInfo(target_name="sim", profile="current", seed=7, **run)
    doc = verdict.build_document(CATALOGUE, scenarios, info, today=NOW.date(),
                                 generated_at=NOW)
    assert verdict.validate_document(doc) == [], verdict.validate_document(doc)
    return doc


DOCUMENTED_PASS = [sc("a1", "passed", "REQ-A-01"), sc("a2", "passed", "REQ-A-02"),
                   sc("a3", "passed", "REQ-A-03")]
ROBUSTNESS_PASS = [sc("f1", "passed", "REQ-FAULT-01"), sc("s1", "passed", "REQ-SECURITY-01")]
FAULT_FAILS = [sc("f1", "failed", "REQ-FAULT-01"), sc("s1", "passed", "REQ-SECURITY-01")]


# ---------------------------------------------------------------- levels


def test_a_failed_robustness_requirement_is_graded_but_does_not_fail_the_gate() -> None:
    doc = build(DOCUMENTED_PASS + FAULT_FAILS)
    assert doc["verdict"] == "conformant"
    assert doc["robustness"]["status"] == "failed"
    assert doc["robustness"]["failed"] == ["REQ-FAULT-01"]
    assert doc["robustness"]["gated"] is False
    assert "REQ-FAULT-01" in verdict.robustness_line(doc)
    assert "not gated" in verdict.robustness_line(doc)


def test_strict_makes_robustness_part_of_the_gate() -> None:
    doc = build(DOCUMENTED_PASS + FAULT_FAILS, strict=True)
    assert doc["verdict"] == "non-conformant"
    assert doc["reasons"] == ["robustness MUST requirement REQ-FAULT-01 failed"]
    assert doc["gate"] == {"strict": True, "require_all": False}
    assert "(in the gate, --strict)" in verdict.robustness_line(doc)


def test_strict_also_fails_an_uncovered_robustness_requirement() -> None:
    doc = build(DOCUMENTED_PASS + ROBUSTNESS_PASS[:1], strict=True)
    assert doc["reasons"] == ["robustness MUST requirement REQ-SECURITY-01 is uncovered"]
    assert build(DOCUMENTED_PASS + ROBUSTNESS_PASS[:1])["verdict"] == "conformant"


def test_a_failed_documented_requirement_still_fails_the_gate() -> None:
    doc = build([sc("a1", "failed", "REQ-A-01"), *DOCUMENTED_PASS[1:], *ROBUSTNESS_PASS])
    assert doc["verdict"] == "non-conformant"
    assert doc["robustness"]["status"] == "passed"


def test_an_error_in_a_robustness_scenario_is_never_a_pass() -> None:
    doc = build([*DOCUMENTED_PASS, sc("f1", "error", "REQ-FAULT-01")])
    assert doc["verdict"] == "error"


def test_every_fault_and_security_requirement_is_robustness() -> None:
    catalogue = load_catalogue(REPO / "features" / "requirements.yml")
    for r in catalogue:
        if r.area in ("FAULT", "SECURITY"):
            assert r.kind == "robustness", r.id
    assert any(r.kind == "documented" for r in catalogue)


def test_an_unknown_kind_is_a_configuration_error() -> None:
    data = {"requirements": [{"id": "REQ-A-01", "level": "MUST", "profiles": ["current"],
                              "summary": "s", "kind": "nice-to-have"}]}
    with pytest.raises(ConfigurationError, match="kind 'nice-to-have' is not one of"):
        parse_catalogue(data)


# ---------------------------------------------------------------- coverage


def test_coverage_says_what_a_conformant_verdict_did_not_check() -> None:
    doc = build([
        sc("a1", "passed", "REQ-A-01"),
        sc("a2", "not-applicable", "REQ-A-02", message="not-applicable: clock (advance_clock)"),
        sc("a3", "not-applicable", "REQ-A-03",
           message="not-applicable: target lacks capability 'network' (set_device_online)"),
        *ROBUSTNESS_PASS])
    assert doc["verdict"] == "conformant"
    assert doc["coverage"]["must"] == 3
    assert doc["coverage"]["verified"] == 1
    assert doc["coverage"]["unverified"] == ["REQ-A-02", "REQ-A-03"]
    assert verdict.coverage_line(doc) == (
        "1 of 3 documented MUST requirements verified; 2 unverified: "
        "needs clock (1), network (1)")


def test_require_all_fails_the_gate_on_an_unverified_requirement() -> None:
    scenarios = [*DOCUMENTED_PASS[:2], *ROBUSTNESS_PASS,
                 sc("a3", "not-applicable", "REQ-A-03", message="not-applicable: clock (x)")]
    assert build(scenarios)["verdict"] == "conformant"
    doc = build(scenarios, require_all=True)
    assert doc["verdict"] == "non-conformant"
    assert doc["reasons"] == [
        "MUST requirement REQ-A-03 is unverified (clock; --require-all)"]


def test_a_partial_run_says_so_and_what_it_did_not_select() -> None:
    doc = build(DOCUMENTED_PASS[:1], selection="partial")
    assert doc["verdict"] == "conformant"
    assert verdict.scope_prefix(doc).startswith("partial run")
    assert "not selected (2)" in verdict.coverage_line(doc)
    assert build(DOCUMENTED_PASS[:1], selection="partial",
                 require_all=True)["verdict"] == "non-conformant"


def test_a_reading_the_target_did_not_declare_is_not_a_capability() -> None:
    message = ("not-applicable: the target follows the recovery_block='any' reading, this "
               "scenario the 'same' one")
    assert verdict.missing_capability(message) is None
    doc = build([*DOCUMENTED_PASS[:2], *ROBUSTNESS_PASS,
                 sc("a3", "not-applicable", "REQ-A-03", message=message)])
    entry = next(r for r in doc["requirements"] if r["id"] == "REQ-A-03")
    assert "missing_capabilities" not in entry
    assert entry["unverified_because"] == ["reading recovery_block"]


def test_the_repository_run_names_capabilities_only() -> None:
    """The bug this replaces: ``["the"]`` as the missing capability of REQ-EXISTING-04."""
    assert verdict.missing_capability("not-applicable: the target lacks it") is None
    assert verdict.missing_capability("not-applicable: clock (advance_clock)") == "clock"


# ---------------------------------------------------------------- the reasons


def test_reasons_are_grouped_and_long_lists_end_with_and_n_more() -> None:
    doc = {"reasons": [f"MUST requirement REQ-A-0{n} is uncovered" for n in range(1, 8)]
           + ["MUST requirement REQ-B-01 failed", "waiver for REQ-C-01 is stale"]}
    assert verdict.reasons_line(doc) == (
        "waiver for REQ-C-01 is stale; "
        "7 MUST requirements uncovered: REQ-A-01, REQ-A-02, REQ-A-03 and 4 more; "
        "1 MUST requirement failed: REQ-B-01")


def test_a_shard_judges_only_its_slice() -> None:
    doc = build(DOCUMENTED_PASS[:1], shard=(1, 3))
    assert doc["verdict"] == "conformant"
    assert doc["shard"] == {"index": 1, "count": 3}
    assert verdict.scope_prefix(doc).startswith("shard 1 of 3")
    assert verdict.coverage_line(doc).endswith("2 unverified: in other shards (2)")
