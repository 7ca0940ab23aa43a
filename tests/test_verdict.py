"""The gate's rules (authconform.gate.verdict): requirement status, verdict, waivers, schema."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from authconform.gate import verdict
from authconform.gate.verdict import RunInfo, ScenarioResult
from authconform.gate.waivers import Waiver, default_waivers_path, load_waivers
from authconform.spec.catalogue import (
    ConfigurationError,
    Requirement,
    load_catalogue,
    load_retired,
    parse_catalogue,
    parse_retired,
)

TODAY = dt.date(2025, 6, 1)
NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
REPO = Path(__file__).resolve().parent.parent


def req(rid: str, level: str = "MUST", profiles: tuple[str, ...] = ("current", "2019")
        ) -> Requirement:
    return Requirement(id=rid, area=rid.split("-")[1], level=level, profiles=profiles,
                       summary=f"summary of {rid}", sources=({"doc": "a.txt", "section": "S"},))


CATALOGUE = [req("REQ-A-01"), req("REQ-A-02"), req("REQ-A-03", "SHOULD"),
             req("REQ-B-01", profiles=("2019",))]


def sc(name: str, status: str, *reqs: str, message: str | None = None) -> ScenarioResult:
    if message is None and status != "passed":
        message = f"{status} because"
    return ScenarioResult(id=f"x.feature::{name}", feature="X", name=name, status=status,
                          requirements=reqs, duration_s=0.01, message=message)


def build(scenarios, *, waivers=(), selection="full", profile="current",
          collection_errors=(), today=TODAY):
    run = RunInfo(target_name="sim", target_version="1.0", capabilities=("clock",),
                  profile=profile, seed=7, selection=selection,
                  collection_errors=tuple(collection_errors), pytest_exit_status=0)
    doc = verdict.build_document(CATALOGUE, scenarios, run, waivers, today=today,
                                 generated_at=NOW)
    assert verdict.validate_document(doc) == [], "every produced document must be valid"
    return doc


def status_of(doc, rid):
    return next(r["status"] for r in doc["requirements"] if r["id"] == rid)


ALL_PASS = [sc("one", "passed", "REQ-A-01"), sc("two", "passed", "REQ-A-02"),
            sc("three", "passed", "REQ-A-03")]


# ---------------------------------------------------------------- requirement status


@pytest.mark.parametrize(("statuses", "expected"), [
    ([], "uncovered"),
    (["passed"], "passed"),
    (["passed", "not-applicable"], "passed"),
    (["passed", "skipped"], "passed"),
    (["passed", "failed"], "failed"),
    (["failed", "error"], "failed"),
    (["passed", "error"], "error"),
    (["not-applicable", "not-applicable"], "not-applicable"),
    (["skipped"], "uncovered"),
    (["skipped", "not-applicable"], "uncovered"),
])
def test_requirement_status_from_scenario_statuses(statuses, expected):
    assert verdict.scenario_status_of_requirement(statuses) == expected


def test_all_must_requirements_passing_is_conformant():
    doc = build(ALL_PASS)
    assert doc["verdict"] == "conformant"
    assert doc["reasons"] == []
    assert [r["id"] for r in doc["requirements"]] == ["REQ-A-01", "REQ-A-02", "REQ-A-03"]
    assert doc["totals"]["requirements"]["passed"] == 3
    assert doc["totals"]["scenarios"] == {"passed": 3, "failed": 0, "blocked": 0,
                                          "not-applicable": 0, "skipped": 0, "error": 0,
                                          "total": 3}


def test_a_failed_must_requirement_is_non_conformant():
    doc = build([sc("one", "failed", "REQ-A-01"), *ALL_PASS[1:]])
    assert doc["verdict"] == "non-conformant"
    assert status_of(doc, "REQ-A-01") == "failed"
    assert any("REQ-A-01 failed" in r for r in doc["reasons"])


def test_a_failed_should_requirement_is_reported_but_does_not_fail_the_gate():
    doc = build([*ALL_PASS[:2], sc("three", "failed", "REQ-A-03")])
    assert status_of(doc, "REQ-A-03") == "failed"
    assert doc["totals"]["requirements"]["failed"] == 1
    assert doc["verdict"] == "conformant"


def test_any_error_scenario_makes_the_verdict_error_even_without_failures():
    doc = build([*ALL_PASS, sc("boom", "error", message="TargetError: adapter 'x' hung")])
    assert doc["verdict"] == "error"
    assert doc["reasons"][0] == ("1 scenario(s) in error, the first x.feature::boom: "
                                 "TargetError: adapter 'x' hung")


def test_collection_errors_make_the_verdict_error():
    doc = build(ALL_PASS, collection_errors=["steps/test_x.py: bad tag"])
    assert doc["verdict"] == "error"
    assert doc["harness"]["collection_errors"] == ["steps/test_x.py: bad tag"]


def test_uncovered_must_requirement_fails_a_full_run():
    doc = build([ALL_PASS[0], ALL_PASS[2]])
    assert status_of(doc, "REQ-A-02") == "uncovered"
    assert doc["verdict"] == "non-conformant"
    assert "MUST requirement REQ-A-02 is uncovered" in doc["reasons"]


def test_uncovered_requirements_do_not_fail_a_partial_run():
    doc = build([ALL_PASS[0]], selection="partial")
    assert doc["selection"] == "partial"
    assert status_of(doc, "REQ-A-02") == "uncovered"
    assert doc["verdict"] == "conformant"


def test_selected_but_only_skipped_must_requirement_fails_even_a_partial_run():
    doc = build([ALL_PASS[0], sc("two", "skipped", "REQ-A-02", message="device offline")],
                selection="partial")
    assert status_of(doc, "REQ-A-02") == "uncovered"
    assert doc["verdict"] == "non-conformant"


def test_skipped_is_never_counted_as_passed():
    doc = build([sc("one", "skipped", "REQ-A-01", message="no"), *ALL_PASS[1:]])
    assert status_of(doc, "REQ-A-01") != "passed"
    assert doc["verdict"] == "non-conformant"


def test_not_applicable_requirement_is_unverified_and_names_the_capability():
    doc = build([sc("one", "not-applicable", "REQ-A-01",
                    message="not-applicable: target lacks capability 'clock' (advance_clock)"),
                 *ALL_PASS[1:]])
    assert status_of(doc, "REQ-A-01") == "not-applicable"
    assert doc["unverified"] == ["REQ-A-01"]
    entry = next(r for r in doc["requirements"] if r["id"] == "REQ-A-01")
    assert entry["missing_capabilities"] == ["clock"]
    assert doc["verdict"] == "conformant"


def test_a_pass_with_scenarios_left_out_for_a_capability_is_only_partly_verified():
    # The check that the behaviour happens at all may be the one that could not run.
    lacking = sc("shows", "not-applicable", "REQ-A-01",
                 message="not-applicable: target lacks capability 'clock' (advance_clock)")
    other_reading = sc("other", "not-applicable", "REQ-A-02",
                       message="not-applicable: the target follows another reading")
    doc = build([sc("quiet", "passed", "REQ-A-01"), lacking, other_reading, *ALL_PASS[1:]])
    assert status_of(doc, "REQ-A-01") == "passed"
    assert doc["coverage"]["partly"] == ["REQ-A-01"]  # a reading's scenarios: no gap
    assert doc["coverage"]["verified"] == 1 and doc["coverage"]["needs"] == {"clock": 1}
    assert "1 of 2 documented MUST requirements verified; 1 partly verified (REQ-A-01)" in (
        verdict.coverage_line(doc))
    assert doc["verdict"] == "conformant"
    strict = verdict.build_document(
        CATALOGUE, [sc("quiet", "passed", "REQ-A-01"), lacking, *ALL_PASS[1:]],
        RunInfo(target_name="sim", target_version="1.0", capabilities=(), profile="current",
                seed=7, selection="full", collection_errors=(), pytest_exit_status=0,
                require_all=True), (), today=TODAY, generated_at=NOW)
    assert strict["verdict"] == "non-conformant"
    assert "MUST requirement REQ-A-01 is partly verified (needs clock; --require-all)" in (
        strict["reasons"])


def test_requirements_outside_the_profile_are_not_judged():
    current = build(ALL_PASS)
    assert "REQ-B-01" not in [r["id"] for r in current["requirements"]]
    old = build([sc("b", "passed", "REQ-B-01"), ALL_PASS[0]], profile="2019")
    assert status_of(old, "REQ-B-01") == "passed"
    assert old["profile"] == "2019"


def test_scenarios_without_requirements_are_still_listed():
    doc = build([*ALL_PASS, sc("untagged", "passed")])
    assert "x.feature::untagged" in [s["id"] for s in doc["scenarios"]]
    assert doc["totals"]["scenarios"]["total"] == 4


@pytest.mark.parametrize(("message", "capability"), [
    ("not-applicable: clock (advance_clock)", "clock"),
    ("not-applicable: target lacks capability 'store_inspection' (stored_objects)",
     "store_inspection"),
    ("some other skip", None),
    (None, None),
])
def test_missing_capability_is_read_from_both_message_forms(message, capability):
    assert verdict.missing_capability(message) == capability


# ---------------------------------------------------------------- waivers


def waiver(rid: str, expires: dt.date) -> Waiver:
    return Waiver(requirement=rid, reason="vendor bug 123", owner="alice", expires=expires)


def test_a_valid_waiver_turns_a_failed_must_requirement_into_waived():
    doc = build([sc("one", "failed", "REQ-A-01"), *ALL_PASS[1:]],
                waivers=[waiver("REQ-A-01", TODAY + dt.timedelta(days=30))])
    assert status_of(doc, "REQ-A-01") == "waived"
    assert doc["verdict"] == "conformant"
    assert [w["requirement"] for w in doc["waivers"]["applied"]] == ["REQ-A-01"]
    entry = next(r for r in doc["requirements"] if r["id"] == "REQ-A-01")
    assert entry["waiver"]["state"] == "applied"
    assert entry["waiver"]["owner"] == "alice"


def test_a_waiver_expiring_today_still_applies():
    doc = build([sc("one", "failed", "REQ-A-01"), *ALL_PASS[1:]],
                waivers=[waiver("REQ-A-01", TODAY)])
    assert status_of(doc, "REQ-A-01") == "waived"
    assert doc["verdict"] == "conformant"


def test_an_expired_waiver_fails_the_gate_and_does_not_waive():
    doc = build([sc("one", "failed", "REQ-A-01"), *ALL_PASS[1:]],
                waivers=[waiver("REQ-A-01", TODAY - dt.timedelta(days=1))])
    assert status_of(doc, "REQ-A-01") == "failed"
    assert doc["verdict"] == "non-conformant"
    assert [w["requirement"] for w in doc["waivers"]["expired"]] == ["REQ-A-01"]
    assert any("expired on 2025-05-31" in r for r in doc["reasons"])


def test_an_expired_waiver_fails_the_gate_even_when_everything_passes():
    doc = build(ALL_PASS, waivers=[waiver("REQ-A-02", TODAY - dt.timedelta(days=10))])
    assert doc["verdict"] == "non-conformant"


def test_expiry_follows_the_injected_clock():
    failing = [sc("one", "failed", "REQ-A-01"), *ALL_PASS[1:]]
    w = [waiver("REQ-A-01", dt.date(2025, 7, 1))]
    assert build(failing, waivers=w, today=dt.date(2025, 7, 1))["verdict"] == "conformant"
    assert build(failing, waivers=w, today=dt.date(2025, 7, 2))["verdict"] == "non-conformant"


def test_a_stale_waiver_for_a_passing_requirement_fails_the_gate():
    doc = build(ALL_PASS, waivers=[waiver("REQ-A-02", TODAY + dt.timedelta(days=30))])
    assert status_of(doc, "REQ-A-02") == "passed"
    assert [w["requirement"] for w in doc["waivers"]["stale"]] == ["REQ-A-02"]
    assert doc["verdict"] == "non-conformant"
    assert any("stale" in r for r in doc["reasons"])


def test_a_waiver_does_not_cover_an_error():
    doc = build([sc("one", "error", "REQ-A-01"), *ALL_PASS[1:]],
                waivers=[waiver("REQ-A-01", TODAY + dt.timedelta(days=30))])
    assert status_of(doc, "REQ-A-01") == "error"
    assert doc["verdict"] == "error"
    assert doc["waivers"]["applied"] == []


def test_waivers_file_with_an_unknown_requirement_is_a_configuration_error(tmp_path):
    path = tmp_path / "sim.yml"
    path.write_text("- {requirement: REQ-NOPE-01, reason: r, owner: o, expires: 2030-01-01}\n")
    with pytest.raises(ConfigurationError, match="unknown requirement 'REQ-NOPE-01'"):
        load_waivers(path, {r.id for r in CATALOGUE})


@pytest.mark.parametrize(("text", "problem"), [
    ("- {requirement: REQ-A-01, reason: r, owner: o}\n", "missing expires"),
    ("- {requirement: REQ-A-01, reason: r, owner: o, expires: soon}\n", "not an ISO date"),
    ("- {requirement: REQ-A-01, reason: r, owner: o, expires: 2030-01-01}\n"
     "- {requirement: REQ-A-01, reason: s, owner: p, expires: 2031-01-01}\n", "second waiver"),
    ("requirement: REQ-A-01\n", "expected a list"),
])
def test_malformed_waivers_are_configuration_errors(tmp_path, text, problem):
    path = tmp_path / "w.yml"
    path.write_text(text)
    with pytest.raises(ConfigurationError, match=problem):
        load_waivers(path, {r.id for r in CATALOGUE})


def test_waivers_file_reads_dates_and_the_waivers_key(tmp_path):
    path = tmp_path / "w.yml"
    path.write_text("waivers:\n  - requirement: REQ-A-01\n    reason: bug\n    owner: bob\n"
                    "    expires: 2030-01-31\n")
    [w] = load_waivers(path, {"REQ-A-01"})
    assert w == Waiver("REQ-A-01", "bug", "bob", dt.date(2030, 1, 31))


def test_default_waivers_path_is_per_target_and_only_if_present(tmp_path):
    assert default_waivers_path(tmp_path, "sim") is None
    (tmp_path / "waivers").mkdir()
    (tmp_path / "waivers" / "sim.yml").write_text("[]\n")
    assert default_waivers_path(tmp_path, "sim") == tmp_path / "waivers" / "sim.yml"
    assert default_waivers_path(tmp_path, "other") is None


# ---------------------------------------------------------------- catalogue


def test_catalogue_problems_are_all_named(tmp_path):
    path = tmp_path / "requirements.yml"
    path.write_text(
        "requirements:\n"
        "  - {id: REQ-A-01, area: A, level: MUST, profiles: [current], summary: ok}\n"
        "  - {id: bad-id, area: A, level: MUST, profiles: [current], summary: x}\n"
        "  - {id: REQ-A-02, area: A, level: MAY, profiles: [current], summary: x}\n"
        "  - {id: REQ-A-01, area: A, level: MUST, profiles: [], summary: x}\n")
    with pytest.raises(ConfigurationError) as caught:
        load_catalogue(path)
    text = str(caught.value)
    assert "'bad-id' does not look like REQ-AREA-NN" in text
    assert "level 'MAY'" in text
    assert "duplicate id" in text
    assert "'profiles' must be a non-empty list" in text


def test_catalogue_must_exist(tmp_path):
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_catalogue(tmp_path / "nope.yml")


@pytest.mark.skipif(not (REPO / "features" / "requirements.yml").is_file(),
                    reason="the repository's catalogue is not there yet")
def test_the_repository_catalogue_loads():
    catalogue = load_catalogue(REPO / "features" / "requirements.yml")
    assert catalogue, "the catalogue lists requirements"
    assert all(r.level in ("MUST", "SHOULD") for r in catalogue)


# ---------------------------------------------------------------- schema


def test_schema_rejects_documents_that_break_the_contract():
    doc = build([sc("one", "failed", "REQ-A-01"), *ALL_PASS[1:]])
    bad_status = copy.deepcopy(doc)
    bad_status["scenarios"][0]["status"] = "pass"
    assert verdict.validate_document(bad_status)
    no_message = copy.deepcopy(doc)
    del no_message["scenarios"][0]["message"]
    assert any("message" in p for p in verdict.validate_document(no_message))
    bad_verdict = copy.deepcopy(doc)
    bad_verdict["verdict"] = "green"
    assert verdict.validate_document(bad_verdict)
    missing = copy.deepcopy(doc)
    del missing["totals"]
    assert verdict.validate_document(missing)


def _spoilt_documents() -> dict[str, dict]:
    """A valid document and ways of breaking it, for holding the gate's validator to the
    reference one."""
    doc = build([sc("one", "failed", "REQ-A-01"), *ALL_PASS[1:]],
                waivers=[Waiver("REQ-A-01", "known", "qa", dt.date(2025, 7, 1))])
    out = {"valid": doc}

    def spoil(name, change):
        copied = copy.deepcopy(doc)
        change(copied)
        out[name] = copied

    spoil("bad status", lambda d: d["scenarios"][0].update(status="pass"))
    spoil("no message", lambda d: d["scenarios"][0].pop("message"))
    spoil("bad verdict", lambda d: d.update(verdict="green"))
    spoil("no totals", lambda d: d.pop("totals"))
    spoil("extra key", lambda d: d.update(colour="red"))
    spoil("wrong type", lambda d: d["scenarios"][1].update(duration_s="fast"))
    spoil("bad date", lambda d: next(iter(w for ws in d["waivers"].values() for w in ws))
          .update(expires="2025-13-01"))
    spoil("several", lambda d: (d["scenarios"][2].update(status=1),
                                d["scenarios"][0].pop("requirements"), d.pop("seed")))
    return out


@pytest.mark.parametrize("name", list(_spoilt_documents()))
def test_the_gates_validator_agrees_with_the_reference_one(name: str) -> None:
    # jsonschema-rs checks every document a run writes or reads; jsonschema (the
    # reference Python implementation) must find the same places wrong
    import jsonschema

    doc = _spoilt_documents()[name]
    reference = jsonschema.Draft202012Validator(
        verdict.load_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    expected = sorted({"/".join(map(str, e.absolute_path)) or "<root>"
                       for e in reference.iter_errors(doc)})
    found = sorted({p.split(": ", 1)[0] for p in verdict.validate_document(doc)})
    assert found == expected
    assert (name == "valid") == (found == [])


def test_a_timestamp_that_is_not_rfc_3339_fails_the_schema() -> None:
    # jsonschema asserts date-time only with an extra package; the gate always does
    doc = copy.deepcopy(_spoilt_documents()["valid"])
    doc["generated_at"] = "yesterday at noon"
    assert [p.split(": ", 1)[0] for p in verdict.validate_document(doc)] == ["generated_at"]


def test_scenario_results_round_trip_and_reject_unknown_statuses():
    s = sc("one", "failed", "REQ-A-01")
    assert ScenarioResult.from_dict(s.to_dict()) == s
    with pytest.raises(ValueError, match="unknown scenario status"):
        sc("one", "xfail")


# ---------------------------------------------------------------- retired ids
RETIRED_CATALOGUE = {
    "requirements": [{"id": "REQ-A-01", "level": "MUST", "profiles": ["current"],
                      "summary": "a", "sources": [{"doc": "d"}]},
                     {"id": "REQ-A-02", "level": "MUST", "profiles": ["current"],
                      "summary": "b", "sources": [{"doc": "d"}]}],
    "retired": [{"id": "REQ-A-09", "replaced_by": ["REQ-A-01", "REQ-A-02"],
                 "note": "one rule, two passages"}],
}


def test_a_waiver_for_a_retired_requirement_says_where_its_checks_went(tmp_path):
    retired = parse_retired(RETIRED_CATALOGUE)
    path = tmp_path / "w.yml"
    path.write_text("- {requirement: REQ-A-09, reason: r, owner: o, expires: 2030-01-01}\n")
    with pytest.raises(ConfigurationError,
                       match=r"REQ-A-09 was retired; its checks are now REQ-A-01 and "
                             r"REQ-A-02's \(one rule, two passages\); waive those instead"):
        load_waivers(path, {"REQ-A-01", "REQ-A-02"}, retired=retired)


@pytest.mark.parametrize(("entry", "problem"), [
    ({"id": "REQ-A-01", "replaced_by": ["REQ-A-02"], "note": "n"}, "also an active"),
    ({"id": "REQ-A-09", "replaced_by": ["REQ-A-07"], "note": "n"}, "names no requirement"),
    ({"id": "REQ-A-09", "replaced_by": [], "note": "n"}, "non-empty list"),
    ({"id": "REQ-A-09", "replaced_by": ["REQ-A-01"]}, "'note' is missing"),
    ({"id": "nope", "replaced_by": ["REQ-A-01"], "note": "n"}, "does not look like"),
])
def test_a_malformed_retired_entry_is_a_configuration_error(entry, problem):
    data = {**RETIRED_CATALOGUE, "retired": [entry]}
    with pytest.raises(ConfigurationError, match=problem):
        parse_catalogue(data)


def test_the_repository_catalogue_retires_privacy_04_into_two_requirements():
    retired = load_retired(Path(__file__).resolve().parent.parent / "features"
                                   / "requirements.yml")
    assert retired["REQ-PRIVACY-04"].replaced_by == ("REQ-RECOVERY-04", "REQ-TROUBLE-03")
